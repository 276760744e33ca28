/**
 * Effect `Metric`s reported by token caches, token requests and authenticated clients, named in
 * the `auth_pipeline_*` form with their unit (`_seconds`, `_total`). Every metric carries the tag
 * `provider`: the cache's `name` (a provider package's `name` option, so two accounts of one
 * provider are told apart). Export them with `@effect/opentelemetry` (see
 * `docs/observability.md`); no metric ever carries a token or a secret.
 *
 * | metric | kind | tags |
 * | --- | --- | --- |
 * | `auth_pipeline_token_requests_total` | counter | provider, grant_type, outcome |
 * | `auth_pipeline_token_request_duration_seconds` | histogram | provider, grant_type, outcome |
 * | `auth_pipeline_token_cache_hits_total` | counter | provider |
 * | `auth_pipeline_token_waits_total` | counter | provider |
 * | `auth_pipeline_token_wait_duration_seconds` | histogram | provider |
 * | `auth_pipeline_token_expires_in_seconds` | gauge | provider |
 * | `auth_pipeline_token_expiry_timestamp_seconds` | gauge | provider |
 * | `auth_pipeline_background_refreshes_total` | counter | provider |
 * | `auth_pipeline_background_refresh_failures_total` | counter | provider, error_type |
 * | `auth_pipeline_token_failures_total` | counter | provider, error_type |
 * | `auth_pipeline_unauthorized_retries_total` | counter | provider |
 * | `auth_pipeline_rate_limit_waits_total` | counter | provider |
 * | `auth_pipeline_rate_limit_wait_duration_seconds` | histogram | provider |
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"

/**
 * The tag every metric carries: the token cache's `name`.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const hits = (provider: string) =>
 *   Effect.map(Metric.value(Metric.tagged(Metrics.cacheHits, Metrics.providerTag, provider)), (s) => s.count)
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const providerTag = "provider"

// Seconds from 5 ms to ~41 s (exponential): token requests and the waits behind them.
const secondsBoundaries = MetricBoundaries.exponential({ start: 0.005, factor: 2, count: 14 })

/**
 * Token endpoint calls (every attempt, retries included), tagged `grant_type`
 * (`client_credentials`, `refresh_token`, `authorization_code`, ...) and `outcome` (`success` |
 * `failure`).
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * // failed token requests of the "paysera" cache so far
 * const failedRequests = Metric.value(
 *   Metrics.tokenRequests.pipe(Metric.tagged("provider", "paysera"), Metric.tagged("outcome", "failure"))
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
 * How long token requests took, in seconds, from sending the request to the validated answer,
 * tagged like {@link tokenRequests}.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const slowest = Effect.map(Metric.value(Metrics.tokenRequestDuration), (state) => state.max)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const tokenRequestDuration = Metric.histogram(
  "auth_pipeline_token_request_duration_seconds",
  secondsBoundaries,
  "Token request latency in seconds"
)

/**
 * Token reads answered from the cache without waiting.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const hits = (provider: string) =>
 *   Effect.map(Metric.value(Metric.tagged(Metrics.cacheHits, "provider", provider)), (state) => state.count)
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
 * Token reads that had to wait for a fetch (no usable token: the first call, after expiry, after
 * a 401), whether they started the fetch or joined one in flight.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const waits = Effect.map(Metric.value(Metrics.waits), (state) => state.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const waits = Metric.counter("auth_pipeline_token_waits_total", {
  description: "Token reads that waited for a token fetch",
  incremental: true
})

/**
 * How long the token reads counted by {@link waits} waited, in seconds.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const waited = Effect.map(Metric.value(Metrics.waitDuration), (state) => state.sum)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const waitDuration = Metric.histogram(
  "auth_pipeline_token_wait_duration_seconds",
  secondsBoundaries,
  "Time token reads waited for a fetch, in seconds"
)

/**
 * Seconds until the current token expires (negative once it has), set whenever a token is
 * stored and refreshed at most once a second while the token is read. For alerting on a store
 * nobody reads, {@link expiryTimestamp} is exact at any time.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const left = Effect.map(Metric.value(Metric.tagged(Metrics.expiresIn, "provider", "paysera")), (s) => s.value)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const expiresIn = Metric.gauge("auth_pipeline_token_expires_in_seconds", {
  description: "Seconds until the current token expires"
})

/**
 * When the current token expires, in seconds since the Unix epoch (Prometheus style:
 * `auth_pipeline_token_expiry_timestamp_seconds - time()` is the time left).
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const expiry = Effect.map(Metric.value(Metrics.expiryTimestamp), (s) => new Date(s.value * 1000))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const expiryTimestamp = Metric.gauge("auth_pipeline_token_expiry_timestamp_seconds", {
  description: "When the current token expires, in seconds since the Unix epoch"
})

/**
 * Background refreshes started ahead of expiry.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const refreshes = (provider: string) =>
 *   Effect.map(Metric.value(Metric.tagged(Metrics.backgroundRefreshes, "provider", provider)), (s) => s.count)
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
 * Background refreshes that failed, tagged `error_type` (the error's tag or OAuth error code);
 * callers keep the current token until it expires.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const failed = Effect.map(Metric.value(Metrics.backgroundRefreshFailures), (s) => s.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const backgroundRefreshFailures = Metric.counter("auth_pipeline_background_refresh_failures_total", {
  description: "Background token refreshes that failed",
  incremental: true
})

/**
 * Requests re-sent once with a new token after the API rejected the old one (401, or
 * `invalid_token` in the body).
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const retries = (provider: string) =>
 *   Effect.map(Metric.value(Metric.tagged(Metrics.unauthorizedRetries, "provider", provider)), (s) => s.count)
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
 * Token fetches that failed after their retries (a caller got the error), tagged `error_type`.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const invalidClient = Metric.value(
 *   Metrics.failures.pipe(Metric.tagged("provider", "paysera"), Metric.tagged("error_type", "invalid_client"))
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const failures = Metric.counter("auth_pipeline_token_failures_total", {
  description: "Token fetches that failed after retries",
  incremental: true
})

/**
 * 429 answers from an API that the client waited out before re-sending (the `rateLimit` option's
 * `retryOnce`).
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const waited = Effect.map(Metric.value(Metrics.rateLimitWaits), (s) => s.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const rateLimitWaits = Metric.counter("auth_pipeline_rate_limit_waits_total", {
  description: "Rate-limited requests waited out and re-sent",
  incremental: true
})

/**
 * How long the waits counted by {@link rateLimitWaits} lasted, in seconds.
 *
 * @example
 * ```ts
 * import { Metrics } from "@auth-pipeline/core"
 * import { Effect, Metric } from "effect"
 *
 * const total = Effect.map(Metric.value(Metrics.rateLimitWaitDuration), (s) => s.sum)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const rateLimitWaitDuration = Metric.histogram(
  "auth_pipeline_rate_limit_wait_duration_seconds",
  MetricBoundaries.exponential({ start: 0.1, factor: 2, count: 12 }),
  "Time waited for a rate limit window, in seconds"
)
