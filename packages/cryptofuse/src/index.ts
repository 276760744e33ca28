/**
 * @auth-pipeline/cryptofuse: Cryptofuse authentication (client credentials at `/o/token/`, HTTP
 * Basic or body credentials, `read write [admin]` scopes, the account's base URL) for Effect.
 *
 * @since 0.1.0
 */

/**
 * The Cryptofuse provider: its Tag, endpoint constants, defaults, `layer` and `layerConfig`.
 *
 * @since 0.1.0
 */
export * as CryptofuseAuth from "./CryptofuseAuth.js"
