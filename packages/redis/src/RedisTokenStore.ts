/**
 * One token per lifetime across a fleet: a `TokenStore.Factory` over Redis that makes every
 * provider's token cache in the program fleet-wide.
 *
 * - The hot path stays in process: each replica serves its token from memory; Redis is asked only
 *   when a replica needs a token (cold start, stale, invalidated) and tells the others of a new
 *   token by pub/sub (with polling as the guarantee).
 * - A fetch is coordinated by a lease (`SET NX PX` in one Lua script): one replica leads and
 *   fetches with the latest refresh token in Redis, the others wait and take its token. The leader
 *   fetches within `fetchDeadline` (shorter than `leaseTtl`), and its token is stored only if its
 *   lease is still its own and the record is at the version it read, so a leader that was paused
 *   past its lease cannot overwrite a newer token.
 * - A failed fetch holds the whole fleet off (its `Retry-After`, else 1 s doubling to 60 s); a
 *   401 invalidates by version (one new token fleet-wide); an optional fleet-wide token budget.
 * - Records are sealed with AES-256-GCM (key derived from `encryptionKey`); keys are namespaced
 *   per credential (token URL, client id, grant, scopes, parameters) under one Cluster hash tag.
 * - Redis unreachable: short command timeouts, no offline queue, a circuit breaker, and a policy
 *   (`local` by default), logged and counted; recovery is automatic.
 *
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 * import { RedisTokenStore } from "@auth-pipeline/redis"
 * import { Layer, Redacted } from "effect"
 *
 * const PayseraLive = PayseraAuth.layer({ clientId: "id", clientSecret: Redacted.make("secret") }).pipe(
 *   Layer.provide(RedisTokenStore.layer({
 *     url: "redis://127.0.0.1:6379",
 *     encryptionKey: Redacted.make("at least 32 random bytes, e.g. openssl rand -base64 32")
 *   }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as TokenStore from "@auth-pipeline/core/TokenStore"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/store.js"
import type { RedisConnection } from "./RedisConnection.js"

/**
 * What a replica does when Redis cannot be reached (a failed or timed-out command; the circuit
 * breaker then skips Redis for 1 s doubling to 30 s before probing again):
 * - `local` (default): fetch its own token, like an in-memory cache (each replica may then make
 *   one request per lifetime);
 * - `local-capped`: the same, but at most one token per replica per token lifetime (a second fetch
 *   within it, e.g. after a 401, fails with a `TokenStoreError`);
 * - `fail`: fail with a `TokenStoreError`.
 * Logged (`logWarning`) and counted (`auth_pipeline_redis_lease_total{role="unavailable"}`).
 *
 * @example
 * ```ts
 * import { RedisTokenStore } from "@auth-pipeline/redis"
 * import { Redacted } from "effect"
 *
 * // a provider that refuses to be called more than once per token lifetime, even with Redis down
 * const options: RedisTokenStore.Options = {
 *   url: "redis://redis.internal:6379",
 *   encryptionKey: Redacted.make("at least 32 random bytes, e.g. openssl rand -base64 32"),
 *   unavailable: "local-capped"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Unavailable = "local" | "local-capped" | "fail"

/**
 * Options of {@link make} and {@link layer}. Only `encryptionKey` is required; `fetchDeadline` must
 * be shorter than `leaseTtl` (building the factory dies otherwise), and every replica of a fleet
 * needs the same `keyPrefix` and `encryptionKey` to share its tokens.
 *
 * @example
 * ```ts
 * import { RedisTokenStore } from "@auth-pipeline/redis"
 * import { Redacted } from "effect"
 *
 * const options: RedisTokenStore.Options = {
 *   url: "rediss://:password@redis.internal:6380",
 *   keyPrefix: "payments:",
 *   encryptionKey: Redacted.make("at least 32 random bytes, e.g. openssl rand -base64 32"),
 *   leaseTtl: "20 seconds",
 *   fetchDeadline: "15 seconds",
 *   unavailable: "fail",
 *   budget: { maxRequests: 100, window: "1 hour" }
 * }
 * const live = RedisTokenStore.layer(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `redis://host:port` (or `rediss://` for TLS). Default `redis://127.0.0.1:6379`. */
  readonly url?: string | undefined
  /** A connection of your own instead of `url` (another client behind the same port). */
  readonly connection?: RedisConnection | undefined
  /** Prefix of every key. Default `"auth-pipeline:"`. */
  readonly keyPrefix?: string | undefined
  /**
   * The secret the records are sealed with (AES-256-GCM, key derived with HKDF-SHA-256): at least
   * 32 random bytes, e.g. `openssl rand -base64 32`. Every replica needs the same one.
   */
  readonly encryptionKey: Redacted.Redacted<string>
  /** How long a leader holds the lease. Default 15 s. */
  readonly leaseTtl?: Duration.DurationInput | undefined
  /** How long a leader may take to fetch (all attempts); shorter than `leaseTtl`. Default 10 s. */
  readonly fetchDeadline?: Duration.DurationInput | undefined
  /** How long one Redis command may take. Default 500 ms. */
  readonly commandTimeout?: Duration.DurationInput | undefined
  /** How often a replica waiting for another's token asks Redis again (±25 %). Default 500 ms. */
  readonly pollInterval?: Duration.DurationInput | undefined
  /** What to do when Redis cannot be reached. Default `"local"`. */
  readonly unavailable?: Unavailable | undefined
  /** The circuit breaker's wait after a failed command: 1 s doubling to 30 s by default. */
  readonly breaker?: {
    readonly baseDelay?: Duration.DurationInput | undefined
    readonly maxDelay?: Duration.DurationInput | undefined
  } | undefined
  /** The fleet's hold-off after a failed fetch without `Retry-After`: 1 s doubling to 60 s by default. */
  readonly backoff?: {
    readonly baseDelay?: Duration.DurationInput | undefined
    readonly maxDelay?: Duration.DurationInput | undefined
  } | undefined
  /**
   * At most `maxRequests` tokens obtained per `window` across the fleet (per credential), counted
   * in Redis; beyond it a fetch fails with `TokenCache.TokenBudgetExceeded`. Off by default.
   */
  readonly budget?: { readonly maxRequests: number; readonly window: Duration.DurationInput } | undefined
}

