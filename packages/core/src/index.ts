/**
 * `@auth-pipeline/core`: token requests, caching, refresh and authenticated HttpClient middleware.
 * Provider packages (`@auth-pipeline/paysera`, ...) are these modules configured with a provider's
 * endpoints and quirks; the same pieces serve any OAuth 2.0 or OpenID Connect provider.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, ProviderAuth, TokenEndpoint } from "@auth-pipeline/core"
 * import { InMemory, Paysera } from "@auth-pipeline/sandbox"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * // any client-credentials provider; here the Paysera emulator stands in (for real: FetchHttpClient.layer)
 * const sandbox = Layer.unwrapEffect(Effect.map(Paysera.make(), InMemory.layer))
 * const program = Effect.gen(function*() {
 *   const provider = yield* ProviderAuth.clientCredentials({
 *     name: "paysera",
 *     endpoint: TokenEndpoint.make({
 *       url: `https://api.paysera.com${Paysera.tokenPath}`,
 *       clientAuthentication: ClientAuthentication.clientSecretPost("sandbox-client", Redacted.make("sandbox-secret"))
 *     }),
 *     baseUrl: "https://api.paysera.com",
 *     cache: { policy: { buffer: "300 seconds" } }
 *   })
 *   const response = yield* provider.client.get(Paysera.resourcePath) // token fetched, cached, sent
 *   assert.strictEqual(response.status, 200)
 * }).pipe(Effect.scoped, Effect.provide(sandbox))
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 */

/**
 * The token a grant yields, its secrets `Redacted`.
 *
 * @example
 * ```ts
 * import { AccessToken } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: Date.now() })
 * ```
 *
 * @since 0.1.0
 */
export * as AccessToken from "./AccessToken.js"

/**
 * How a client proves its identity to the token endpoint (`client_secret_basic`, `client_secret_post`,
 * `none`).
 *
 * @example
 * ```ts
 * import { ClientAuthentication } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const auth = ClientAuthentication.clientSecretBasic("my-client", Redacted.make("s3cret"))
 * ```
 *
 * @since 0.1.0
 */
export * as ClientAuthentication from "./ClientAuthentication.js"

/**
 * OAuth 2.0 grants: one token request each, answered with an `AccessToken` or a typed `TokenError`.
 *
 * @example
 * ```ts
 * import { Grant, type TokenEndpoint } from "@auth-pipeline/core"
 *
 * const fetchToken = (endpoint: TokenEndpoint.TokenEndpoint) => Grant.clientCredentials(endpoint, { scope: ["read"] })
 * ```
 *
 * @since 0.1.0
 */
export * as Grant from "./Grant.js"

/**
 * Where and how token requests are sent: URL, client authentication, body encoding, timeout.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, TokenEndpoint } from "@auth-pipeline/core"
 *
 * const endpoint = TokenEndpoint.make({
 *   url: "https://auth.example.com/oauth2/token",
 *   clientAuthentication: ClientAuthentication.none("my-public-app")
 * })
 * ```
 *
 * @since 0.1.0
 */
export * as TokenEndpoint from "./TokenEndpoint.js"

/**
 * The typed failures of a token request, none holding a secret.
 *
 * @example
 * ```ts
 * import { TokenError } from "@auth-pipeline/core"
 *
 * const retryable = (error: TokenError.TokenError) => TokenError.isTransient(error)
 * ```
 *
 * @since 0.1.0
 */
export * as TokenError from "./TokenError.js"

/**
 * Wire schemas of the token endpoint's answers (RFC 6749 §5.1 and §5.2).
 *
 * @example
 * ```ts
 * import { TokenResponse } from "@auth-pipeline/core"
 * import { Schema } from "effect"
 *
 * const decode = Schema.decodeUnknown(TokenResponse.TokenResponse)
 * ```
 *
 * @since 0.1.0
 */
export * as TokenResponse from "./TokenResponse.js"

