/**
 * @auth-pipeline/core: token requests, caching, refresh and authenticated HttpClient middleware.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as AccessToken from "./AccessToken.js"
/** @since 0.1.0 */
export * as ClientAuthentication from "./ClientAuthentication.js"
/** @since 0.1.0 */
export * as Grant from "./Grant.js"
/** @since 0.1.0 */
export * as TokenEndpoint from "./TokenEndpoint.js"
/** @since 0.1.0 */
export * as TokenError from "./TokenError.js"
/** @since 0.1.0 */
export * as TokenResponse from "./TokenResponse.js"
/** @since 0.1.0 */
export * as AuthenticatedClient from "./AuthenticatedClient.js"
/** @since 0.1.0 */
export * as CredentialScheme from "./CredentialScheme.js"
/** @since 0.1.0 */
export * as Metrics from "./Metrics.js"
/** @since 0.1.0 */
export * as RefreshPolicy from "./RefreshPolicy.js"
/** @since 0.1.0 */
export * as TokenCache from "./TokenCache.js"
/** @since 0.1.0 */
export * as TokenStore from "./TokenStore.js"
/** @since 0.1.0 */
export * as FileTokenStore from "./FileTokenStore.js"
/** @since 0.1.0 */
export * as KeyValueTokenStore from "./KeyValueTokenStore.js"
/** @since 0.1.0 */
export * as ProviderAuth from "./ProviderAuth.js"
/** @since 0.1.0 */
export * as RateLimit from "./RateLimit.js"
/** @since 0.1.0 */
export * as ProviderConfig from "./ProviderConfig.js"
/** @since 0.1.0 */
export * as Pkce from "./Pkce.js"
/** @since 0.1.0 */
export * as OidcDiscovery from "./OidcDiscovery.js"
/** @since 0.1.0 */
export * as Jwks from "./Jwks.js"
/** @since 0.1.0 */
export * as IdToken from "./IdToken.js"
/** @since 0.1.0 */
export * as AuthorizationCode from "./AuthorizationCode.js"
/** @since 0.1.0 */
export * as LoopbackRedirect from "./LoopbackRedirect.js"
/** @since 0.1.0 */
export * as OidcClient from "./OidcClient.js"
/** @since 0.1.0 */
export * as Revocation from "./Revocation.js"
