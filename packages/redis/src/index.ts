/**
 * @auth-pipeline/redis: one token per lifetime across a fleet, through Redis.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as RedisTokenStore from "./RedisTokenStore.js"
/** @since 0.1.0 */
export * as RedisConnection from "./RedisConnection.js"
/** @since 0.1.0 */
export * as RedisMetrics from "./RedisMetrics.js"
