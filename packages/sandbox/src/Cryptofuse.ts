/**
 * An emulator of the Cryptofuse OAuth token endpoint ("OAuth Token" API reference) and its
 * bearer-protected API.
 *
 * - `POST /o/token/`, form body, `grant_type=client_credentials`; client credentials by
 *   `Authorization: Basic` (RFC 6749 Appendix B encoding) or `client_id`/`client_secret` in the
 *   body; optional `scope`: `read write` (default) or `read write admin`.
 * - Success: `{"access_token","token_type":"Bearer","expires_in":36000,"scope":"read write"}`.
 * - Errors: 400 `invalid_request` (missing/unsupported parameter), 401 `invalid_client`,
 *   400 `unsupported_grant_type`, 400 `invalid_scope`.
 * - `GET /payments/` with `Authorization: Bearer`; needs the `read` scope (403
 *   `insufficient_scope` otherwise).
 *
 * The docs give no host (`{{BASE_URL}}`): in memory the emulator answers for
 * `cryptofuse.sandbox.local`, or the `hosts` you pass.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type { Client, Emulator } from "./Emulator.js"
import * as internal from "./internal/cryptofuse.js"

/**
 * The documented scopes.
 *
 * @example
 * ```ts
 * import type { Cryptofuse } from "@auth-pipeline/sandbox"
 *
 * const readOnly: ReadonlyArray<Cryptofuse.Scope> = ["read"]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Scope = "read" | "write" | "admin"

/**
 * A Cryptofuse client with the scopes it may ask for (default: all three).
 *
 * @example
 * ```ts
 * import { Cryptofuse } from "@auth-pipeline/sandbox"
 *
 * // a client that may not ask for admin
 * const client: Cryptofuse.CryptofuseClient = { clientId: "app", clientSecret: "s3cret", scopes: ["read", "write"] }
 * const emulator = Cryptofuse.make({ clients: [client] })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CryptofuseClient extends Client {
  /** The scopes this client may ask for; asking for another gets `invalid_scope`. Default: all three. */
  readonly scopes?: ReadonlyArray<Scope> | undefined
}

/**
 * The emulator's name (`"cryptofuse"`).
 *
 * @example
 * ```ts
 * import { Cryptofuse } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Cryptofuse.name, "cryptofuse")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const name: string = internal.name

/**
 * The documented token endpoint path, `/o/token/` (with its trailing slash).
 *
 * @example
 * ```ts
 * import { Cryptofuse } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Cryptofuse.tokenPath, "/o/token/")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const tokenPath: string = internal.tokenPath

/**
 * The protected resource the docs use as their example, `GET /payments/`.
 *
 * @example
 * ```ts
 * import { Cryptofuse } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Cryptofuse.resourcePath, "/payments/")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const resourcePath: string = internal.resourcePath

/**
 * Hosts answered in memory by default: `cryptofuse.sandbox.local` (the docs give no host).
 *
 * @example
 * ```ts
 * import { Cryptofuse } from "@auth-pipeline/sandbox"
 *
 * assert.deepStrictEqual(Cryptofuse.hosts, ["cryptofuse.sandbox.local"])
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const hosts: ReadonlyArray<string> = internal.hosts

/**
 * Documented token lifetime: 36000 seconds.
 *
 * @example
 * ```ts
 * import { Cryptofuse } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Cryptofuse.expiresIn, 36000)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const expiresIn: number = internal.expiresIn

/**
 * Every documented scope.
 *
 * @example
 * ```ts
 * import { Cryptofuse } from "@auth-pipeline/sandbox"
 *
 * assert.deepStrictEqual(Cryptofuse.scopes, ["read", "write", "admin"])
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const scopes: ReadonlyArray<Scope> = internal.scopes

/**
 * The scope granted when the request has none: `"read write"`.
 *
 * @example
 * ```ts
 * import { Cryptofuse } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Cryptofuse.defaultScope, "read write")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultScope: string = internal.defaultScope

/**
 * Options of {@link make}. Defaults: one client `sandbox-client` / `sandbox-secret` allowed all
 * scopes, both `client_secret_basic` and `client_secret_post`, `expires_in` 36000, default scope
 * `"read write"`, hosts {@link hosts}.
 *
 * @example
 * ```ts
 * import { Cryptofuse } from "@auth-pipeline/sandbox"
 *
 * const options: Cryptofuse.Options = { clientAuthMethods: ["client_secret_basic"], hosts: ["api.cryptofuse.example"] }
 * const emulator = Cryptofuse.make(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The clients accepted and the scopes each may ask for. Default: `sandbox-client` with all scopes. */
  readonly clients?: ReadonlyArray<CryptofuseClient> | undefined
  /** How clients may authenticate. Default: both `client_secret_basic` and `client_secret_post`. */
  readonly clientAuthMethods?: ReadonlyArray<"client_secret_post" | "client_secret_basic"> | undefined
  /** `expires_in` of the tokens issued, in seconds. Default 36000. */
  readonly expiresIn?: number | undefined
  /** The scope granted when the request names none. Default `"read write"`. */
  readonly defaultScope?: string | undefined
  /** The hosts answered in memory. Default {@link hosts}. */
  readonly hosts?: ReadonlyArray<string> | undefined
}

/**
 * Makes a Cryptofuse emulator with its own state.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Cryptofuse } from "@auth-pipeline/sandbox"
 *
 * const program = Effect.gen(function*() {
 *   const cryptofuse = yield* Cryptofuse.make({
 *     clients: [{ clientId: "app", clientSecret: "p@ss: +/=%", scopes: ["read", "write"] }],
 *     hosts: ["api.cryptofuse.example"]
 *   })
 *   return cryptofuse.tokenPath
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Emulator> = internal.make
