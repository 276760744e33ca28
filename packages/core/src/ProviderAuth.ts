/**
 * What every provider package exposes: the current token, compare-and-invalidate, and an
 * authenticated `HttpClient` for the provider's API, built from a token cache. Provider packages
 * wrap it in their own `Context.Tag` so several providers live in one application.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { AccessToken } from "./AccessToken.js"
import * as AuthenticatedClient from "./AuthenticatedClient.js"
import type * as CredentialScheme from "./CredentialScheme.js"
import * as Grant from "./Grant.js"
import * as RateLimit from "./RateLimit.js"
import * as TokenCache from "./TokenCache.js"
import * as TokenEndpoint from "./TokenEndpoint.js"
import type { TokenError, TokenRequestError } from "./TokenError.js"
import type { Credential, TokenStoreError } from "./TokenStore.js"

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
   * URLs are resolved against the provider's API base URL.
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
  /** The API base URL that relative request URLs are resolved against. */
  readonly baseUrl?: string | undefined
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
    invalidTokenInBody: options.invalidTokenInBody
  })
  const limited: HttpClient.HttpClient.With<ClientError<E>> = options.rateLimit === undefined
    ? authenticated
    : RateLimit.make(authenticated, options.rateLimit)
  // Resolve relative URLs first, so every layer below (and its errors) sees the full URL.
  const client = options.baseUrl === undefined
    ? limited
    : HttpClient.mapRequest(limited, HttpClientRequest.prependUrl(options.baseUrl.replace(/\/+$/, "")))
  return { name: cache.name, token: cache.get, invalidate: cache.invalidate, client, cache }
}

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
 * What identifies the credential of a token request (no secret): the token URL, the client id,
 * the grant, the scopes (sorted) and every other parameter (sorted), as a shared `TokenStore`
 * keys its token.
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
 * Fails at once with `TokenRequestError` (`InvalidUrl`) if the token URL is not allowed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const clientCredentials = (
  options: ClientCredentialsOptions
): Effect.Effect<ProviderAuth, TokenRequestError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    yield* TokenEndpoint.validateUrl(options.endpoint.url)
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
