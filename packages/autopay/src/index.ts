/**
 * `@auth-pipeline/autopay`: Autopay authentication (client credentials as a JSON body with the
 * `https://api.autopay.io` audience, long-lived tokens, a token budget guard) for Effect.
 *
 * @example
 * ```ts
 * import { AutopayAuth } from "@auth-pipeline/autopay"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * // credentials from AUTOPAY_CLIENT_ID / AUTOPAY_CLIENT_SECRET; at most 10 tokens a day by default
 * const AutopayLive = AutopayAuth.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * const token = Effect.flatMap(AutopayAuth.AutopayAuth, (autopay) => autopay.token).pipe(Effect.provide(AutopayLive))
 * ```
 *
 * @since 0.1.0
 */

/**
 * The Autopay provider: its Tag, endpoint constants, defaults, `layer` and `layerConfig`.
 *
 * @example
 * ```ts
 * import { AutopayAuth } from "@auth-pipeline/autopay"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * // credentials from AUTOPAY_CLIENT_ID / AUTOPAY_CLIENT_SECRET; at most 10 tokens a day by default
 * const AutopayLive = AutopayAuth.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * const token = Effect.flatMap(AutopayAuth.AutopayAuth, (autopay) => autopay.token).pipe(Effect.provide(AutopayLive))
 * ```
 *
 * @since 0.1.0
 */
export * as AutopayAuth from "./AutopayAuth.js"
