/**
 * An emulator of Autopay authentication ("Authentication" / "Request an access token") and a
 * bearer-protected API.
 *
 * - `POST https://api-auth.autopay.io/oauth/token`, `Content-Type: application/json`, body
 *   `{"client_id","client_secret","audience":"https://api.autopay.io","grant_type":"client_credentials"}`.
 * - Success: `{"access_token","scope":"customer_club","expires_in":86400,"token_type":"Bearer"}`.
 * - Bad `client_id`/`client_secret`: 401 `{"error":"access_denied","error_description":"Unauthorized"}`.
 * - `GET /sandbox/protected` (on `api.autopay.io`) with `Authorization: Bearer`. The docs name no
 *   API path, so this one is the emulator's own.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type { Client, Emulator } from "./Emulator.js"
import * as internal from "./internal/autopay.js"

/**
 * An Autopay client and the `scope` its tokens carry (default `"customer_club"`).
 *
 * @example
 * ```ts
 * import { Autopay } from "@auth-pipeline/sandbox"
 *
 * const client: Autopay.AutopayClient = { clientId: "club-app", clientSecret: "s3cret", scope: "customer_club" }
 * const emulator = Autopay.make({ clients: [client] })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface AutopayClient extends Client {
  /** The `scope` of the tokens issued to this client. Default `"customer_club"`. */
  readonly scope?: string | undefined
}

/**
 * The emulator's name (`"autopay"`).
 *
 * @example
 * ```ts
 * import { Autopay } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Autopay.name, "autopay")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const name: string = internal.name

/**
 * The documented token endpoint path, `/oauth/token`.
 *
 * @example
 * ```ts
 * import { Autopay } from "@auth-pipeline/sandbox"
 *
 * const tokenUrl = `https://${Autopay.authHost}${Autopay.tokenPath}`
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const tokenPath: string = internal.tokenPath

/**
 * The protected resource of the emulator, `GET /sandbox/protected`.
 *
 * @example
 * ```ts
 * import { Autopay } from "@auth-pipeline/sandbox"
 *
 * const resourceUrl = `https://${Autopay.apiHost}${Autopay.resourcePath}`
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const resourcePath: string = internal.resourcePath

/**
 * The documented token host, `api-auth.autopay.io`.
 *
 * @example
 * ```ts
 * import { Autopay } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Autopay.authHost, "api-auth.autopay.io")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const authHost: string = internal.authHost

/**
 * The API host named by the audience, `api.autopay.io`.
 *
 * @example
 * ```ts
 * import { Autopay } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Autopay.apiHost, "api.autopay.io")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const apiHost: string = internal.apiHost

/**
 * Hosts answered in memory by default: `api-auth.autopay.io`, `api.autopay.io`,
 * `autopay.sandbox.local`.
 *
 * @example
 * ```ts
 * import { Autopay } from "@auth-pipeline/sandbox"
 *
 * assert.ok(Autopay.hosts.includes(Autopay.authHost) && Autopay.hosts.includes(Autopay.apiHost))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const hosts: ReadonlyArray<string> = internal.hosts

/**
 * The only audience the docs allow: `https://api.autopay.io`.
 *
 * @example
 * ```ts
 * import { Autopay } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Autopay.audience, "https://api.autopay.io")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const audience: string = internal.audience

/**
 * Token lifetime of the documented example: 86400 seconds (24 hours).
 *
 * @example
 * ```ts
 * import { Autopay } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Autopay.expiresIn, 86400)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const expiresIn: number = internal.expiresIn

/**
 * The `scope` of the documented example response: `"customer_club"`.
 *
 * @example
 * ```ts
 * import { Autopay } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Autopay.scope, "customer_club")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const scope: string = internal.scope

/**
 * Options of {@link make}. Defaults: one client `sandbox-client` / `sandbox-secret` with scope
 * `"customer_club"`, audience `https://api.autopay.io`, `expires_in` 86400, hosts {@link hosts}.
 *
 * @example
 * ```ts
 * import { Autopay } from "@auth-pipeline/sandbox"
 *
 * // 10-hour tokens, the lower end of the documented range
 * const options: Autopay.Options = { expiresIn: 36000 }
 * const emulator = Autopay.make(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The clients accepted. Default: `sandbox-client` / `sandbox-secret` with scope `customer_club`. */
  readonly clients?: ReadonlyArray<AutopayClient> | undefined
  /** The only `audience` accepted; a missing or other one gets 403 `access_denied`. Default {@link audience}. */
  readonly audience?: string | undefined
  /** `expires_in` of the tokens issued, in seconds. Default 86400. */
  readonly expiresIn?: number | undefined
  /** The hosts answered in memory. Default {@link hosts}. */
  readonly hosts?: ReadonlyArray<string> | undefined
}

/**
 * Makes an Autopay emulator with its own state.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Autopay } from "@auth-pipeline/sandbox"
 *
 * const program = Effect.gen(function*() {
 *   const autopay = yield* Autopay.make({ expiresIn: 36000 })
 *   return (yield* autopay.counters).tokensIssued
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Emulator> = internal.make
