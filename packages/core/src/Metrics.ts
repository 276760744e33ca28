/**
 * Effect `Metric`s reported by token caches and authenticated clients. Each is tagged with the
 * cache's `name` (e.g. the provider), so several providers in one app are told apart.
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"

/**
 * Token endpoint calls made by caches (every attempt, retries included), tagged `outcome`
 * (`success` | `failure`).
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * // failed token requests of the "paysera" cache so far
 * const failedRequests = Metric.value(
 *   Metrics.tokenRequests.pipe(Metric.tagged("cache", "paysera"), Metric.tagged("outcome", "failure"))
 * ).pipe(Effect.map((state) => state.count))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const tokenRequests = Metric.counter("auth_pipeline_token_requests_total", {
  description: "Token requests sent to a token endpoint",
  incremental: true
})

/**
 * Token reads answered from the cache without waiting.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const hits = (cache: string) =>
 *   Effect.map(Metric.value(Metric.tagged(Metrics.cacheHits, "cache", cache)), (state) => state.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const cacheHits = Metric.counter("auth_pipeline_token_cache_hits_total", {
  description: "Token reads served from the cache",
  incremental: true
})

/**
 * Background refreshes started ahead of expiry.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const refreshes = (cache: string) =>
 *   Effect.map(Metric.value(Metric.tagged(Metrics.backgroundRefreshes, "cache", cache)), (state) => state.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const backgroundRefreshes = Metric.counter("auth_pipeline_background_refreshes_total", {
  description: "Background token refreshes started",
  incremental: true
})

/**
 * Requests re-sent once after a 401 with a new token.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * // tagged with the token source's name, as the caches are
 * const retries = (cache: string) =>
 *   Effect.map(Metric.value(Metric.tagged(Metrics.unauthorizedRetries, "cache", cache)), (state) => state.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const unauthorizedRetries = Metric.counter("auth_pipeline_unauthorized_retries_total", {
  description: "Requests re-sent after a 401 with a fresh token",
  incremental: true
})

/**
 * Token fetches that failed (after retries), tagged `error` with the error's tag.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const refusedCredentials = (cache: string) =>
 *   Metric.value(Metrics.failures.pipe(Metric.tagged("cache", cache), Metric.tagged("error", "OAuthError"))).pipe(
 *     Effect.map((state) => state.count)
 *   )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const failures = Metric.counter("auth_pipeline_token_failures_total", {
  description: "Token fetches that failed after retries",
  incremental: true
})
