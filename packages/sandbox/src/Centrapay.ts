/**
 * An emulator of Centrapay API key authentication ("Auth": "Authenticating API Calls").
 *
 * - `GET /api/account-memberships` (the docs' example call) on `service.centrapay.com`, with the
 *   key in `X-Api-Key`. API keys give enduring access: they do not expire, but can be revoked.
 * - The documented test merchant key `f32c5497297084e5354b47c40d5ccacb109ce483` is accepted by
 *   default.
 * - A missing, unknown or revoked key gets 401 `{"message":"Unauthorized"}` (the docs show no
 *   error body; this is the emulator's choice).
 *
 * This emulator knows API keys only: an `Authorization` header alone gets 401. User access tokens
 * (OIDC authorization code with PKCE at auth.centrapay.com) are emulated by `CentrapayOidc`, a
 * real OpenID Provider on loopback whose API accepts both.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { Emulator } from "./Emulator.js"
import * as internal from "./internal/centrapay.js"

/**
 * An API key the emulator accepts; `name` shows up as `client_id` in resource responses
 * (default `api-key-<n>`).
 *
 * @example
 * ```ts
 * import { Centrapay } from "@auth-pipeline/sandbox"
 *
 * const terminal: Centrapay.ApiKey = { key: "k-123", name: "pos-1" }
 * const emulator = Centrapay.make({ apiKeys: [terminal] })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ApiKey {
  /** The key as clients send it in `X-Api-Key`. */
  readonly key: string | Redacted.Redacted<string>
  /** The name resource responses show as `client_id`. Default `api-key-<n>`. */
  readonly name?: string | undefined
}

/**
 * The emulator's name (`"centrapay"`).
 *
 * @example
 * ```ts
 * import { Centrapay } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Centrapay.name, "centrapay")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const name: string = internal.name

/**
 * The protected resource the docs use as their example, `GET /api/account-memberships`.
 *
 * @example
 * ```ts
 * import { Centrapay } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Centrapay.resourcePath, "/api/account-memberships")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const resourcePath: string = internal.resourcePath

/**
 * The documented API host, `service.centrapay.com`.
 *
 * @example
 * ```ts
 * import { Centrapay } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Centrapay.productionHost, "service.centrapay.com")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const productionHost: string = internal.productionHost

/**
 * Hosts answered in memory by default: `service.centrapay.com`, `centrapay.sandbox.local`.
 *
 * @example
 * ```ts
 * import { Centrapay } from "@auth-pipeline/sandbox"
 *
 * assert.deepStrictEqual(Centrapay.hosts, ["service.centrapay.com", "centrapay.sandbox.local"])
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const hosts: ReadonlyArray<string> = internal.hosts

/**
 * The header carrying the API key (`X-Api-Key`; HTTP header names are case-insensitive).
 *
 * @example
 * ```ts
 * import { Centrapay } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Centrapay.apiKeyHeader, "x-api-key")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const apiKeyHeader: string = internal.apiKeyHeader

/**
 * The documented Centrapay test merchant API key.
 *
 * @example
 * ```ts
 * import { Centrapay } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Centrapay.testMerchantApiKey.length, 40)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const testMerchantApiKey: string = internal.testMerchantApiKey

/**
 * The name the test merchant key is known by in resource responses: `"test-merchant"`.
 *
 * @example
 * ```ts
 * import { Centrapay } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Centrapay.testMerchantKeyName, "test-merchant")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const testMerchantKeyName: string = internal.testMerchantKeyName

/**
 * Options of {@link make}. Defaults: the test merchant key only, hosts {@link hosts}.
 *
 * @example
 * ```ts
 * import { Centrapay } from "@auth-pipeline/sandbox"
 *
 * const options: Centrapay.Options = { apiKeys: [{ key: "k-1", name: "pos-1" }, { key: "k-2", name: "pos-2" }] }
 * const emulator = Centrapay.make(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The keys accepted. Default: the test merchant key only. */
  readonly apiKeys?: ReadonlyArray<ApiKey> | undefined
  /** The hosts answered in memory. Default {@link hosts}. */
  readonly hosts?: ReadonlyArray<string> | undefined
}

/**
 * Makes a Centrapay emulator with its own state. It has no token endpoint: fault options
 * default to the resource endpoint, and `setExpiresIn` has nothing to act on.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Centrapay } from "@auth-pipeline/sandbox"
 *
 * const program = Effect.gen(function*() {
 *   const centrapay = yield* Centrapay.make({ apiKeys: [{ key: "k-123", name: "pos-1" }] })
 *   yield* centrapay.revoke("k-123")
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Emulator> = internal.make
