/**
 * `@auth-pipeline/cryptofuse`: Cryptofuse authentication (client credentials at `/o/token/`, HTTP
 * Basic or body credentials, `read write [admin]` scopes, the account's base URL) for Effect.
 *
 * @example
 * ```ts
 * import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * // credentials and base URL from CRYPTOFUSE_CLIENT_ID, CRYPTOFUSE_CLIENT_SECRET, CRYPTOFUSE_BASE_URL
 * const CryptofuseLive = CryptofuseAuth.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * const payments = Effect.flatMap(CryptofuseAuth.CryptofuseAuth, (cryptofuse) => cryptofuse.client.get("/payments/"))
 *   .pipe(Effect.provide(CryptofuseLive))
 * ```
 *
 * @since 0.1.0
 */

/**
 * The Cryptofuse provider: its Tag, endpoint constants, defaults, `layer` and `layerConfig`.
 *
 * @example
 * ```ts
 * import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * // credentials and base URL from CRYPTOFUSE_CLIENT_ID, CRYPTOFUSE_CLIENT_SECRET, CRYPTOFUSE_BASE_URL
 * const CryptofuseLive = CryptofuseAuth.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * const payments = Effect.flatMap(CryptofuseAuth.CryptofuseAuth, (cryptofuse) => cryptofuse.client.get("/payments/"))
 *   .pipe(Effect.provide(CryptofuseLive))
 * ```
 *
 * @since 0.1.0
 */
export * as CryptofuseAuth from "./CryptofuseAuth.js"
