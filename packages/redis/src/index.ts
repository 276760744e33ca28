/**
 * `@auth-pipeline/redis`: one token per lifetime across a fleet. {@link RedisTokenStore} is a
 * `TokenStore.Factory` over Redis: provide its Layer to a provider's Layer and every replica serves
 * the same token, fetched by one replica at a time under a lease, sealed with AES-256-GCM in Redis.
 *
 * @example
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 * import { RedisTokenStore } from "@auth-pipeline/redis"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer, Redacted } from "effect"
 *
 * // every replica running this shares one Paysera token through Redis
 * const PayseraLive = PayseraAuth.layer({ clientId: "id", clientSecret: Redacted.make("secret") }).pipe(
 *   Layer.provide([
 *     RedisTokenStore.layerConfig({ unavailable: "local" }), // AUTH_PIPELINE_REDIS_* variables
 *     FetchHttpClient.layer
 *   ])
 * )
 * ```
 *
 * @since 0.1.0
 */

/**
 * The Redis `TokenStore.Factory`: its options, the scoped factory and its Layers.
 *
 * @example
 * ```ts
 * import { RedisTokenStore } from "@auth-pipeline/redis"
 * import { Redacted } from "effect"
 *
 * const live = RedisTokenStore.layer({
 *   url: "redis://127.0.0.1:6379",
 *   encryptionKey: Redacted.make("at least 32 random bytes, e.g. openssl rand -base64 32")
 * })
 * ```
 *
 * @since 0.1.0
 */
export * as RedisTokenStore from "./RedisTokenStore.js"

/**
 * The port the store talks to Redis through, and its node-redis implementation.
 *
 * @example
 * ```ts
 * import { RedisConnection } from "@auth-pipeline/redis"
 *
 * const connection = RedisConnection.nodeRedis({ url: "redis://127.0.0.1:6379", commandTimeoutMillis: 250 })
 * ```
 *
 * @since 0.1.0
 */
export * as RedisConnection from "./RedisConnection.js"

/**
 * The store's `Metric`s: lease roles, failed commands, refused publishes, the record version.
 *
 * @example
 * ```ts
 * import { RedisMetrics } from "@auth-pipeline/redis"
 * import { Effect, Metric } from "effect"
 *
 * const failedCommands = Effect.map(Metric.value(RedisMetrics.errors), (state) => state.count)
 * ```
 *
 * @since 0.1.0
 */
export * as RedisMetrics from "./RedisMetrics.js"
