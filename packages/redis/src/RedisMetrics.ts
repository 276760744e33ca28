/**
 * Effect `Metric`s of the Redis token store, tagged with the cache's name. None carries a token.
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"

/**
 * What each coordinated fetch was told by Redis, tagged `role`: `hit` (a newer token was there),
 * `lead` (this process fetched), `wait` (another process was fetching), `backoff` (the fleet holds
 * off after a failure), `budget` (the fleet-wide budget is used up), `unavailable` (Redis could not
 * be reached; tagged `policy` too).
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
 * `write`, `read`, `set`, `compareAndSet`).
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
 * process) or the record had changed: the newer record was kept.
 *
 * @since 0.1.0
 * @category metrics
 */
export const refusedPublishes = Metric.counter("auth_pipeline_redis_refused_publishes_total", {
  description: "Stale token publishes refused by the version check",
  incremental: true
})

/**
 * The version of the record this process holds (grows with every write; not a token).
 *
 * @since 0.1.0
 * @category metrics
 */
export const recordVersion = Metric.gauge("auth_pipeline_redis_record_version", {
  description: "Version of the shared token record this process holds"
})
