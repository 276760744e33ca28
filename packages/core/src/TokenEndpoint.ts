/**
 * Where and how token requests are sent: the URL, the client authentication method, the body
 * encoding and a timeout. Providers are mostly a `TokenEndpoint` as data.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import type { ClientAuthentication } from "./ClientAuthentication.js"
import { isLoopbackHost } from "./internal/urlPolicy.js"
import { TokenRequestError } from "./TokenError.js"

/**
 * The request body format: `form` is `application/x-www-form-urlencoded` (RFC 6749), `json` is an
 * `application/json` object of the same parameters (Autopay).
 *
 * @since 0.1.0
 * @category models
 */
export type BodyEncoding = "form" | "json"

/**
 * @since 0.1.0
 * @category models
 */
export interface TokenEndpoint {
  /** The token endpoint URL: https, or http on a loopback host. */
  readonly url: string
  readonly clientAuthentication: ClientAuthentication
  readonly bodyEncoding: BodyEncoding
  /** Extra headers sent with every token request. */
  readonly headers: Readonly<Record<string, string>>
  /** How long one token request may take, body included. */
  readonly timeout: Duration.Duration
  /** The largest response body read, in bytes; a larger one is a `TokenResponseError` (`TooLarge`). */
  readonly maxResponseBytes: number
}

/**
 * The default timeout of a token request.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(30)

/**
 * The largest response body read from a token, revocation, discovery or JWKS endpoint unless
 * configured otherwise: 1 MiB. The body is read as a stream and reading stops at the cap.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultMaxResponseBytes: number = 1024 * 1024

/**
 * Builds a {@link TokenEndpoint}: form encoding, no extra headers, a 30 s timeout and a 1 MiB
 * response cap unless set.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly url: string | URL
  readonly clientAuthentication: ClientAuthentication
  readonly bodyEncoding?: BodyEncoding | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly maxResponseBytes?: number | undefined
}): TokenEndpoint => ({
  url: options.url.toString(),
  clientAuthentication: options.clientAuthentication,
  bodyEncoding: options.bodyEncoding ?? "form",
  headers: options.headers ?? {},
  timeout: options.timeout === undefined ? defaultTimeout : Duration.decode(options.timeout),
  maxResponseBytes: options.maxResponseBytes ?? defaultMaxResponseBytes
})

/**
 * Checks that a URL may carry credentials: `https:`, or `http:` on a loopback host (127.0.0.0/8,
 * `[::1]`, `localhost`) for tests and sandboxes. Anything else is a `TokenRequestError` with
 * reason `InvalidUrl`.
 *
 * @since 0.1.0
 * @category validation
 */
export const validateUrl = (url: string): Either.Either<URL, TokenRequestError> => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Either.left(new TokenRequestError({ reason: "InvalidUrl", url, detail: "not a valid URL" }))
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return Either.left(
      new TokenRequestError({
        reason: "InvalidUrl",
        url: `${parsed.protocol}//${parsed.host}${parsed.pathname}`,
        detail: "credentials in the URL are not allowed"
      })
    )
  }
  if (parsed.protocol === "https:" || (parsed.protocol === "http:" && isLoopbackHost(parsed.hostname))) {
    return Either.right(parsed)
  }
  return Either.left(
    new TokenRequestError({
      reason: "InvalidUrl",
      url,
      detail: "token endpoints must use https (plain http is allowed only on loopback hosts)"
    })
  )
}
