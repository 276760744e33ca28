/**
 * Where a {@link TokenCache} keeps its current token. The default holds it in a `Ref`; a shared or
 * persistent store (Redis, a file) implements the same three operations.
 *
 * A store shared by several processes (a fleet of replicas) may also implement
 * {@link TokenStore.coordinate}: the cache then hands every token fetch to the store, which runs
 * it in at most one process at a time and shares the result. A {@link Factory} in the context
 * builds such a store for every cache that names its {@link Credential}, so a provider's Layer
 * becomes fleet-wide by providing the factory's Layer.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as AccessToken from "./AccessToken.js"
import type { RefreshPolicy } from "./RefreshPolicy.js"
import type { TokenBudgetExceeded } from "./TokenCache.js"

/**
 * A store operation failed (e.g. the shared store is unreachable, a file cannot be written).
 *
 * @example
 * ```ts
 * import { TokenStore } from "@auth-pipeline/core"
 *
 * const error = new TokenStore.TokenStoreError({ operation: "set", detail: "EACCES: permission denied" })
 * assert.strictEqual(error.message, "Token store set failed: EACCES: permission denied")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenStoreError extends Data.TaggedError("TokenStoreError")<{
  /**
   * The store operation that failed; `fetch`: a coordinated fetch could not be run (the shared
   * store is unreachable, or backing off).
   */
  readonly operation: "get" | "set" | "compareAndSet" | "fetch"
  /** What went wrong, in words; a store must not put token values here. */
  readonly detail: string
}> {
  /**
   * `Token store <operation> failed: <detail>`.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `Token store ${this.operation} failed: ${this.detail}`
  }
}

/**
 * The three operations a {@link TokenCache} needs from the place its current token lives.
 *
 * @example
 * ```ts
 * import { AccessToken, TokenStore } from "@auth-pipeline/core"
 * import { Effect, Option, Ref } from "effect"
 *
 * // the shape of a store: here over a Ref, as `inMemory` does
 * const fromRef = (ref: Ref.Ref<Option.Option<AccessToken.AccessToken>>): TokenStore.TokenStore => ({
 *   get: Ref.get(ref),
 *   set: (token) => Ref.set(ref, token),
 *   compareAndSet: (expected, next) =>
 *     Ref.modify(ref, (current) =>
 *       Option.isSome(current) && AccessToken.sameValue(current.value, expected) ? [true, next] : [false, current])
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenStore {
  /** The current token, if any. Called on every token read: keep it cheap. */
  readonly get: Effect.Effect<Option.Option<AccessToken.AccessToken>, TokenStoreError>
  /** Replaces the current token. */
  readonly set: (token: Option.Option<AccessToken.AccessToken>) => Effect.Effect<void, TokenStoreError>
  /**
   * Atomically replaces the current token with `next` only if the current one carries the same
   * value as `expected`; tells whether it did.
   */
  readonly compareAndSet: (
    expected: AccessToken.AccessToken,
    next: Option.Option<AccessToken.AccessToken>
  ) => Effect.Effect<boolean, TokenStoreError>
  /**
   * Optional, for stores shared by several processes: runs a token fetch on the cache's behalf so
   * that at most one process sharing the store fetches at a time, and the others take its result.
   * Returns the token to serve, already stored (the cache does not `set` it again). Without it the
   * cache fetches itself and `set`s the result.
   *
   * @since 0.1.0
   */
  readonly coordinate?: <E>(
    request: Coordination<E>
  ) => Effect.Effect<AccessToken.AccessToken, E | TokenStoreError | TokenBudgetExceeded>
}

/**
 * What a cache hands to {@link TokenStore.coordinate} when it needs a token.
 *
 * @example
 * ```ts
 * import { AccessToken, TokenStore } from "@auth-pipeline/core"
 * import { Clock, Duration, Effect, Option } from "effect"
 *
 * // coordination within one process: one fetch at a time, and a fiber that waited takes the token
 * // stored meanwhile instead of fetching again
 * const oneAtATime = (store: TokenStore.TokenStore, lock: Effect.Semaphore): TokenStore.TokenStore => ({
 *   ...store,
 *   coordinate: <E>(request: TokenStore.Coordination<E>) =>
 *     lock.withPermits(1)(Effect.gen(function*() {
 *       const latest = yield* store.get
 *       const now = yield* Clock.currentTimeMillis
 *       if (
 *         Option.isSome(latest) && now < request.staleAt(latest.value) &&
 *         !Option.exists(request.current, (c) => AccessToken.sameValue(c, latest.value))
 *       ) return latest.value
 *       const token = yield* request.fetch(latest, Option.getOrElse(request.deadline, () => Duration.seconds(30)))
 *       yield* store.set(Option.some(token))
 *       return token
 *     }))
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Coordination<E> {
  /** The cache's name (spans, metrics, errors). */
  readonly name: string
  /** Why: a caller has no usable token (`foreground`), the refresh ahead of expiry, or `refresh`. */
  readonly trigger: "foreground" | "background" | "forced"
  /** The token this process holds and wants replaced (stale, invalidated), if any. */
  readonly current: Option.Option<AccessToken.AccessToken>
  /** How long the caller waits at most (`None`: a background refresh nobody waits on). */
  readonly deadline: Option.Option<Duration.Duration>
  /**
   * Obtains a new token from the provider, starting from `latest` (the freshest token the store
   * holds, whose refresh token is the one to use), within `limit`. Run only by the process that
   * leads the fetch.
   */
  readonly fetch: (
    latest: Option.Option<AccessToken.AccessToken>,
    limit: Duration.Duration
  ) => Effect.Effect<AccessToken.AccessToken, E>
  /** When `token` stops being served by the cache's policy (epoch milliseconds on the cache's Clock). */
  readonly staleAt: (token: AccessToken.AccessToken) => number
  /** The wait a failure asks for (a 429's or a 503's `Retry-After`), if any. */
  readonly retryAfter: (error: E) => Option.Option<Duration.Duration>
}

