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
}> {
  /** @since 0.1.0 */
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
 * @since 0.1.0
 * @category errors
 */
export class TokenRequestError extends Data.TaggedError("TokenRequestError")<{
  readonly reason: "InvalidUrl" | "Transport" | "Timeout"
  /** The endpoint URL. */
  readonly url: string
  /** What went wrong, in words (no secrets). */
  readonly detail: string
}> {
  /** @since 0.1.0 */
  override get message(): string {
    return `Token request to ${this.url} failed (${this.reason}): ${this.detail}`
  }
}

/**
 * The token endpoint answered, but not with a usable token: an error status without an RFC 6749
 * §5.2 body (`Status`, e.g. a 502 page), a body that is not JSON (`NotJson`), JSON that is not a
 * valid token response (`InvalidBody`), a redirect, which is never followed (`Redirect`: any 3xx,
 * or status 0 for an opaque redirect), or a body larger than the endpoint's `maxResponseBytes`
 * (`TooLarge`, reading stopped there). `excerpt` is a short part of the body with credentials
 * and tokens replaced by `<redacted>` (empty for `Redirect` and `TooLarge`).
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenResponseError extends Data.TaggedError("TokenResponseError")<{
  readonly reason: "Status" | "NotJson" | "InvalidBody" | "Redirect" | "TooLarge"
  /** The endpoint URL. */
  readonly url: string
  /** The HTTP status of the response. */
  readonly status: number
  /** What was wrong with the body (for `InvalidBody`, the offending fields). */
  readonly detail: string
  /** At most 200 characters of the body, scrubbed of secrets. */
  readonly excerpt: string
}> {
  /** @since 0.1.0 */
  override get message(): string {
    const excerpt = this.excerpt.length > 0 ? `; body: ${this.excerpt}` : ""
    return `Token endpoint ${this.url} gave an unusable response (${this.reason}, HTTP ${this.status}): ${this.detail}${excerpt}`
  }
}

/**
 * The token endpoint answered 429 Too Many Requests; `retryAfter` is its `Retry-After`, when sent.
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
  /** @since 0.1.0 */
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
 * How long the server asked to wait before the next attempt, when it said so.
 *
 * @since 0.1.0
 * @category getters
 */
export const retryAfter = (error: TokenError): Option.Option<Duration.Duration> =>
  error._tag === "RateLimitedError" ? error.retryAfter : Option.none()
