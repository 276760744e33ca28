/**
 * A real OpenID Provider (`oidc-provider`) on `http://127.0.0.1:<free port>`, for emulators and
 * conformance tests: the generic pieces (quiet console, fresh signing keys, listen / close,
 * static client validation) in one place.
 *
 * - Quiet: `oidc-provider` writes "oidc-provider WARNING/NOTICE: ..." lines through
 *   `console.warn` / `console.info` (the "Unsupported runtime" warning on Node 20 when the module
 *   is first evaluated, the in-memory adapter and devInteractions warnings when a provider is
 *   built, "default X function called" notices at request time). While at least one
 *   {@link quiet} scope is open those lines, and only those, are dropped. {@link start} opens
 *   one and imports the module lazily inside it, so the import-time warning is caught too.
 * - Keys: unless the configuration has `jwks`, a fresh RS256 key (no development keys).
 * - Scoped: closing the scope closes the server and every socket still open (keep-alive
 *   connections included).
 * - Static clients are validated at start, so a bad one fails there with the real reason
 *   (oidc-provider would otherwise answer `invalid_client` on first use).
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as http from "node:http"
import type * as OidcProvider from "oidc-provider"
import type { Configuration, default as Provider, JWK } from "oidc-provider"
import * as internal from "./internal/oidcServer.js"

/**
 * A JSON Web Key Set (RFC 7517 §5).
 *
 * @example
 * ```ts
 * import { OidcServer } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * const keyIds = (jwks: OidcServer.JsonWebKeySet) => jwks.keys.map((key) => key.kid)
 * const program = Effect.map(OidcServer.generateSigningKeys, keyIds)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface JsonWebKeySet {
  /** The keys, as JWKs. */
  readonly keys: ReadonlyArray<JWK>
}

/**
 * Why {@link start} failed: the port could not be bound, oidc-provider refused the
 * configuration, or it refused a static client's metadata.
 *
 * @example
 * ```ts
 * import { OidcServer } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * const server = OidcServer.start({ configuration: {} }).pipe(
 *   Effect.catchTag("OidcServerError", (error) => Effect.dieMessage(`${error.reason}: ${error.message}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class OidcServerError extends Data.TaggedError("OidcServerError")<{
  /** `Listen` (the port), `Configuration` (refused by oidc-provider) or `InvalidClient` (a static client). */
  readonly reason: "Listen" | "Configuration" | "InvalidClient"
  /** What went wrong, as oidc-provider or the socket said. */
  readonly detail: string
  /** The underlying error, when there was one. */
  readonly cause?: unknown
}> {
  /**
   * `oidc-provider <detail>`.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `oidc-provider ${this.detail}`
  }
}

/**
 * The `oidc-provider` module (its `interactionPolicy`, `errors`, ...), as imported by
 * {@link start}.
 *
 * @example
 * ```ts
 * import { OidcServer } from "@auth-pipeline/sandbox"
 *
 * // a configuration that needs the module: a custom interaction policy
 * const configuration = (module: OidcServer.OidcProviderModule) => ({
 *   interactions: { policy: module.interactionPolicy.base() }
 * })
 * const server = OidcServer.start({ configuration })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type OidcProviderModule = typeof OidcProvider

/**
 * Options of {@link start}.
 *
 * @example
 * ```ts
 * import { OidcServer } from "@auth-pipeline/sandbox"
 *
 * const options: OidcServer.Options = {
 *   configuration: { features: { clientCredentials: { enabled: true } } },
 *   // a protected resource on the same origin
 *   intercept: (request, response) => {
 *     if (request.url !== "/api/ping") return false
 *     response.end("pong")
 *     return true
 *   }
 * }
 * const server = OidcServer.start(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The oidc-provider configuration, or a function of the lazily imported module that builds it
   * (to use `interactionPolicy` or `errors`). `jwks` defaults to a fresh RS256 key.
   */
  readonly configuration: Configuration | ((module: OidcProviderModule) => Configuration)
  /**
   * Runs once the provider is built, before it serves a request: the place for `provider.use`
   * (Koa middleware is composed when the server starts answering) and event listeners.
   */
  readonly setup?: ((provider: Provider) => void) | undefined
  /**
   * Sees every request first; returning `true` means it answers the request itself and
   * oidc-provider never sees it (for a protected resource on the same origin).
   */
  readonly intercept?: ((request: http.IncomingMessage, response: http.ServerResponse) => boolean) | undefined
  /**
   * The port to listen on, on 127.0.0.1. Default 0: a free port chosen by the operating system.
   * A fixed port that is taken fails {@link start} with reason `"Listen"`.
   */
  readonly port?: number | undefined
}

/**
 * A running provider.
 *
 * @example
 * ```ts
 * import { OidcDiscovery } from "@auth-pipeline/core"
 * import { OidcServer } from "@auth-pipeline/sandbox"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * // discovery against a real OpenID Provider on loopback
 * const program = Effect.gen(function*() {
 *   const server: OidcServer.OidcServer = yield* OidcServer.start({ configuration: {} })
 *   const metadata = yield* OidcDiscovery.discover(server.issuer)
 *   return metadata.jwks_uri
 * }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface OidcServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly issuer: string
  /** The port it listens on. */
  readonly port: number
  /** The oidc-provider instance (events, `Client.find`, ...). */
  readonly provider: Provider
  /** The configuration as used (with `jwks`). */
  readonly configuration: Configuration
  /** The public half of the signing keys, as served at `jwks_uri`. */
  readonly publicJwks: JsonWebKeySet
}

/**
 * The only interface the server listens on: `127.0.0.1`.
 *
 * @example
 * ```ts
 * import { OidcServer } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(OidcServer.host, "127.0.0.1")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const host: string = internal.host

/**
 * Starts oidc-provider on `http://127.0.0.1:<port>` (the issuer; a free port unless `port` is
 * given) until the scope closes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OidcServer } from "@auth-pipeline/sandbox"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const server = yield* OidcServer.start({
 *     configuration: { features: { clientCredentials: { enabled: true } } }
 *   })
 *   return `${server.issuer}/.well-known/openid-configuration`
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const start: (options: Options) => Effect.Effect<OidcServer, OidcServerError, Scope.Scope> = internal.start

/**
 * Drops oidc-provider's console notices (and nothing else) while the scope is open.
 *
 * @example
 * ```ts
 * import { OidcServer } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * // build a Provider yourself without its console notices
 * const program = Effect.scoped(Effect.zipRight(OidcServer.quiet, Effect.promise(() => import("oidc-provider"))))
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const quiet: Effect.Effect<void, never, Scope.Scope> = internal.quiet

/**
 * A fresh RS256 signing key (the provider's default ID token algorithm) as a private JWKS,
 * with a random `kid`.
 *
 * @example
 * ```ts
 * import { OidcServer } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const jwks = yield* OidcServer.generateSigningKeys
 *   assert.strictEqual(jwks.keys[0]?.kty, "RSA")
 *   assert.ok("d" in (jwks.keys[0] ?? {})) // private
 * })
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateSigningKeys: Effect.Effect<JsonWebKeySet> = internal.generateSigningKeys

/**
 * The public members of a key set (private parameters removed).
 *
 * @example
 * ```ts
 * import { OidcServer } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const jwks = OidcServer.publicKeys(yield* OidcServer.generateSigningKeys)
 *   assert.ok(!("d" in (jwks.keys[0] ?? {})))
 * })
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const publicKeys: (jwks: JsonWebKeySet) => JsonWebKeySet = internal.publicKeys
