/**
 * The redirect receiver of a native app's login (RFC 8252 §7.3): a one-shot HTTP listener on
 * `127.0.0.1` with a port chosen by the operating system. Its URL is the `redirect_uri`; the first
 * request to its path is the callback, answered with a small page telling the user to go back to
 * the app. The listener lives in the current Scope and is closed after the callback or when the
 * scope closes.
 *
 * This module is the platform-neutral port: the error, the options and the {@link Listener}
 * service that `OidcClient.loginLoopback` asks for. A runtime with sockets provides it, e.g.
 * `NodeLoopbackRedirect.layer` from `@auth-pipeline/platform-node`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/**
 * The listener could not start (`Listen`), or no callback arrived in time (`Timeout`).
 *
 * @example
 * ```ts
 * import { LoopbackRedirect } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const waitForUser = (redirect: LoopbackRedirect.LoopbackRedirect) =>
 *   redirect.callback.pipe(
 *     Effect.catchTag("LoopbackRedirectError", (error) =>
 *       error.reason === "Timeout" ? Effect.dieMessage("no login within the time allowed") : Effect.fail(error))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class LoopbackRedirectError extends Data.TaggedError("LoopbackRedirectError")<{
  /** `Listen` (the listener could not start) or `Timeout` (no callback in time). */
  readonly reason: "Listen" | "Timeout"
  /** What went wrong, in words. */
  readonly detail: string
}> {
  /**
   * `Loopback redirect failed (<reason>): <detail>`.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `Loopback redirect failed (${this.reason}): ${this.detail}`
  }
}

/**
 * One listener started by {@link Listener}: its redirect URI and the callback it waits for.
 *
 * @example
 * ```ts
 * import { AuthorizationCode, type LoopbackRedirect } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const login = (redirect: LoopbackRedirect.LoopbackRedirect) =>
 *   Effect.gen(function*() {
 *     const request = yield* AuthorizationCode.authorizationUrl({
 *       authorizationEndpoint: "https://id.example.com/auth",
 *       clientId: "my-cli",
 *       redirectUri: redirect.redirectUri
 *     })
 *     return yield* AuthorizationCode.validateCallback(request, yield* redirect.callback)
 *   })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface LoopbackRedirect {
  /** `http://127.0.0.1:<port><path>`: the redirect URI to put in the authorization request. */
  readonly redirectUri: string
  /**
   * Waits for the callback and yields its full URL (query included); the listener closes once it
   * has answered. Fails with `Timeout` after the configured time.
   */
  readonly callback: Effect.Effect<URL, LoopbackRedirectError>
}

/**
 * How a listener answers: its path, how long it waits, which `state` it accepts and the pages it shows.
 *
 * @example
 * ```ts
 * import { type LoopbackRedirect, Pkce } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const options = Effect.map(Pkce.randomToken(), (state): LoopbackRedirect.Options => ({
 *   path: "/callback",
 *   timeout: "2 minutes",
 *   state
 * }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The callback path. Default `/oidc-callback`. */
  readonly path?: string | undefined
  /** How long to wait for the user. Default 5 minutes. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * The `state` of the authorization request. When set, only a request carrying exactly this
   * `state` is the callback: anything else reaching the path (another local process, a web page
   * probing loopback ports) gets 400 and the listener keeps waiting for the real one.
   */
  readonly state?: string | undefined
  /** The page shown in the browser after a successful callback. */
  readonly html?: string | undefined
  /** The page shown in the browser after a callback carrying an `error`. */
  readonly errorHtml?: string | undefined
}

/**
 * The page shown after the callback by default.
 *
 * @example
 * ```ts
 * import { LoopbackRedirect } from "@auth-pipeline/core"
 *
 * assert.ok(LoopbackRedirect.defaultHtml.includes("return to the application"))
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultHtml =
  "<!doctype html><meta charset=utf-8><title>Signed in</title><p>You can close this window and return to the application.</p>"

/**
 * The page shown after a callback that carries an `error` (the user declined, or the provider
 * refused the request); the application reports the reason.
 *
 * @example
 * ```ts
 * import { LoopbackRedirect } from "@auth-pipeline/core"
 *
 * assert.ok(LoopbackRedirect.defaultErrorHtml.includes("Sign-in did not complete"))
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultErrorHtml =
  "<!doctype html><meta charset=utf-8><title>Sign-in failed</title><p>Sign-in did not complete. You can close this window; the application tells why.</p>"

/**
 * The service that opens loopback redirect listeners and shows the authorization URL to the user.
 * `OidcClient.loginLoopback` requires it; `@auth-pipeline/platform-node` provides it as
 * `NodeLoopbackRedirect.layer` (a `node:http` listener and the system's browser opener).
 *
 * @example
 * ```ts
 * import { LoopbackRedirect } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * // Waits for one callback on whatever listener the runtime provides.
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const listener = yield* LoopbackRedirect.Listener
 *     const redirect = yield* listener.listen({ path: "/callback" })
 *     yield* listener.open(new URL(`https://idp.example.com/authorize?redirect_uri=${redirect.redirectUri}`))
 *     return yield* redirect.callback
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class Listener extends Context.Tag("@auth-pipeline/core/LoopbackRedirect/Listener")<Listener, {
  /**
   * Starts a listener on `127.0.0.1` (the literal address, as RFC 8252 §8.3 recommends) with an
   * ephemeral port, living in the current Scope.
   */
  readonly listen: (options?: Options) => Effect.Effect<LoopbackRedirect, LoopbackRedirectError, Scope.Scope>
  /**
   * Shows the authorization URL to the user (e.g. prints it and opens the system's browser). The
   * URL carries no secret: the PKCE verifier never leaves the app.
   */
  readonly open: (url: URL) => Effect.Effect<void>
}>() {}
