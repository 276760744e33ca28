/**
 * What every provider package exposes: the current token, compare-and-invalidate, and an
 * authenticated `HttpClient` for the provider's API, built from a token cache. Provider packages
 * wrap it in their own `Context.Tag` so several providers live in one application.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import type { AccessToken } from "./AccessToken.js"
import * as AuthenticatedClient from "./AuthenticatedClient.js"
import type * as CredentialScheme from "./CredentialScheme.js"
import * as Grant from "./Grant.js"
import { checkUrl, display } from "./internal/urlPolicy.js"
import * as RateLimit from "./RateLimit.js"
import * as TokenCache from "./TokenCache.js"
import * as TokenEndpoint from "./TokenEndpoint.js"
import type { TokenError } from "./TokenError.js"
import { TokenRequestError } from "./TokenError.js"
import type { Credential, TokenStoreError } from "./TokenStore.js"

/**
 * Errors of {@link ProviderAuth.token}: the grant's error `E` or the cache's own.
 *
 * @example
 * ```ts
 * import type { ProviderAuth } from "@auth-pipeline/core"
 *
 * const loginRequired = (error: ProviderAuth.AuthError): boolean => error._tag === "ReauthenticationRequired"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type AuthError<E = TokenError> = TokenCache.TokenCacheError<E>

/**
 * Errors of a request through {@link ProviderAuth.client}.
 *
 * @example
 * ```ts
 * import type { ProviderAuth } from "@auth-pipeline/core"
 *
 * const retryable = (error: ProviderAuth.ClientError): boolean =>
 *   error._tag === "RateLimited" || (error._tag === "RequestError" && error.reason === "Transport")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ClientError<E = TokenError> =
  | HttpClientError.HttpClientError
  | AuthError<E>
  | AuthenticatedClient.Unauthorized
  | AuthenticatedClient.DisallowedUrl
  | RateLimit.RateLimited

/**
 * A provider's authentication as one value: the cached token and an `HttpClient` that carries it.
 *
 * @example
 * ```ts
 * import type { ProviderAuth } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const listMethods = (provider: ProviderAuth.ProviderAuth) =>
 *   Effect.flatMap(provider.client.get("/checkout-project/integration/v1/methods"), (response) => response.json)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ProviderAuth<E = TokenError> {
  /** The provider's name (spans, metrics). */
  readonly name: string
  /** A usable token (cached, refreshed ahead of expiry). */
  readonly token: Effect.Effect<AccessToken, AuthError<E>>
  /** Drops `token` if it is still the current one. */
  readonly invalidate: (token: AccessToken) => Effect.Effect<boolean, TokenStoreError>
  /**
   * An `HttpClient` whose requests carry the credential and recover once from a 401; relative
   * URLs are resolved against the provider's API base URL, absolute ones are used as they are.
   * Only the base URL's origin and `allowedOrigins` get the credential: a request to any other
   * origin (or without https, unless on loopback) fails with `DisallowedUrl` and no token is
   * fetched for it.
   */
  readonly client: HttpClient.HttpClient.With<ClientError<E>>
  /** The underlying cache. */
  readonly cache: TokenCache.TokenCache<E>
}

/**
 * Options of the authenticated client part of a provider.
 *
 * @example
 * ```ts
 * import { CredentialScheme, type ProviderAuth } from "@auth-pipeline/core"
 *
 * const options: ProviderAuth.ClientOptions = {
 *   baseUrl: "https://api.example.com/v1",
 *   scheme: CredentialScheme.raw,
 *   rateLimit: { retryOnce: true }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  /**
   * The API base URL that relative request URLs are resolved against; its origin gets the
   * credential. https, or http on a loopback host.
   */
  readonly baseUrl?: string | undefined
  /**
   * Further origins the credential may be sent to (e.g. `https://files.example.com`). Without
   * `baseUrl` these are the only ones; with neither, every request is refused.
   */
  readonly allowedOrigins?: ReadonlyArray<string> | undefined
  /** How the token is put on requests. Default Bearer. */
  readonly scheme?: CredentialScheme.CredentialScheme | undefined
  /** Also treat a 400/403 with `"error": "invalid_token"` in its JSON body as a rejection. */
  readonly invalidTokenInBody?: boolean | undefined
  /** Turn 429s into `RateLimited`, optionally waiting and re-sending once. Off by default. */
  readonly rateLimit?: RateLimit.Options | undefined
  /**
   * `false` drops the platform client's span of each API request (its attributes, header
   * redaction and trace propagation cost CPU on every request) while the library's token spans
   * stay. Worth it where nothing exports spans; see `docs/observability.md`. Default `true`.
   */
  readonly requestSpans?: boolean | undefined
}

