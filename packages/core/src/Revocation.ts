/**
 * OAuth 2.0 Token Revocation (RFC 7009): tells the provider a token is no longer needed, so a
 * refresh token does not outlive a logout.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { ClientAuthentication } from "./ClientAuthentication.js"
import { credentials as credentialsOf } from "./ClientAuthentication.js"
import { exchange } from "./internal/exchange.js"
import { annotateOutcome, serverAttributes } from "./internal/telemetry.js"
import { defaultMaxResponseBytes, validateUrl } from "./TokenEndpoint.js"

/**
 * The revocation request failed: no answer (`Transport`, `Timeout`), the URL is not allowed
 * (`InvalidUrl`), the provider refused it (`Status`, with the HTTP status), it answered with a
 * redirect, which is never followed (`Redirect`), or with a body over the size cap (`TooLarge`).
 * Never holds the token.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, Revocation } from "@auth-pipeline/core"
 * import { Effect, Redacted } from "effect"
 *
 * // a logout should not fail because the provider is down: log and go on
 * const revokeQuietly = (refreshToken: Redacted.Redacted<string>) =>
 *   Revocation.revoke({
 *     url: "https://auth.example.com/oauth2/revoke",
 *     clientAuthentication: ClientAuthentication.none("my-public-app"),
 *     token: refreshToken,
 *     tokenTypeHint: "refresh_token"
 *   }).pipe(Effect.catchTag("RevocationError", (error) => Effect.logWarning(error.message)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RevocationError extends Data.TaggedError("RevocationError")<{
  /**
   * `InvalidUrl`, `Transport` (no answer), `Timeout`, `Status` (the provider answered non-200),
   * `Redirect` (a 3xx, never followed) or `TooLarge` (a body over `maxResponseBytes`).
   */
  readonly reason: "InvalidUrl" | "Transport" | "Timeout" | "Status" | "Redirect" | "TooLarge"
  /** The revocation endpoint URL. */
  readonly url: string
  /** The HTTP status, for `Status`. */
  readonly status?: number | undefined
}> {
  /**
   * `Token revocation at <url> failed (<reason>, HTTP <status>)`.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `Token revocation at ${this.url} failed (${this.reason}${
      this.status === undefined ? "" : `, HTTP ${this.status}`
    })`
  }
}

/**
 * Revokes `token` at `url` (a provider's `revocation_endpoint`), authenticating as the client does
 * at the token endpoint. RFC 7009 §2.2: a 200 means done, also for a token that was already
 * invalid. A redirect is not followed (the token is not re-sent elsewhere) and at most
 * `maxResponseBytes` (default 1 MiB) of the answer are read.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, Revocation } from "@auth-pipeline/core"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Redacted } from "effect"
 *
 * const logout = (refreshToken: Redacted.Redacted<string>) =>
 *   Revocation.revoke({
 *     url: "https://auth.example.com/oauth2/revoke",
 *     clientAuthentication: ClientAuthentication.clientSecretBasic("my-client", Redacted.make("s3cret")),
 *     token: refreshToken,
 *     tokenTypeHint: "refresh_token"
 *   }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const revoke = (options: {
  readonly url: string
  readonly clientAuthentication: ClientAuthentication
  readonly token: Redacted.Redacted<string>
  readonly tokenTypeHint?: "refresh_token" | "access_token" | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly maxResponseBytes?: number | undefined
}): Effect.Effect<void, RevocationError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const url = options.url
    const parsed = validateUrl(url)
    if (Either.isLeft(parsed)) return yield* new RevocationError({ reason: "InvalidUrl", url })
    const credentials = credentialsOf(options.clientAuthentication)
    const params: Array<readonly [string, string]> = [["token", Redacted.value(options.token)]]
    if (options.tokenTypeHint !== undefined) params.push(["token_type_hint", options.tokenTypeHint])
    params.push(...credentials.params)
    const request = HttpClientRequest.post(parsed.right).pipe(
      HttpClientRequest.acceptJson,
      HttpClientRequest.setHeaders(credentials.headers)
    )
    const client = yield* HttpClient.HttpClient
    const { status } = yield* exchange(
      client,
      HttpClientRequest.bodyUrlParams(request, params),
      options.maxResponseBytes ?? defaultMaxResponseBytes
    ).pipe(
      Effect.timeoutFail({
        duration: options.timeout ?? Duration.seconds(30),
        onTimeout: () => new RevocationError({ reason: "Timeout", url })
      }),
      Effect.catchTag("RequestError", "ResponseError", () =>
        Effect.fail(new RevocationError({ reason: "Transport", url }))),
      Effect.catchTag("ExchangeRefused", (e) =>
        Effect.fail(new RevocationError({ reason: e.reason, url, status: e.status })))
    )
    if (status !== 200) {
      return yield* new RevocationError({ reason: "Status", url, status })
    }
  }).pipe(
    annotateOutcome,
    Effect.withSpan("auth_pipeline.token_revocation", {
      kind: "client",
      attributes: { "http.request.method": "POST", ...serverAttributes(options.url) }
    })
  )
