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
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as inspectInternal from "./internal/inspect.js"
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

/**
 * Options of {@link inspect}: where Redis is (`url`, or a `connection` of your own, which stays
 * yours to close), the key prefix the stores use, and optionally their encryption key, with which
 * the inspection also opens each record to tell what token it holds (never its value).
 *
 * @example
 * ```ts
 * import { RedisTokenStore } from "@auth-pipeline/redis"
 * import { Redacted } from "effect"
 *
 * const options: RedisTokenStore.InspectOptions = {
 *   url: "redis://127.0.0.1:6379",
 *   keyPrefix: "payments:",
 *   encryptionKey: Redacted.make("at least 32 random bytes, e.g. openssl rand -base64 32")
 * }
 * ```
 *
 * @since 0.1.0
 * @category inspection
 */
export interface InspectOptions {
  /** `redis://host:port` (or `rediss://`). Default `redis://127.0.0.1:6379`. */
  readonly url?: string | undefined
  /** A connection of your own instead of `url` (not closed by the inspection). */
  readonly connection?: RedisConnection | undefined
  /** The prefix of the stores' keys. Default `"auth-pipeline:"`. */
  readonly keyPrefix?: string | undefined
  /** The stores' encryption key: with it each record is opened and summarized. */
  readonly encryptionKey?: Redacted.Redacted<string> | undefined
  /** How long one Redis command may take. Default 500 ms. */
  readonly commandTimeout?: Duration.DurationInput | undefined
}

/**
 * Options of {@link clear}: those of {@link inspect} without the encryption key, and the `hash` of
 * the one credential to clear (as {@link inspect} lists it); without it every credential under
 * the prefix is cleared.
 *
 * @example
 * ```ts
 * import { RedisTokenStore } from "@auth-pipeline/redis"
 *
 * const one: RedisTokenStore.ClearOptions = {
 *   url: "redis://127.0.0.1:6379",
 *   hash: "3f1c0d6e9a8b7c6d5e4f3a2b1c0d9e8f"
 * }
 * ```
 *
 * @since 0.1.0
 * @category inspection
 */
export interface ClearOptions extends Omit<InspectOptions, "encryptionKey"> {
  /** The credential to clear; every credential under the prefix when absent. */
  readonly hash?: string | undefined
}

/**
 * What an opened record holds, without any token value: type, scopes, issue and expiry times
 * (epoch milliseconds), whether a refresh token and an ID token are there.
 *
 * @example
 * ```ts
 * import type { RedisTokenStore } from "@auth-pipeline/redis"
 *
 * const summary: RedisTokenStore.TokenSummary = {
 *   tokenType: "Bearer",
 *   scopes: ["payments"],
 *   issuedAt: 1_700_000_000_000,
 *   expiresAt: 1_700_003_600_000,
 *   refreshToken: false,
 *   idToken: false
 * }
 * ```
 *
 * @since 0.1.0
 * @category inspection
 */
export interface TokenSummary {
  /** The token type, e.g. `Bearer`. */
  readonly tokenType: string
  /** The granted scopes. */
  readonly scopes: ReadonlyArray<string>
  /** When it was issued (epoch ms). */
  readonly issuedAt: number
  /** `null`: the token did not say when it expires. */
  readonly expiresAt: number | null
  /** Whether a refresh token is stored with it (never its value). */
  readonly refreshToken: boolean
  /** Whether an ID token is stored with it (never its value). */
  readonly idToken: boolean
}

/**
 * One credential's keys as {@link inspect} finds them: its hash (the non-secret name of the
 * credential in its keys), the record's version, until when (Redis time, epoch ms) its token is
 * served, consecutive failures, whether a lease is held and for how much longer (never its owner),
 * the fleet's remaining hold-off, the issues counted in the budget window, and what the sealed
 * data is: `none` (no token), `sealed` (no key given), `opened` (then `token` summarizes it) or
 * `unopenable` (another key, or altered).
 *
 * @example
 * ```ts
 * import type { RedisTokenStore } from "@auth-pipeline/redis"
 *
 * const record: RedisTokenStore.CredentialRecord = {
 *   hash: "3f1c0d6e9a8b7c6d5e4f3a2b1c0d9e8f",
 *   version: 1_700_000_000_000,
 *   freshUntil: 1_700_003_300_000,
 *   failures: 0,
 *   lease: { held: false, remainingMillis: null },
 *   backoffMillis: null,
 *   budgetCount: 1,
 *   data: "sealed",
 *   token: null
 * }
 * ```
 *
 * @since 0.1.0
 * @category inspection
 */
