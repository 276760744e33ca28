/**
 * Emulators of payment providers' token endpoints and protected APIs, built from the providers'
 * docs, served in memory (for `TestClock`) or over loopback HTTP, with fault injection and
 * counters.
 *
 * @example
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 * import { Fault, InMemory, Paysera } from "@auth-pipeline/sandbox"
 * import { Effect, Redacted } from "effect"
 *
 * // a provider's token endpoint fails once: the client retries and gets its token
 * const program = Effect.gen(function*() {
 *   const emulator = yield* Paysera.make()
 *   yield* emulator.failNext(Fault.status(503))
 *   const paysera = yield* PayseraAuth.make({
 *     clientId: "sandbox-client",
 *     clientSecret: Redacted.make("sandbox-secret")
 *   }).pipe(Effect.provide(InMemory.layer(emulator)))
 *   yield* paysera.token
 *   assert.strictEqual((yield* emulator.counters).tokenRequests, 2)
 * }).pipe(Effect.scoped)
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 */

/**
 * The shape every emulator shares: HTTP app, fault injection, revocation, counters.
 *
 * @example
 * ```ts
 * import type { Emulator } from "@auth-pipeline/sandbox"
 *
 * const tokensIssued = (emulator: Emulator.Emulator) => emulator.counters
 * ```
 *
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"

/**
 * Faults to inject: a status and body, malformed JSON, an error in a 200, a dropped connection.
 *
 * @example
 * ```ts
 * import { Fault } from "@auth-pipeline/sandbox"
 *
 * const outage = Fault.status(503, { headers: { "Retry-After": "1" } })
 * ```
 *
 * @since 0.1.0
 */
export * as Fault from "./Fault.js"

/**
 * Paysera Checkout (Keycloak client credentials, rate limited API).
 *
 * @example
 * ```ts
 * import { Paysera } from "@auth-pipeline/sandbox"
 *
 * const emulator = Paysera.make({ expiresIn: 60 })
 * ```
 *
 * @since 0.1.0
 */
export * as Paysera from "./Paysera.js"

/**
 * Cryptofuse (`/o/token/`, Basic or body credentials, scopes).
 *
 * @example
 * ```ts
 * import { Cryptofuse } from "@auth-pipeline/sandbox"
 *
 * const emulator = Cryptofuse.make({ clientAuthMethods: ["client_secret_basic"] })
 * ```
 *
 * @since 0.1.0
 */
export * as Cryptofuse from "./Cryptofuse.js"

/**
 * Autopay (JSON client credentials with an audience).
 *
 * @example
 * ```ts
 * import { Autopay } from "@auth-pipeline/sandbox"
 *
 * const emulator = Autopay.make({ expiresIn: 36000 })
 * ```
 *
 * @since 0.1.0
 */
export * as Autopay from "./Autopay.js"

/**
 * Centrapay (API key in `X-Api-Key`).
 *
 * @example
 * ```ts
 * import { Centrapay } from "@auth-pipeline/sandbox"
 *
 * const emulator = Centrapay.make({ apiKeys: [{ key: "k-1", name: "pos-1" }] })
 * ```
 *
 * @since 0.1.0
 */
export * as Centrapay from "./Centrapay.js"

/**
 * Centrapay user access tokens: a real OpenID Provider (authorization code + PKCE, JWT access
 * tokens, rotating refresh tokens) and the API on loopback.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * const server = CentrapayOidc.layer({ accessTokenTtl: "5 seconds" })
 * ```
 *
 * @since 0.1.0
 */
export * as CentrapayOidc from "./CentrapayOidc.js"

/**
 * oidc-provider on loopback: quiet console, fresh keys, closed with its scope.
 *
 * @example
 * ```ts
 * import { OidcServer } from "@auth-pipeline/sandbox"
 *
 * const server = OidcServer.start({ configuration: { features: { clientCredentials: { enabled: true } } } })
 * ```
 *
 * @since 0.1.0
 */
export * as OidcServer from "./OidcServer.js"

/**
 * In-memory transport: an `HttpClient` routed by hostname, running in the caller's fiber.
 *
 * @example
 * ```ts
 * import { InMemory, Paysera } from "@auth-pipeline/sandbox"
 * import { Effect, Layer } from "effect"
 *
 * const HttpClientLive = Layer.unwrapEffect(Effect.map(Paysera.make(), InMemory.layer))
 * ```
 *
 * @since 0.1.0
 */
export * as InMemory from "./InMemory.js"

/**
 * Loopback HTTP transport on 127.0.0.1.
 *
 * @example
 * ```ts
 * import { Paysera, Server } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * const baseUrl = Effect.flatMap(Paysera.make(), (paysera) => Server.serve(paysera))
 * ```
 *
 * @since 0.1.0
 */
export * as Server from "./Server.js"
