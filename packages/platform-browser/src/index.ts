/**
 * @auth-pipeline/platform-browser: OpenID Connect in browser applications (redirect sign-in with
 * PKCE, the session in Web Storage, silent renew shared across tabs, sign-out) and the browser
 * services it runs on.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as BrowserOidc from "./BrowserOidc.js"
/** @since 0.1.0 */
export * as Navigation from "./Navigation.js"
/** @since 0.1.0 */
export * as TabSync from "./TabSync.js"
