/**
 * @auth-pipeline/paysera: Paysera Checkout authentication (client credentials, 300 s refresh
 * buffer, one retry after a 401 or `invalid_token`, rate-limit handling) for Effect.
 *
 * @since 0.1.0
 */

/**
 * The Paysera provider: its Tag, endpoint constants, defaults, `layer` and `layerConfig`.
 *
 * @since 0.1.0
 */
export * as PayseraAuth from "./PayseraAuth.js"
