/**
 * Emulators of payment providers' token endpoints and protected APIs, built from the providers'
 * docs, served in memory (for `TestClock`) or over loopback HTTP, with fault injection and
 * counters.
 *
 * @since 0.1.0
 */

/**
 * The shape every emulator shares: HTTP app, fault injection, revocation, counters.
 *
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"

/**
 * Faults to inject: a status and body, malformed JSON, an error in a 200, a dropped connection.
 *
 * @since 0.1.0
 */
export * as Fault from "./Fault.js"

/**
 * Paysera Checkout (Keycloak client credentials, rate limited API).
 *
 * @since 0.1.0
 */
export * as Paysera from "./Paysera.js"

/**
 * Cryptofuse (`/o/token/`, Basic or body credentials, scopes).
 *
 * @since 0.1.0
 */
export * as Cryptofuse from "./Cryptofuse.js"

/**
 * Autopay (JSON client credentials with an audience).
 *
 * @since 0.1.0
 */
export * as Autopay from "./Autopay.js"

/**
 * Centrapay (API key in `X-Api-Key`).
 *
 * @since 0.1.0
 */
export * as Centrapay from "./Centrapay.js"

/**
 * Centrapay user access tokens: a real OpenID Provider (authorization code + PKCE, JWT access
 * tokens, rotating refresh tokens) and the API on loopback.
 *
 * @since 0.1.0
 */
export * as CentrapayOidc from "./CentrapayOidc.js"

/**
 * oidc-provider on loopback: quiet console, fresh keys, closed with its scope.
 *
 * @since 0.1.0
 */
export * as OidcServer from "./OidcServer.js"

/**
 * In-memory transport: an `HttpClient` routed by hostname, running in the caller's fiber.
 *
 * @since 0.1.0
 */
export * as InMemory from "./InMemory.js"

/**
 * Loopback HTTP transport on 127.0.0.1.
 *
 * @since 0.1.0
 */
export * as Server from "./Server.js"
