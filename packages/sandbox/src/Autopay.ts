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
 * @since 0.1.0
 * @category models
 */
export interface AutopayClient extends Client {
  readonly scope?: string | undefined
}

/**
 * The emulator's name (`"autopay"`).
 *
 * @since 0.1.0
 * @category constants
 */
export const name: string = internal.name

/**
 * The documented token endpoint path, `/oauth/token`.
 *
 * @since 0.1.0
 * @category constants
 */
export const tokenPath: string = internal.tokenPath

/**
 * The protected resource of the emulator, `GET /sandbox/protected`.
 *
 * @since 0.1.0
 * @category constants
 */
export const resourcePath: string = internal.resourcePath

/**
 * The documented token host, `api-auth.autopay.io`.
 *
 * @since 0.1.0
 * @category constants
 */
export const authHost: string = internal.authHost

/**
 * The API host named by the audience, `api.autopay.io`.
 *
 * @since 0.1.0
 * @category constants
 */
export const apiHost: string = internal.apiHost

/**
 * Hosts answered in memory by default: `api-auth.autopay.io`, `api.autopay.io`,
 * `autopay.sandbox.local`.
 *
 * @since 0.1.0
 * @category constants
 */
export const hosts: ReadonlyArray<string> = internal.hosts

/**
 * The only audience the docs allow: `https://api.autopay.io`.
 *
 * @since 0.1.0
 * @category constants
 */
export const audience: string = internal.audience

/**
 * Token lifetime of the documented example: 86400 seconds (24 hours).
 *
 * @since 0.1.0
 * @category constants
 */
export const expiresIn: number = internal.expiresIn

/**
 * The `scope` of the documented example response: `"customer_club"`.
 *
 * @since 0.1.0
 * @category constants
 */
export const scope: string = internal.scope

/**
 * Options of {@link make}. Defaults: one client `sandbox-client` / `sandbox-secret` with scope
 * `"customer_club"`, audience `https://api.autopay.io`, `expires_in` 86400, hosts {@link hosts}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly clients?: ReadonlyArray<AutopayClient> | undefined
  readonly audience?: string | undefined
  readonly expiresIn?: number | undefined
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