/**
 * `HttpClient` middleware: the credential on every request, one re-send with a new token after a 401.
 *
 * @example
 * ```ts
 * import { AuthenticatedClient, type TokenCache } from "@auth-pipeline/core"
 * import type { HttpClient } from "@effect/platform"
 *
 * const authenticated = (client: HttpClient.HttpClient, cache: TokenCache.TokenCache<never>) =>
 *   AuthenticatedClient.make(client, cache)
 * ```
 *
 * @since 0.1.0
 */
export * as AuthenticatedClient from "./AuthenticatedClient.js"

/**
 * How a credential goes on a request: `Bearer`, raw `Authorization`, or a header of the API's choosing.
 *
 * @example
 * ```ts
 * import { CredentialScheme } from "@auth-pipeline/core"
 *
 * const scheme = CredentialScheme.header("X-Api-Key")
 * ```
 *
 * @since 0.1.0
 */
export * as CredentialScheme from "./CredentialScheme.js"

/**
 * The `Metric`s token caches and authenticated clients report, tagged with the cache's name.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Metric } from "effect"
 *
 * const hits = Metric.value(Metric.tagged(Metrics.cacheHits, "cache", "paysera"))
 * ```
 *
 * @since 0.1.0
 */
export * as Metrics from "./Metrics.js"

/**
 * When a cached token stops being served and when it is refreshed ahead of time.
 *
 * @example
 * ```ts
 * import { RefreshPolicy } from "@auth-pipeline/core"
 *
 * const policy = RefreshPolicy.make({ buffer: "300 seconds" })
 * ```
 *
 * @since 0.1.0
 */
export * as RefreshPolicy from "./RefreshPolicy.js"

/**
 * The token cache: single-flight fetches, refresh margin, background refresh, compare-and-invalidate.
 *
 * @example
 * ```ts
 * import { type AccessToken, TokenCache } from "@auth-pipeline/core"
 * import type { Effect } from "effect"
 *
 * const cacheOf = (acquire: Effect.Effect<AccessToken.AccessToken>) => TokenCache.make({ name: "example", acquire })
 * ```
 *
 * @since 0.1.0
 */
export * as TokenCache from "./TokenCache.js"

/**
 * Where a token cache keeps its current token: the store seam and the in-memory default.
 *
 * @example
 * ```ts
 * import { TokenStore } from "@auth-pipeline/core"
 *
 * const store = TokenStore.inMemory()
 * ```
 *
 * @since 0.1.0
 */
export * as TokenStore from "./TokenStore.js"

/**
 * A `TokenStore` in an owner-only file, written atomically, for CLI and desktop apps.
 *
 * @example
 * ```ts
 * import { FileTokenStore } from "@auth-pipeline/core"
 *
 * const store = FileTokenStore.make({ path: "/home/ada/.config/my-cli/tokens.json" })
 * ```
 *
 * @since 0.1.0
 */
export * as FileTokenStore from "./FileTokenStore.js"

/**
 * A `TokenStore` over a string key-value store (`@effect/platform`'s `KeyValueStore`: Web
 * Storage in a browser, memory in tests).
 *
 * @example
 * ```ts
 * import { KeyValueTokenStore } from "@auth-pipeline/core"
 *
 * const make = KeyValueTokenStore.make
 * ```
 *
 * @since 0.1.0
 */
export * as KeyValueTokenStore from "./KeyValueTokenStore.js"

/**
 * What every provider package exposes: the token, compare-and-invalidate and an authenticated client.
 *
 * @example
 * ```ts
 * import type { ProviderAuth } from "@auth-pipeline/core"
 *
 * const tokenOf = (provider: ProviderAuth.ProviderAuth) => provider.token
 * ```
 *
 * @since 0.1.0
 */
export * as ProviderAuth from "./ProviderAuth.js"

/**
 * API rate limits: the `X-RateLimit-*` and `Retry-After` headers, `RateLimited`, wait-and-retry-once.
 *
 * @example
 * ```ts
 * import { RateLimit } from "@auth-pipeline/core"
 * import type { HttpClient } from "@effect/platform"
 *
 * const limited = (client: HttpClient.HttpClient) => RateLimit.make(client, { retryOnce: true })
 * ```
 *
 * @since 0.1.0
 */
