/**
 * Effect `Metric`s of the Redis token store. Those of one credential's store are tagged `provider`
 * with the cache's name (as core's `Metrics` are); {@link errors} counts the commands of the whole
 * connection and is tagged `operation` only. None carries a token.
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"

/**
 * What each coordinated fetch was told by Redis, tagged `role`: `hit` (a newer token was there),
 * `lead` (this process fetched), `wait` (another process was fetching), `backoff` (the fleet holds
 * off after a failure), `budget` (the fleet-wide budget is used up), `unavailable` (Redis could not
 * be reached; tagged `policy` too). Tagged `provider` as well.
 *
 * @example
 * ```ts
 * import { RedisMetrics } from "@auth-pipeline/redis"
 * import { Effect, Metric } from "effect"
 *
 * // how often this process led a fetch of the "paysera" token
 * const led = Metric.value(
 *   RedisMetrics.leases.pipe(Metric.tagged("provider", "paysera"), Metric.tagged("role", "lead"))
 * )
 * assert.strictEqual(Effect.runSync(led).count, 0)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const leases = Metric.counter("auth_pipeline_redis_lease_total", {
  description: "Coordinated token fetches by the role Redis gave this process",
  incremental: true
})

/**
 * Redis commands that failed or timed out, tagged `operation` (`acquire`, `publish`, `fail`,
 * `write`, `read`, `set`, `compareAndSet`). Each one also opens the circuit breaker (no command
 * for 1 s doubling to 30 s by default). Not tagged `provider`: the connection is shared.
 *
 * @example
 * ```ts
 * import { RedisMetrics } from "@auth-pipeline/redis"
 * import { Effect, Metric } from "effect"
 *
 * const failedAcquires = Metric.value(Metric.tagged(RedisMetrics.errors, "operation", "acquire"))
 * assert.strictEqual(Effect.runSync(failedAcquires).count, 0)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const errors = Metric.counter("auth_pipeline_redis_errors_total", {
  description: "Redis commands that failed or timed out",
  incremental: true
})

/**
 * Tokens a leader fetched that Redis refused to store because its lease had expired (a paused
 * process) or the record had changed: the newer record was kept. Tagged `provider`.
 *
 * @example
 * ```ts
 * import { RedisMetrics } from "@auth-pipeline/redis"
 * import { Effect, Metric } from "effect"
 *
 * // above 0: a leader was paused past its lease (GC, a stopped container); its token was dropped
 * const refused = Metric.value(Metric.tagged(RedisMetrics.refusedPublishes, "provider", "paysera"))
 * assert.strictEqual(Effect.runSync(refused).count, 0)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const refusedPublishes = Metric.counter("auth_pipeline_redis_refused_publishes_total", {
  description: "Stale token publishes refused by the version check",
  incremental: true
})

/**
 * The version of the record this process holds (grows with every write; not a token), tagged
 * `provider`; it stays as it was while the store serves a token fetched with Redis unreachable.
 *
 * @example
 * ```ts
 * import { RedisMetrics } from "@auth-pipeline/redis"
 * import { Effect, Metric } from "effect"
 *
 * const version = Metric.value(Metric.tagged(RedisMetrics.recordVersion, "provider", "paysera"))
 * assert.strictEqual(Effect.runSync(version).value, 0) // nothing read from Redis yet
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const recordVersion = Metric.gauge("auth_pipeline_redis_record_version", {
  description: "Version of the shared token record this process holds"
})