/**
 * What every provider package's `layer` options share: a `name` that tells two accounts of one
 * provider apart in spans and metrics, and {@link ClientOptions.requestSpans}.
 *
 * @example
 * ```ts
 * import type { ProviderAuth } from "@auth-pipeline/core"
 *
 * // A second Paysera account, told apart from the first in every metric and span.
 * const options: ProviderAuth.CommonOptions = { name: "paysera-eu", requestSpans: false }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CommonOptions {
  /** The name of the provider's token cache, its spans and its metrics. Default: the provider's. */
  readonly name?: string | undefined
  /** {@link ClientOptions.requestSpans}. Default `true`. */
  readonly requestSpans?: boolean | undefined
}

/**
 * Builds a {@link ProviderAuth} over an existing cache and the given base client.
 *
 * @example
 * ```ts
 * import { AccessToken, ProviderAuth, TokenCache } from "@auth-pipeline/core"
 * import { FetchHttpClient, HttpClient } from "@effect/platform"
 * import { Effect, Redacted } from "effect"
 *
 * // a token obtained elsewhere (e.g. a login), kept in a cache without `acquire`
 * const program = Effect.gen(function*() {
 *   const cache = yield* TokenCache.make({ name: "my-api" })
 *   yield* cache.set(AccessToken.make({ value: Redacted.make("at-1"), issuedAt: Date.now() }))
 *   const auth = ProviderAuth.fromCache(cache, yield* HttpClient.HttpClient, { baseUrl: "https://api.example.com" })
 *   return yield* auth.client.get("/me")
 * }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromCache = <E>(
  cache: TokenCache.TokenCache<E>,
  base: HttpClient.HttpClient,
  options: ClientOptions = {}
): ProviderAuth<E> => {
  const inner = options.requestSpans === false ? HttpClient.withTracerDisabledWhen(base, () => true) : base
  const authenticated = AuthenticatedClient.make(inner, cache, {
    scheme: options.scheme,
    invalidTokenInBody: options.invalidTokenInBody,
    baseUrl: options.baseUrl,
    // a provider always names where its credential goes: no base URL and no origins → none
    allowedOrigins: options.allowedOrigins ?? []
  })
  const limited: HttpClient.HttpClient.With<ClientError<E>> = options.rateLimit === undefined
    ? authenticated
    : RateLimit.make(authenticated, { name: cache.name, ...options.rateLimit })
  // Resolve relative URLs first, so every layer below (and its errors) sees the full URL.
  const client = options.baseUrl === undefined
    ? limited
    : HttpClient.mapRequest(limited, AuthenticatedClient.resolveUrl(options.baseUrl))
  return { name: cache.name, token: cache.get, invalidate: cache.invalidate, client, cache }
}

const problems = {
  NotAUrl: "not a valid absolute URL",
  UserInfo: "user info in the URL is not allowed",
  Insecure: "must use https (plain http only on loopback hosts)"
} as const

/** The API base URL and allowed origins get the token endpoint's rule, before any token is fetched. */
const validateDestinations = (options: ClientOptions): Effect.Effect<void, TokenRequestError> =>
  Effect.forEach(
    [...(options.baseUrl === undefined ? [] : [options.baseUrl]), ...(options.allowedOrigins ?? [])],
    (url) =>
      Either.match(checkUrl(url), {
        onLeft: (problem) =>
          Effect.fail(
            new TokenRequestError({
              reason: "InvalidUrl",
              url: display(url),
              detail: `the API base URL or allowed origin ${problems[problem]}; no token is fetched for it`
            })
          ),
        onRight: () => Effect.void
      }),
    { discard: true }
  )

