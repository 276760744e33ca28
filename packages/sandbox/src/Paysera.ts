/**
 * An emulator of Paysera Checkout authentication: the Keycloak client credentials token endpoint
 * and the rate limited integration API, as the Paysera Checkout "Authentication" guide
 * describes them.
 *
 * - `POST /auth/realms/Paysera/protocol/openid-connect/token`, form body with
 *   `grant_type=client_credentials`, `client_id`, `client_secret` (HTTP Basic is accepted too,
 *   as Keycloak does; restrict with `clientAuthMethods`).
 * - Success: `{"access_token","expires_in":3600,"refresh_expires_in":0,"token_type":"Bearer",
 *   "not-before-policy":0,"scope":"profile email"}`.
 * - Bad credentials: 401 `{"error":"invalid_client","error_description":"Invalid client credentials"}`.
 * - `GET /checkout-project/integration/v1/methods` with `Authorization: Bearer`; an expired token
 *   gets 401 `{"error":"invalid_token","error_description":"Token is expired"}`; 50 requests a
 *   minute per client address, then 429; every answer carries `X-RateLimit-Limit`,
 *   `X-RateLimit-Remaining` and `X-RateLimit-Reset`.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { Client, Emulator } from "./Emulator.js"
import * as internal from "./internal/paysera.js"

/**
 * The emulator's name (`"paysera"`).
 *
 * @example
 * ```ts
 * import { Paysera } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Paysera.name, "paysera")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const name: string = internal.name

/**
 * The documented token endpoint path.
 *
 * @example
 * ```ts
 * import { Paysera } from "@auth-pipeline/sandbox"
 *
 * const tokenUrl = `https://${Paysera.productionHost}${Paysera.tokenPath}`
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const tokenPath: string = internal.tokenPath

/**
 * The protected resource: the integration API call the docs use as their example (`GET`).
 *
 * @example
 * ```ts
 * import { Paysera } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Paysera.resourcePath, "/checkout-project/integration/v1/methods")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const resourcePath: string = internal.resourcePath

/**
 * The documented production host, `api.paysera.com`.
 *
 * @example
 * ```ts
 * import { Paysera } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Paysera.productionHost, "api.paysera.com")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const productionHost: string = internal.productionHost

/**
 * Hosts answered in memory by default: `api.paysera.com` and `paysera.sandbox.local`.
 *
 * @example
 * ```ts
 * import { Paysera } from "@auth-pipeline/sandbox"
 *
 * assert.deepStrictEqual(Paysera.hosts, ["api.paysera.com", "paysera.sandbox.local"])
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const hosts: ReadonlyArray<string> = internal.hosts

/**
 * Documented token lifetime: 3600 seconds.
 *
 * @example
 * ```ts
 * import { Paysera } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Paysera.expiresIn, 3600)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const expiresIn: number = internal.expiresIn

/**
 * The `scope` of the documented token response: `"profile email"`.
 *
 * @example
 * ```ts
 * import { Paysera } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Paysera.scope, "profile email")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const scope: string = internal.scope

/**
 * Documented rate limit of the integration API: 50 requests a minute per client address.
 *
 * @example
 * ```ts
 * import { Paysera } from "@auth-pipeline/sandbox"
 * import { Duration } from "effect"
 *
 * assert.strictEqual(Paysera.rateLimit.limit, 50)
 * assert.ok(Duration.equals(Paysera.rateLimit.window, Duration.minutes(1)))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const rateLimit: { readonly limit: number; readonly window: Duration.Duration } = internal.rateLimit

/**
 * Options of {@link make}. Defaults: one client `sandbox-client` / `sandbox-secret`, both
 * `client_secret_post` and `client_secret_basic`, `expires_in` 3600, scope `"profile email"`,
 * 50 requests a minute (`false` turns the limit off), hosts {@link hosts}.
 *
 * @example
 * ```ts
 * import { Paysera } from "@auth-pipeline/sandbox"
 *
 * // a strict Keycloak: body credentials only, short tokens, a tighter limit
 * const options: Paysera.Options = {
 *   clientAuthMethods: ["client_secret_post"],
 *   expiresIn: 60,
 *   rateLimit: { limit: 5, window: "10 seconds" }
 * }
 * const emulator = Paysera.make(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The clients accepted. Default: `sandbox-client` / `sandbox-secret`. */
  readonly clients?: ReadonlyArray<Client> | undefined
  /** How clients may authenticate. Default: both `client_secret_post` and `client_secret_basic`. */
  readonly clientAuthMethods?: ReadonlyArray<"client_secret_post" | "client_secret_basic"> | undefined
  /** `expires_in` of the tokens issued, in seconds. Default 3600. */
  readonly expiresIn?: number | undefined
  /** The `scope` of the token responses. Default `"profile email"`. */
  readonly scope?: string | undefined
  /** The integration API's limit per client address, or `false` for none. Default 50 a minute. */
  readonly rateLimit?: { readonly limit: number; readonly window: Duration.DurationInput } | false | undefined
  /** The hosts answered in memory. Default {@link hosts}. */
  readonly hosts?: ReadonlyArray<string> | undefined
}

/**
 * Makes a Paysera emulator with its own state.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fault, Paysera } from "@auth-pipeline/sandbox"
 *
 * const program = Effect.gen(function*() {
 *   const paysera = yield* Paysera.make({ clients: [{ clientId: "shop", clientSecret: "s3cret" }] })
 *   yield* paysera.failNext(Fault.status(503))
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Emulator> = internal.make