/**
 * What identifies a credential, so that a shared store keeps one token per credential: two caches
 * with the same credential share a token, two with different scopes or parameters never do.
 * Holds no secret. `ProviderAuth.credential` builds it from a token endpoint and its request options.
 *
 * @example
 * ```ts
 * import type { TokenStore } from "@auth-pipeline/core"
 *
 * const credential: TokenStore.Credential = {
 *   tokenUrl: "https://auth.example.com/oauth2/token",
 *   clientId: "my-client",
 *   grant: "client_credentials",
 *   scopes: ["payments:read", "payments:write"],
 *   params: [["audience", "https://api.example.com"]]
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Credential {
  /** The token endpoint URL. */
  readonly tokenUrl: string
  /** The OAuth client id. */
  readonly clientId: string
  /** The grant that obtains the token (`client_credentials`, ...). */
  readonly grant: string
  /** The requested scopes. */
  readonly scopes: ReadonlyArray<string>
  /** Every other request parameter (audience, resource, extra), as sent. */
  readonly params: ReadonlyArray<readonly [string, string]>
}

/**
 * What a cache tells a {@link Factory} about itself (`TokenCache.make` asks the factory in context
 * for a store with it when given a `credential` and no `store`).
 *
 * @example
 * ```ts
 * import { RefreshPolicy, TokenStore } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const request: TokenStore.StoreRequest = {
 *   name: "example",
 *   credential: {
 *     tokenUrl: "https://auth.example.com/oauth2/token",
 *     clientId: "my-client",
 *     grant: "client_credentials",
 *     scopes: [],
 *     params: []
 *   },
 *   policy: RefreshPolicy.make({ buffer: "300 seconds" })
 * }
 * // the store the factory in context builds for this cache
 * const store = Effect.flatMap(TokenStore.Factory, (factory) => factory.make(request))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface StoreRequest {
  /** The cache's name. */
  readonly name: string
  /** The credential whose token the store keeps. */
  readonly credential: Credential
  /** The cache's refresh policy (when a stored token stops being fresh). */
  readonly policy: RefreshPolicy
}

/**
 * Builds the store of each token cache that names its {@link Credential} (`TokenCache.Options.credential`,
 * set by every client-credentials provider) when no `store` is given. Provide one (e.g.
 * `RedisTokenStore.layer` from `@auth-pipeline/redis`) to make every provider's cache share its
 * token across processes.
 *
 * @example
 * ```ts
 * import { TokenStore } from "@auth-pipeline/core"
 * import { Effect, Layer } from "effect"
 *
 * // caches of one process with the same credential share one in-memory store
 * const stores = new Map<string, TokenStore.TokenStore>()
 * const SharedInProcess = Layer.succeed(TokenStore.Factory, {
 *   make: (request) => {
 *     const key = JSON.stringify(request.credential)
 *     const existing = stores.get(key)
 *     return existing !== undefined
 *       ? Effect.succeed(existing)
 *       : Effect.tap(TokenStore.inMemory(), (store) => Effect.sync(() => stores.set(key, store)))
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Factory extends Context.Tag("@auth-pipeline/core/TokenStore/Factory")<Factory, {
  readonly make: (request: StoreRequest) => Effect.Effect<TokenStore, never, Scope.Scope>
}>() {}

/**
 * A store in a `Ref`: the embedded default, one per cache.
 *
 * @example
 * ```ts
 * import { AccessToken, TokenStore } from "@auth-pipeline/core"
 * import { Effect, Option, Redacted } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* TokenStore.inMemory()
 *   const first = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0 })
 *   yield* store.set(Option.some(first))
 *   const replaced = yield* store.compareAndSet(first, Option.none())
 *   assert.ok(replaced)
 *   assert.ok(Option.isNone(yield* store.get))
 * })
 * Effect.runSync(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const inMemory = (
  initial: Option.Option<AccessToken.AccessToken> = Option.none()
): Effect.Effect<TokenStore> =>
  Effect.map(Ref.make(initial), (ref): TokenStore => ({
    get: Ref.get(ref),
    set: (token) => Ref.set(ref, token),
    compareAndSet: (expected, next) =>
      Ref.modify(ref, (current) =>
        Option.isSome(current) && AccessToken.sameValue(current.value, expected) ? [true, next] : [false, current])
  }))