/**
 * Options of a client-credentials provider.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, type ProviderAuth, TokenEndpoint } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const options: ProviderAuth.ClientCredentialsOptions = {
 *   name: "example",
 *   endpoint: TokenEndpoint.make({
 *     url: "https://auth.example.com/oauth2/token",
 *     clientAuthentication: ClientAuthentication.clientSecretPost("my-client", Redacted.make("s3cret"))
 *   }),
 *   request: { scope: ["payments"] },
 *   baseUrl: "https://api.example.com",
 *   cache: { policy: { buffer: "300 seconds" } }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientCredentialsOptions extends ClientOptions {
  /** The provider's name: the cache's name in spans, metrics and errors. */
  readonly name: string
  /** The token endpoint; its URL is validated before anything is sent. */
  readonly endpoint: TokenEndpoint.TokenEndpoint
  /** scope, audience, resource, ... sent with each token request. */
  readonly request?: Grant.RequestOptions | undefined
  /** Cache behaviour: refresh policy, background refresh, retries, budget, store. */
  readonly cache?: Omit<TokenCache.Options<TokenError, never>, "acquire" | "refresh" | "name"> | undefined
}

/**
 * What identifies the credential of a token request (no secret): the token URL, the client id,
 * the grant, the scopes (sorted) and every other parameter (sorted), as a shared `TokenStore`
 * keys its token. Empty scopes and parameters are left out, as in the token request.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, ProviderAuth, TokenEndpoint } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const endpoint = TokenEndpoint.make({
 *   url: "https://auth.example.com/oauth2/token",
 *   clientAuthentication: ClientAuthentication.clientSecretPost("my-client", Redacted.make("s3cret"))
 * })
 * const credential = ProviderAuth.credential(endpoint, "client_credentials", {
 *   scope: ["write", "read"],
 *   audience: "https://api.example.com"
 * })
 * assert.deepStrictEqual(credential.scopes, ["read", "write"]) // the same credential in any order
 * assert.deepStrictEqual(credential.params, [["audience", "https://api.example.com"]])
 * assert.strictEqual(JSON.stringify(credential).includes("s3cret"), false)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const credential = (
  endpoint: TokenEndpoint.TokenEndpoint,
  grant: string,
  request?: Grant.RequestOptions | undefined
): Credential => {
  const params: Array<readonly [string, string]> = []
  if (request?.audience !== undefined && request.audience.length > 0) params.push(["audience", request.audience])
  const resources = request?.resource === undefined
    ? []
    : typeof request.resource === "string"
    ? [request.resource]
    : request.resource
  for (const r of resources) if (r.length > 0) params.push(["resource", r])
  for (const [k, v] of Object.entries(request?.extra ?? {})) if (v.length > 0) params.push([k, v])
  return {
    tokenUrl: endpoint.url,
    clientId: endpoint.clientAuthentication.clientId,
    grant,
    scopes: (request?.scope ?? []).filter((s) => s.length > 0).slice().sort(),
    params: params.sort(([a, x], [b, y]) => a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0)
  }
}

/**
 * A provider that authenticates with the client_credentials grant: a token cache over
 * `Grant.clientCredentials` and an authenticated client, sharing the `HttpClient` in context.
 * Fails at once with `TokenRequestError` (`InvalidUrl`) if the token URL, the API base URL or an
 * allowed origin is not https (or http on a loopback host), before any token is fetched.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, ProviderAuth, TokenEndpoint } from "@auth-pipeline/core"
 * import { InMemory, Paysera } from "@auth-pipeline/sandbox"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * // the Paysera emulator in memory stands in for the real provider
 * const sandbox = Layer.unwrapEffect(Effect.map(Paysera.make(), InMemory.layer))
 * const program = Effect.gen(function*() {
 *   const auth = yield* ProviderAuth.clientCredentials({
 *     name: "paysera",
 *     endpoint: TokenEndpoint.make({
 *       url: `https://api.paysera.com${Paysera.tokenPath}`,
 *       clientAuthentication: ClientAuthentication.clientSecretPost("sandbox-client", Redacted.make("sandbox-secret"))
 *     }),
 *     baseUrl: "https://api.paysera.com"
 *   })
 *   const response = yield* auth.client.get(Paysera.resourcePath)
 *   assert.strictEqual(response.status, 200)
 * }).pipe(Effect.scoped, Effect.provide(sandbox))
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const clientCredentials = (
  options: ClientCredentialsOptions
): Effect.Effect<ProviderAuth, TokenRequestError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    yield* TokenEndpoint.validateUrl(options.endpoint.url)
    yield* validateDestinations(options)
    const base = yield* HttpClient.HttpClient
    const cache = yield* TokenCache.make({
      credential: credential(options.endpoint, "client_credentials", options.request),
      ...options.cache,
      name: options.name,
      acquire: Grant.clientCredentials(options.endpoint, options.request).pipe(
        Effect.provideService(HttpClient.HttpClient, base)
      )
    })
    return fromCache(cache, base, options)
  })
