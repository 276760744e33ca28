/**
 * `@auth-pipeline/paysera`: Paysera Checkout authentication (client credentials, 300 s refresh
 * buffer, one retry after a 401 or `invalid_token`, rate-limit handling) for Effect.
 *
 * @example
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * // credentials from PAYSERA_CLIENT_ID / PAYSERA_CLIENT_SECRET
 * const PayseraLive = PayseraAuth.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * const methods = Effect.flatMap(PayseraAuth.PayseraAuth, (paysera) =>
 *   paysera.client.get("/checkout-project/integration/v1/methods")).pipe(Effect.provide(PayseraLive))
 * ```
 *
 * @since 0.1.0
 */

/**
 * The Paysera provider: its Tag, endpoint constants, defaults, `layer` and `layerConfig`.
 *
 * @example
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * // credentials from PAYSERA_CLIENT_ID / PAYSERA_CLIENT_SECRET
 * const PayseraLive = PayseraAuth.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * const methods = Effect.flatMap(PayseraAuth.PayseraAuth, (paysera) =>
 *   paysera.client.get("/checkout-project/integration/v1/methods")).pipe(Effect.provide(PayseraLive))
 * ```
 *
 * @since 0.1.0
 */
export * as PayseraAuth from "./PayseraAuth.js"
