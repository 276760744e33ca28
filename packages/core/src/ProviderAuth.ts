/**
 * What every provider package exposes: the current token, compare-and-invalidate, and an
 * authenticated `HttpClient` for the provider's API, built from a token cache. Provider packages
 * wrap it in their own `Context.Tag` so several providers live in one application.
 *
 * @since 0.1.0
 */
import type { HttpClientError } from "@effect/platform"
import * as HttpClient from "@effect/platform/HttpClient"
import type { Scope } from "effect"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
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
import type { TokenStoreError } from "./TokenStore.js"

/**
 * @since 0.1.0
 * @category models
 */
export type AuthError<E = TokenError> = TokenCache.TokenCacheError<E>

/**
 * Errors of a request through {@link ProviderAuth.client}.
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
}

/**
 * Builds a {@link ProviderAuth} over an existing cache and the given base client.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromCache = <E>(
  cache: TokenCache.TokenCache<E>,
  base: HttpClient.HttpClient,
  options: ClientOptions = {}
): ProviderAuth<E> => {
  const authenticated = AuthenticatedClient.make(base, cache, {
    scheme: options.scheme,
    invalidTokenInBody: options.invalidTokenInBody,
    baseUrl: options.baseUrl,
    // a provider always names where its credential goes: no base URL and no origins → none
    allowedOrigins: options.allowedOrigins ?? []
  })
  const limited: HttpClient.HttpClient.With<ClientError<E>> = options.rateLimit === undefined
    ? authenticated
    : RateLimit.make(authenticated, options.rateLimit)
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
 * @since 0.1.0
 * @category models
 */
export interface ClientCredentialsOptions extends ClientOptions {
  readonly name: string
  readonly endpoint: TokenEndpoint.TokenEndpoint
  /** scope, audience, resource, ... sent with each token request. */
  readonly request?: Grant.RequestOptions | undefined
  /** Cache behaviour: refresh policy, background refresh, retries, budget, store. */
  readonly cache?: Omit<TokenCache.Options<TokenError, never>, "acquire" | "refresh" | "name"> | undefined
}

/**
 * A provider that authenticates with the client_credentials grant: a token cache over
 * `Grant.clientCredentials` and an authenticated client, sharing the `HttpClient` in context.
 * Fails at once with `TokenRequestError` (`InvalidUrl`) if the token URL, the API base URL or an
 * allowed origin is not https (or http on a loopback host), before any token is fetched.
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
      ...options.cache,
      name: options.name,
      acquire: Grant.clientCredentials(options.endpoint, options.request).pipe(
        Effect.provideService(HttpClient.HttpClient, base)
      )
    })
    return fromCache(cache, base, options)
  })
