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
 * @example
 * ```ts
 * import { ClientAuthentication, TokenEndpoint } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const bodyEncoding: TokenEndpoint.BodyEncoding = "json"
 * const endpoint = TokenEndpoint.make({
 *   url: "https://api.example.com/oauth/token",
 *   clientAuthentication: ClientAuthentication.clientSecretPost("my-client", Redacted.make("s3cret")),
 *   bodyEncoding
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type BodyEncoding = "form" | "json"

/**
 * Where and how token requests go; build one with {@link make}. A provider is mostly one of these as data.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, TokenEndpoint } from "@auth-pipeline/core"
 * import { Duration, Redacted } from "effect"
 *
 * const endpoint: TokenEndpoint.TokenEndpoint = {
 *   url: "https://auth.example.com/oauth2/token",
 *   clientAuthentication: ClientAuthentication.clientSecretBasic("my-client", Redacted.make("s3cret")),
 *   bodyEncoding: "form",
 *   headers: { "user-agent": "my-app/1.0" },
 *   timeout: Duration.seconds(10),
 *   tokenTypes: TokenEndpoint.defaultTokenTypes,
 *   maxResponseBytes: TokenEndpoint.defaultMaxResponseBytes
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenEndpoint {
  /** The token endpoint URL: https, or http on a loopback host. */
  readonly url: string
  /** How the client proves its identity: Basic header, body parameters, or `client_id` only. */
  readonly clientAuthentication: ClientAuthentication
  /** `form` (RFC 6749) or `json` for the request body; the response is always read as JSON. */
  readonly bodyEncoding: BodyEncoding
  /** Extra headers sent with every token request. */
  readonly headers: Readonly<Record<string, string>>
  /** How long one token request may take, body included. */
  readonly timeout: Duration.Duration
  /**
   * The `token_type` values this client understands (RFC 6749 §7.1), compared case-insensitively;
   * a token response of any other type fails with a `TokenResponseError` (`UnsupportedTokenType`)
   * instead of being used. Default {@link defaultTokenTypes}: `Bearer`, which is what the
   * `CredentialScheme`s `bearer` and `raw` send. Opt in to another type (e.g. a provider that
   * answers `N_A` for a token used as a bearer token) only when you know how it is used.
   */
  readonly tokenTypes: ReadonlyArray<string>
  /** The largest response body read, in bytes; a larger one is a `TokenResponseError` (`TooLarge`). */
  readonly maxResponseBytes: number
}

/**
 * The default timeout of a token request.
 *
 * @example
 * ```ts
 * import { TokenEndpoint } from "@auth-pipeline/core"
 * import { Duration } from "effect"
 *
 * assert.ok(Duration.equals(TokenEndpoint.defaultTimeout, Duration.seconds(30)))
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(30)

/**
/**
 * The token types accepted by default: `Bearer` (RFC 6750), in any case.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, TokenEndpoint } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * // A server that answers `token_type: "N_A"` for what is in fact a bearer token.
 * const endpoint = TokenEndpoint.make({
 *   url: "https://auth.example.com/token",
 *   clientAuthentication: ClientAuthentication.clientSecretPost("id", Redacted.make("secret")),
 *   tokenTypes: [...TokenEndpoint.defaultTokenTypes, "N_A"]
 * })
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultTokenTypes: ReadonlyArray<string> = ["Bearer"]

/**
 * The largest response body read from a token, revocation, discovery or JWKS endpoint unless
 * configured otherwise: 1 MiB. The body is read as a stream and reading stops at the cap.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, TokenEndpoint } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const endpoint = TokenEndpoint.make({
 *   url: "https://auth.example.com/token",
 *   clientAuthentication: ClientAuthentication.clientSecretPost("id", Redacted.make("secret")),
 *   maxResponseBytes: TokenEndpoint.defaultMaxResponseBytes / 4 // 256 KiB
 * })
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultMaxResponseBytes: number = 1024 * 1024

/**
 * Builds a {@link TokenEndpoint}: form encoding, no extra headers, a 30 s timeout, `Bearer`
 * tokens only and a 1 MiB response cap unless set.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, TokenEndpoint } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const endpoint = TokenEndpoint.make({
 *   url: "https://auth.example.com/oauth2/token",
 *   clientAuthentication: ClientAuthentication.clientSecretBasic("my-client", Redacted.make("s3cret")),
 *   timeout: "10 seconds"
 * })
 * assert.strictEqual(endpoint.bodyEncoding, "form")
 * ```
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
  readonly tokenTypes?: ReadonlyArray<string> | undefined
  readonly maxResponseBytes?: number | undefined
}): TokenEndpoint => ({
  url: options.url.toString(),
  clientAuthentication: options.clientAuthentication,
  bodyEncoding: options.bodyEncoding ?? "form",
  headers: options.headers ?? {},
  timeout: options.timeout === undefined ? defaultTimeout : Duration.decode(options.timeout),
  tokenTypes: options.tokenTypes ?? defaultTokenTypes,
  maxResponseBytes: options.maxResponseBytes ?? defaultMaxResponseBytes
})

/**
 * Checks that a URL may carry credentials: `https:`, or `http:` on a loopback host (127.0.0.0/8,
 * `[::1]`, `localhost`) for tests and sandboxes. Anything else is a `TokenRequestError` with
 * reason `InvalidUrl`.
 *
 * @example
 * ```ts
 * import { TokenEndpoint } from "@auth-pipeline/core"
 * import { Either } from "effect"
 *
 * assert.ok(Either.isRight(TokenEndpoint.validateUrl("https://auth.example.com/token")))
 * assert.ok(Either.isRight(TokenEndpoint.validateUrl("http://127.0.0.1:8080/token")))
 * assert.ok(Either.isLeft(TokenEndpoint.validateUrl("http://auth.example.com/token")))
 * ```
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