export * as RateLimit from "./RateLimit.js"

/**
 * A provider's documented environment variables read with `Config`, secrets `Redacted`.
 *
 * @example
 * ```ts
 * import { ProviderConfig } from "@auth-pipeline/core"
 *
 * const fields = ProviderConfig.clientCredentials("PAYSERA", {})
 * ```
 *
 * @since 0.1.0
 */
export * as ProviderConfig from "./ProviderConfig.js"

/**
 * PKCE `S256` pairs (RFC 7636) and random `state` / `nonce` values from the CSPRNG.
 *
 * @example
 * ```ts
 * import { Pkce } from "@auth-pipeline/core"
 *
 * const pair = Pkce.make
 * ```
 *
 * @since 0.1.0
 */
export * as Pkce from "./Pkce.js"

/**
 * OpenID Connect Discovery: the provider's metadata, validated, issuer-checked and cached.
 *
 * @example
 * ```ts
 * import { OidcDiscovery } from "@auth-pipeline/core"
 *
 * const metadata = OidcDiscovery.discover("https://id.example.com")
 * ```
 *
 * @since 0.1.0
 */
export * as OidcDiscovery from "./OidcDiscovery.js"

/**
 * A provider's signing keys (JWKS), kept and refetched on key rotation at most once per cooldown.
 *
 * @example
 * ```ts
 * import { Jwks } from "@auth-pipeline/core"
 *
 * const keys = Jwks.remote("https://id.example.com/jwks")
 * ```
 *
 * @since 0.1.0
 */
export * as Jwks from "./Jwks.js"

/**
 * OpenID Connect ID token verification with `jose`, and claims decoding.
 *
 * @example
 * ```ts
 * import { IdToken } from "@auth-pipeline/core"
 * import { Schema } from "effect"
 *
 * const decodeEmail = IdToken.decodeClaims(Schema.Struct({ email: Schema.String }))
 * ```
 *
 * @since 0.1.0
 */
export * as IdToken from "./IdToken.js"

/**
 * The front channel of the authorization code flow: the authorization URL and the callback checks.
 *
 * @example
 * ```ts
 * import { AuthorizationCode } from "@auth-pipeline/core"
 *
 * const request = AuthorizationCode.authorizationUrl({
 *   authorizationEndpoint: "https://id.example.com/auth",
 *   clientId: "my-app",
 *   redirectUri: "https://app.example.com/callback"
 * })
 * ```
 *
 * @since 0.1.0
 */
export * as AuthorizationCode from "./AuthorizationCode.js"

/**
 * The platform-neutral port of the RFC 8252 loopback redirect: the `Listener` service and its options.
 *
 * @example
 * ```ts
 * import { LoopbackRedirect } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const redirectUri = Effect.scoped(
 *   Effect.flatMap(LoopbackRedirect.Listener, (listener) =>
 *     Effect.map(listener.listen(), (redirect) => redirect.redirectUri))
 * )
 * ```
 *
 * @since 0.1.0
 */
export * as LoopbackRedirect from "./LoopbackRedirect.js"

/**
 * User access tokens through OpenID Connect: login with PKCE, verified ID token, refresh, logout.
 *
 * @example
 * ```ts
 * import { OidcClient } from "@auth-pipeline/core"
 * import { Schema } from "effect"
 *
 * const client = OidcClient.make({
 *   name: "my-idp",
 *   issuer: "https://id.example.com",
 *   clientId: "my-cli",
 *   claims: Schema.Struct({ sub: Schema.String })
 * })
 * ```
 *
 * @since 0.1.0
 */
export * as OidcClient from "./OidcClient.js"

/**
 * OAuth 2.0 Token Revocation (RFC 7009), so a refresh token does not outlive a logout.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, Revocation } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const revoke = (refreshToken: Redacted.Redacted<string>) =>
 *   Revocation.revoke({
 *     url: "https://id.example.com/revoke",
 *     clientAuthentication: ClientAuthentication.none("my-cli"),
 *     token: refreshToken
 *   })
 * ```
 *
 * @since 0.1.0
 */
export * as Revocation from "./Revocation.js"
