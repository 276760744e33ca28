/**
 * OAuth 2.0 grants as Effects over `HttpClient`: each sends one token request to a
 * {@link TokenEndpoint} and yields a validated {@link AccessToken} or a typed {@link TokenError}.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type { AccessToken } from "./AccessToken.js"
import { type Param, requestToken } from "./internal/tokenRequest.js"
import type { TokenEndpoint } from "./TokenEndpoint.js"
import type { TokenError } from "./TokenError.js"

/**
 * Optional parameters of a token request. Each is sent only when set and non-empty: never an
 * empty `scope=`.
 *
 * @example
 * ```ts
 * import { Grant } from "@auth-pipeline/core"
 *
 * const options: Grant.RequestOptions = {
 *   scope: ["payments:read", "payments:write"],
 *   resource: "https://api.example.com/",
 *   extra: { tenant: "acme" }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions {
  /** Scopes, sent space-separated as `scope`. */
  readonly scope?: ReadonlyArray<string> | undefined
  /** `audience` (Auth0-style servers such as Autopay's). */
  readonly audience?: string | undefined
  /** RFC 8707 resource indicators, one `resource` parameter each. */
  readonly resource?: string | ReadonlyArray<string> | undefined
  /** Any other parameters, sent as given (empty values are left out). */
  readonly extra?: Readonly<Record<string, string>> | undefined
}

const optionalParams = (options: RequestOptions | undefined): Array<Param> => {
  if (options === undefined) return []
  const params: Array<Param> = []
  const scopes = (options.scope ?? []).filter((s) => s.length > 0)
  if (scopes.length > 0) params.push(["scope", scopes.join(" ")])
  if (options.audience !== undefined && options.audience.length > 0) params.push(["audience", options.audience])
  const resources = options.resource === undefined
    ? []
    : typeof options.resource === "string"
    ? [options.resource]
    : options.resource
  for (const r of resources) if (r.length > 0) params.push(["resource", r])
  for (const [k, v] of Object.entries(options.extra ?? {})) if (v.length > 0) params.push([k, v])
  return params
}

const scopesOf = (options: RequestOptions | undefined): ReadonlyArray<string> =>
  (options?.scope ?? []).filter((s) => s.length > 0)

/**
 * The `client_credentials` grant (RFC 6749 §4.4).
 *
 * @example
 * ```ts
 * import { ClientAuthentication, Grant, TokenEndpoint } from "@auth-pipeline/core"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Redacted } from "effect"
 *
 * const endpoint = TokenEndpoint.make({
 *   url: "https://auth.example.com/oauth2/token",
 *   clientAuthentication: ClientAuthentication.clientSecretBasic("my-client", Redacted.make("s3cret"))
 * })
 *
 * const program = Effect.gen(function*() {
 *   const token = yield* Grant.clientCredentials(endpoint, { scope: ["payments:read"] })
 *   return token.expiresAt
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category grants
 */
export const clientCredentials = (
  endpoint: TokenEndpoint,
  options?: RequestOptions
): Effect.Effect<AccessToken, TokenError, HttpClient.HttpClient> =>
  requestToken(endpoint, {
    grantType: "client_credentials",
    params: optionalParams(options),
    requestedScopes: scopesOf(options),
    previousRefreshToken: Option.none()
  })

/**
 * The `refresh_token` grant (RFC 6749 §6). When the response carries no new refresh token, the
 * one used is kept on the new token; a rotated one replaces it.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, Grant, TokenEndpoint } from "@auth-pipeline/core"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Redacted } from "effect"
 *
 * const endpoint = TokenEndpoint.make({
 *   url: "https://auth.example.com/oauth2/token",
 *   clientAuthentication: ClientAuthentication.clientSecretBasic("my-client", Redacted.make("s3cret"))
 * })
 *
 * const refresh = (stored: Redacted.Redacted<string>) =>
 *   Grant.refreshToken(endpoint, stored).pipe(
 *     Effect.map((token) => token.refreshToken), // the rotated one, or `stored` when none was sent
 *     Effect.provide(FetchHttpClient.layer)
 *   )
 * ```
 *
 * @since 0.1.0
 * @category grants
 */
export const refreshToken = (
  endpoint: TokenEndpoint,
  refreshToken: Redacted.Redacted<string>,
  options?: RequestOptions
): Effect.Effect<AccessToken, TokenError, HttpClient.HttpClient> =>
  requestToken(endpoint, {
    grantType: "refresh_token",
    params: [["refresh_token", refreshToken], ...optionalParams(options)],
    requestedScopes: scopesOf(options),
    previousRefreshToken: Option.some(refreshToken)
  })

/**
 * The `authorization_code` grant (RFC 6749 §4.1.3), with the PKCE `code_verifier` (RFC 7636 §4.5)
 * when one was used.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, Grant, TokenEndpoint } from "@auth-pipeline/core"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Redacted } from "effect"
 *
 * const endpoint = TokenEndpoint.make({
 *   url: "https://auth.example.com/oauth2/token",
 *   clientAuthentication: ClientAuthentication.none("my-public-app")
 * })
 * // `code` from the validated callback, `codeVerifier` from the authorization request
 * const exchange = (code: Redacted.Redacted<string>, codeVerifier: Redacted.Redacted<string>) =>
 *   Grant.authorizationCode(endpoint, { code, redirectUri: "http://127.0.0.1:8400/callback", codeVerifier }).pipe(
 *     Effect.provide(FetchHttpClient.layer)
 *   )
 * ```
 *
 * @since 0.1.0
 * @category grants
 */
export const authorizationCode = (
  endpoint: TokenEndpoint,
  params: {
    readonly code: Redacted.Redacted<string>
    readonly redirectUri: string
    readonly codeVerifier?: Redacted.Redacted<string> | undefined
  },
  options?: RequestOptions
): Effect.Effect<AccessToken, TokenError, HttpClient.HttpClient> =>
  requestToken(endpoint, {
    grantType: "authorization_code",
    params: [
      ["code", params.code],
      ["redirect_uri", params.redirectUri],
      ...(params.codeVerifier === undefined ? [] : [["code_verifier", params.codeVerifier] as const]),
      ...optionalParams(options)
    ],
    requestedScopes: scopesOf(options),
    previousRefreshToken: Option.none()
  })

/**
 * Any grant by its `grant_type`, for extension grants (e.g. JWT bearer, token exchange). Secret
 * parameters should be passed as `Redacted` so they are scrubbed from anything reported.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, Grant, TokenEndpoint } from "@auth-pipeline/core"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Redacted } from "effect"
 *
 * const endpoint = TokenEndpoint.make({
 *   url: "https://auth.example.com/oauth2/token",
 *   clientAuthentication: ClientAuthentication.clientSecretBasic("my-client", Redacted.make("s3cret"))
 * })
 *
 * const grantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"
 * const exchange = (assertion: Redacted.Redacted<string>) => // a signed JWT
 *   Grant.custom(endpoint, grantType, [["assertion", assertion]]).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category grants
 */
export const custom = (
  endpoint: TokenEndpoint,
  grantType: string,
  params: ReadonlyArray<readonly [string, string | Redacted.Redacted<string>]>,
  options?: RequestOptions
): Effect.Effect<AccessToken, TokenError, HttpClient.HttpClient> =>
  requestToken(endpoint, {
    grantType,
    params: [...params, ...optionalParams(options)],
    requestedScopes: scopesOf(options),
    previousRefreshToken: Option.none()
  })
