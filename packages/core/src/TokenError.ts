/**
 * The typed failures of a token request. None of them holds a secret: messages carry the endpoint,
 * the HTTP status, the RFC 6749 §5.2 fields and short excerpts scrubbed of credentials and tokens.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

/**
 * The token endpoint answered with an RFC 6749 §5.2 error body (`invalid_client`,
 * `invalid_grant`, ...). `status` is the HTTP status, which is 200 when a server puts `error` in a
 * success response.
 *
 * @example
 * ```ts
 * import { Grant, TokenEndpoint, TokenError } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const fetchToken = (endpoint: TokenEndpoint.TokenEndpoint) =>
 *   Grant.clientCredentials(endpoint).pipe(
 *     Effect.catchTag("OAuthError", (error: TokenError.OAuthError) =>
 *       error.error === "invalid_client" ? Effect.dieMessage("check the client secret") : Effect.fail(error))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class OAuthError extends Data.TaggedError("OAuthError")<{
  /** The endpoint URL. */
  readonly url: string
  /** The HTTP status of the response. */
  readonly status: number
  /** The RFC 6749 §5.2 `error` code. */
  readonly error: string
  /** `error_description`, when sent. */
  readonly errorDescription: Option.Option<string>
  /** `error_uri`, when sent. */
  readonly errorUri: Option.Option<string>
  /**
   * The `Retry-After` of a 503 answer (seconds or an HTTP date), when sent; the cache's retries
   * honour it as they do a 429's.
   */
  readonly retryAfter?: Option.Option<Duration.Duration> | undefined
}> {
  /**
   * `Token endpoint <url> answered <error> (HTTP <status>)`, then the description and `error_uri` when sent.
   *
   * @since 0.1.0
   */
  override get message(): string {
    const description = Option.match(this.errorDescription, { onNone: () => "", onSome: (d) => `: ${d}` })
    const uri = Option.match(this.errorUri, { onNone: () => "", onSome: (u) => ` (see ${u})` })
    return `Token endpoint ${this.url} answered ${this.error} (HTTP ${this.status})${description}${uri}`
  }
}

/**
 * The token request got no response: the URL is not allowed (`InvalidUrl`: not https and not a
 * loopback host), the connection failed (`Transport`), or no answer came in time (`Timeout`).
 *
 * @example
 * ```ts
 * import { TokenError } from "@auth-pipeline/core"
 *
 * const error = new TokenError.TokenRequestError({
 *   reason: "Timeout",
 *   url: "https://auth.example.com/token",
 *   detail: "no answer within 30 seconds"
 * })
 * assert.ok(TokenError.isTransient(error))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenRequestError extends Data.TaggedError("TokenRequestError")<{
  /** `InvalidUrl` (not https and not loopback), `Transport` (no connection) or `Timeout`. */
  readonly reason: "InvalidUrl" | "Transport" | "Timeout"
  /** The endpoint URL. */
  readonly url: string
  /** What went wrong, in words (no secrets). */
  readonly detail: string
}> {
  /**
   * `Token request to <url> failed (<reason>): <detail>`.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `Token request to ${this.url} failed (${this.reason}): ${this.detail}`
  }
}

/**
 * The token endpoint answered, but not with a usable token: an error status without an RFC 6749
 * §5.2 body (`Status`, e.g. a 502 page), a body that is not JSON (`NotJson`), JSON that is not a
 * valid token response (`InvalidBody`), a valid one whose `token_type` this client does not
 * accept (`UnsupportedTokenType`, RFC 6749 §7.1; see `TokenEndpoint.tokenTypes`), a redirect,
 * which is never followed (`Redirect`: any 3xx, or status 0 for an opaque redirect), or a body
 * larger than the endpoint's `maxResponseBytes` (`TooLarge`, reading stopped there). `excerpt` is
 * a short part of the body with credentials and tokens replaced by `<redacted>` (empty for
 * `Redirect` and `TooLarge`).
 *
 * @example
 * ```ts
 * import { TokenError } from "@auth-pipeline/core"
 *
 * const error = new TokenError.TokenResponseError({
 *   reason: "Status",
 *   url: "https://auth.example.com/token",
 *   status: 502,
 *   detail: "HTTP 502 without an OAuth error body",
 *   excerpt: "<html>Bad Gateway</html>"
 * })
 * assert.ok(TokenError.isTransient(error)) // a 5xx may pass
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenResponseError extends Data.TaggedError("TokenResponseError")<{
  /**
   * `Status` (error status without an OAuth body), `NotJson`, `InvalidBody` (not a valid §5.1 body),
   * `UnsupportedTokenType` (a `token_type` the endpoint does not accept), `Redirect` (a 3xx, never
   * followed) or `TooLarge` (a body over `maxResponseBytes`).
   */
  readonly reason: "Status" | "NotJson" | "InvalidBody" | "UnsupportedTokenType" | "Redirect" | "TooLarge"
  /** The endpoint URL. */
  readonly url: string
  /** The HTTP status of the response. */
  readonly status: number
  /** What was wrong with the body (for `InvalidBody`, the offending fields). */
  readonly detail: string
  /** At most 200 characters of the body, scrubbed of secrets. */
  readonly excerpt: string
  /**
   * The `Retry-After` of a 503 answer (seconds or an HTTP date), when sent; the cache's retries
   * honour it as they do a 429's.
   */
  readonly retryAfter?: Option.Option<Duration.Duration> | undefined
}> {
  /**
   * `Token endpoint <url> gave an unusable response (<reason>, HTTP <status>): <detail>` and the excerpt.
   *
   * @since 0.1.0
   */
  override get message(): string {
    const excerpt = this.excerpt.length > 0 ? `; body: ${this.excerpt}` : ""
    return `Token endpoint ${this.url} gave an unusable response (${this.reason}, HTTP ${this.status}): ${this.detail}${excerpt}`
  }
}