/**
 * The factory, in the current Scope: connects to `url` (waiting at most the connect timeout; an
 * unreachable server is not an error, the `unavailable` policy applies) unless a `connection` is
 * given. Closing the Scope closes the connections it opened; a `connection` of your own stays
 * yours to close. Each store it makes keeps one credential's token, under keys hashed from the
 * credential. Dies if `fetchDeadline` is not shorter than `leaseTtl`.
 *
 * @example
 * ```ts
 * import { type AccessToken, TokenCache, TokenStore } from "@auth-pipeline/core"
 * import { RedisTokenStore } from "@auth-pipeline/redis"
 * import { Effect, Redacted } from "effect"
 *
 * declare const credential: TokenStore.Credential
 * declare const acquire: Effect.Effect<AccessToken.AccessToken> // e.g. a client_credentials request
 *
 * // the factory in a Scope of your own: caches made in it with a `credential` share their token
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const factory = yield* RedisTokenStore.make({
 *       url: "redis://127.0.0.1:6379",
 *       encryptionKey: Redacted.make("at least 32 random bytes, e.g. openssl rand -base64 32")
 *     })
 *     const cache = yield* TokenCache.make({ name: "example", acquire, credential }).pipe(
 *       Effect.provideService(TokenStore.Factory, factory)
 *     )
 *     return yield* cache.get
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<TokenStore.Factory["Type"], never, Scope.Scope> =>
  internal.makeFactory(options)

/**
 * The factory as a Layer: provide it to a provider's Layer (or a whole program) and every token
 * cache that names its credential (all client-credentials providers) shares its token through Redis.
 * Building the Layer value connects to nothing: the connection opens when the Layer is built.
 *
 * @example
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 * import { RedisTokenStore } from "@auth-pipeline/redis"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer, Redacted } from "effect"
 *
 * const PayseraLive = PayseraAuth.layer({ clientId: "id", clientSecret: Redacted.make("secret") }).pipe(
 *   Layer.provide([
 *     RedisTokenStore.layer({
 *       url: "redis://127.0.0.1:6379",
 *       encryptionKey: Redacted.make("at least 32 random bytes, e.g. openssl rand -base64 32")
 *     }),
 *     FetchHttpClient.layer
 *   ])
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<TokenStore.Factory> =>
  Layer.scoped(TokenStore.Factory, make(options))

/**
 * {@link layer} from `Config`: `AUTH_PIPELINE_REDIS_URL`, `AUTH_PIPELINE_REDIS_KEY_PREFIX`
 * (optional) and `AUTH_PIPELINE_REDIS_ENCRYPTION_KEY` (read as `Redacted`), for every field
 * `options` leaves unset. Fails with a `ConfigError` when `AUTH_PIPELINE_REDIS_ENCRYPTION_KEY` is not
 * set and `options.encryptionKey` is not given.
 *
 * @example
 * ```ts
 * import { RedisTokenStore } from "@auth-pipeline/redis"
 * import { ConfigProvider, Layer } from "effect"
 *
 * const env = ConfigProvider.fromMap(new Map([
 *   ["AUTH_PIPELINE_REDIS_URL", "redis://redis.internal:6379"],
 *   ["AUTH_PIPELINE_REDIS_ENCRYPTION_KEY", "at least 32 random bytes, e.g. openssl rand -base64 32"]
 * ]))
 * const live = RedisTokenStore.layerConfig({ unavailable: "fail" }).pipe(Layer.provide(Layer.setConfigProvider(env)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Partial<Options> = {}
): Layer.Layer<TokenStore.Factory, ConfigError.ConfigError> =>
  Layer.unwrapEffect(
    Effect.map(
      Config.all({
        url: Config.string("AUTH_PIPELINE_REDIS_URL").pipe(Config.withDefault("redis://127.0.0.1:6379")),
        keyPrefix: Config.string("AUTH_PIPELINE_REDIS_KEY_PREFIX").pipe(
          Config.withDefault(internal.defaults.keyPrefix)
        ),
        // Read only when no key is given: a key in the options makes the variable unnecessary.
        encryptionKey: options.encryptionKey === undefined
          ? Config.redacted("AUTH_PIPELINE_REDIS_ENCRYPTION_KEY")
          : Config.succeed(options.encryptionKey)
      }),
      (config) => layer({ ...config, ...options, encryptionKey: options.encryptionKey ?? config.encryptionKey })
    )
  )
