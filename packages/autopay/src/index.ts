/**
 * @auth-pipeline/autopay: Autopay authentication (client credentials as a JSON body with the
 * `https://api.autopay.io` audience, long-lived tokens, a token budget guard) for Effect.
 *
 * @since 0.1.0
 */

/**
 * The Autopay provider: its Tag, endpoint constants, defaults, `layer` and `layerConfig`.
 *
 * @since 0.1.0
 */
export * as AutopayAuth from "./AutopayAuth.js"