export interface CredentialRecord {
  /** The credential's hash, between the braces of its keys (not secret). */
  readonly hash: string
  /** `null`: no record (only a lease, hold-off or budget key). */
  readonly version: number | null
  /** Until when (Redis time, epoch ms) replicas serve the record's token; `null`: no record. */
  readonly freshUntil: number | null
  /** Consecutive failed fetches recorded. */
  readonly failures: number
  /** Whether a replica holds the lease, and its remaining TTL in ms (never the owner). */
  readonly lease: { readonly held: boolean; readonly remainingMillis: number | null }
  /** The fleet's remaining hold-off after a failure, in ms; `null`: none. */
  readonly backoffMillis: number | null
  /** Token issues counted in the budget window (0 without a budget). */
  readonly budgetCount: number
  /** What the sealed data is: no token, sealed (no key given), opened, or not opening with the key. */
  readonly data: "none" | "sealed" | "opened" | "unopenable"
  /** The token's summary when `data` is `opened`, else `null`. */
  readonly token: TokenSummary | null
}

/**
 * The result of {@link inspect}: the prefix, Redis's clock when it was read (epoch ms; compare
 * `freshUntil` with it) and every credential found under the prefix, sorted by hash.
 *
 * @example
 * ```ts
 * import type { RedisTokenStore } from "@auth-pipeline/redis"
 *
 * const empty: RedisTokenStore.Inspection = { keyPrefix: "auth-pipeline:", now: 1_700_000_000_000, records: [] }
 * ```
 *
 * @since 0.1.0
 * @category inspection
 */
export interface Inspection {
  /** The key prefix inspected. */
  readonly keyPrefix: string
  /** Redis's clock when it was read (epoch ms). */
  readonly now: number
  /** Every credential found, sorted by hash. */
  readonly records: ReadonlyArray<CredentialRecord>
}

/**
 * The result of {@link clear}: the credentials whose keys were deleted, and how many keys.
 *
 * @example
 * ```ts
 * import type { RedisTokenStore } from "@auth-pipeline/redis"
 *
 * const result: RedisTokenStore.ClearResult = { hashes: ["3f1c0d6e9a8b7c6d5e4f3a2b1c0d9e8f"], deletedKeys: 2 }
 * ```
 *
 * @since 0.1.0
 * @category inspection
 */
export interface ClearResult {
  /** The credentials that had keys deleted. */
  readonly hashes: ReadonlyArray<string>
  /** How many keys were deleted. */
  readonly deletedKeys: number
}

/**
 * Redis could not be reached or a command failed, in {@link inspect} or {@link clear}. `url` has
 * no user or password.
 *
 * @example
 * ```ts
 * import { RedisTokenStore } from "@auth-pipeline/redis"
 *
 * const error = new RedisTokenStore.RedisUnavailable({ url: "redis://127.0.0.1:6379", detail: "connect ECONNREFUSED" })
 * error.message // "Redis unavailable at redis://127.0.0.1:6379: connect ECONNREFUSED"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisUnavailable extends Data.TaggedError("RedisUnavailable")<{
  readonly url: string
  readonly detail: string
}> {
  /**
   * One line: where and why.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `Redis unavailable at ${this.url}: ${this.detail}`
  }
}

/**
 * Lists every credential record under the key prefix (SCAN, then plain reads of each
 * credential's keys) with what an operator needs to know, and never a token value or a lease
 * owner. With `encryptionKey` each record is opened to summarize its token. Opens its own
 * connection to `url` (closed when done) unless given one; fails with {@link RedisUnavailable}.
 *
 * @example
 * ```ts
 * import { RedisTokenStore } from "@auth-pipeline/redis"
 * import { Effect } from "effect"
 *
 * // connects when run
 * const versions = RedisTokenStore.inspect({ url: "redis://127.0.0.1:6379" }).pipe(
 *   Effect.map((inspection) => inspection.records.map((r) => [r.hash, r.version] as const))
 * )
 * ```
 *
 * @since 0.1.0
 * @category inspection
 */
export const inspect = (options: InspectOptions): Effect.Effect<Inspection, RedisUnavailable> =>
  inspectInternal.inspect(options)

/**
 * Deletes the keys (record, lease, hold-off, budget) of one credential (`hash`) or of every
 * credential under the prefix. Replicas running meanwhile keep serving the token they hold and
 * write a new record with their next token. Fails with {@link RedisUnavailable}.
 *
 * @example
 * ```ts
 * import { RedisTokenStore } from "@auth-pipeline/redis"
 *
 * // connects when run
 * const clearAll = RedisTokenStore.clear({ url: "redis://127.0.0.1:6379", keyPrefix: "payments:" })
 * ```
 *
 * @since 0.1.0
 * @category inspection
 */
export const clear = (options: ClearOptions): Effect.Effect<ClearResult, RedisUnavailable> =>
  inspectInternal.clear(options)