/**
 * The token endpoint answered 429 Too Many Requests; `retryAfter` is its `Retry-After`, when sent.
 *
 * @example
 * ```ts
 * import { TokenError } from "@auth-pipeline/core"
 * import { Duration, Option } from "effect"
 *
 * const error = new TokenError.RateLimitedError({
 *   url: "https://auth.example.com/token",
 *   status: 429,
 *   retryAfter: Option.some(Duration.seconds(5))
 * })
 * assert.deepStrictEqual(TokenError.retryAfter(error), Option.some(Duration.seconds(5)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimitedError extends Data.TaggedError("RateLimitedError")<{
  /** The endpoint URL. */
  readonly url: string
  /** The HTTP status (429). */
  readonly status: number
  /** How long the server asked the client to wait, from `Retry-After` (seconds or an HTTP date). */
  readonly retryAfter: Option.Option<Duration.Duration>
}> {
  /**
   * `Token endpoint <url> is rate limiting (HTTP 429)` and the `Retry-After` wait when sent.
   *
   * @since 0.1.0
   */
  override get message(): string {
    const wait = Option.match(this.retryAfter, {
      onNone: () => "",
      onSome: (d) => `; retry after ${Duration.format(d)}`
    })
    return `Token endpoint ${this.url} is rate limiting (HTTP ${this.status})${wait}`
  }
}

/**
 * Every way a token request can fail.
 *
 * @example
 * ```ts
 * import { TokenError } from "@auth-pipeline/core"
 *
 * const describe = (error: TokenError.TokenError): string => {
 *   switch (error._tag) {
 *     case "OAuthError":
 *       return `refused: ${error.error}`
 *     case "RateLimitedError":
 *       return "rate limited"
 *     case "TokenRequestError":
 *     case "TokenResponseError":
 *       return error.reason
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type TokenError = OAuthError | TokenRequestError | TokenResponseError | RateLimitedError

const transientOAuthErrors: ReadonlySet<string> = new Set(["temporarily_unavailable", "server_error", "slow_down"])

/**
 * Whether trying again later can succeed: no response or a timeout, a 5xx or 408, a 429, and the
 * `server_error` / `temporarily_unavailable` / `slow_down` codes. Credentials or grants the server
 * refused (`invalid_client`, `invalid_grant`, other 4xx) are never transient.
 *
 * @example
 * ```ts
 * import { TokenError } from "@auth-pipeline/core"
 * import { Option } from "effect"
 *
 * const refused = new TokenError.OAuthError({
 *   url: "https://auth.example.com/token",
 *   status: 401,
 *   error: "invalid_client",
 *   errorDescription: Option.none(),
 *   errorUri: Option.none()
 * })
 * assert.ok(!TokenError.isTransient(refused)) // retrying cannot fix a wrong secret
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: TokenError): boolean => {
  switch (error._tag) {
    case "RateLimitedError":
      return true
    case "TokenRequestError":
      return error.reason !== "InvalidUrl"
    case "TokenResponseError":
      return error.status >= 500 || error.status === 408
    case "OAuthError":
      return error.status >= 500 || transientOAuthErrors.has(error.error)
  }
}

/**
 * How long the server asked to wait before the next attempt, when it said so: the `Retry-After`
 * of a 429 or of a 503 (RFC 9110 §10.2.3).
 *
 * @example
 * ```ts
 * import { TokenError } from "@auth-pipeline/core"
 * import { Duration, Effect, Option } from "effect"
 *
 * // on a transient failure, wait what the server asked (or one second) and try once more
 * const retryOnce = <A>(fetchToken: Effect.Effect<A, TokenError.TokenError>) =>
 *   fetchToken.pipe(
 *     Effect.catchIf(TokenError.isTransient, (error) =>
 *       Effect.sleep(Option.getOrElse(TokenError.retryAfter(error), () => Duration.seconds(1))).pipe(
 *         Effect.zipRight(fetchToken)
 *       ))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const retryAfter = (error: TokenError): Option.Option<Duration.Duration> =>
  error._tag === "TokenRequestError" ? Option.none() : error.retryAfter ?? Option.none()
