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
