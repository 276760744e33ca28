/**
 * A token cache: the current token in a {@link TokenStore} (a `Ref` by default), one token request
 * per lifetime however many fibers ask (single-flight), a refresh margin, a background refresh
 * fiber owned by the cache's Scope, compare-and-invalidate, refresh tokens, bounded retries of
 * transient failures and an optional token budget.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { AccessToken } from "./AccessToken.js"
import * as internal from "./internal/tokenCache.js"
import type { RefreshPolicyInput } from "./RefreshPolicy.js"
import type { OAuthError } from "./TokenError.js"
import type { Credential, TokenStore, TokenStoreError } from "./TokenStore.js"

/**
 * There is no usable token and none can be obtained without the user: no source to acquire one
 * (`NoToken`), or the refresh token was rejected with `invalid_grant` (`RefreshRejected`, the
 * refresh token has been cleared). For user tokens this means "login required".
 *
 * @example
 * ```ts
 * import { TokenCache } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * // for a user token: no session, or the refresh token was refused: ask the user to log in again
 * const token = (cache: TokenCache.TokenCache<never>) =>
 *   cache.get.pipe(
 *     Effect.catchTag("ReauthenticationRequired", (error) => Effect.logInfo(`login required: ${error.reason}`))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ReauthenticationRequired extends Data.TaggedError("ReauthenticationRequired")<{
  /** `NoToken` (nothing stored and no `acquire`) or `RefreshRejected` (`invalid_grant` on refresh). */
  readonly reason: "NoToken" | "RefreshRejected"
  /** The cache's name. */
  readonly cache: string
  /** The server's answer, for `RefreshRejected`. */
  readonly oauthError?: OAuthError | undefined
}> {
  /**
   * Names the cache and, for `RefreshRejected`, the server's error code.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return this.reason === "NoToken"
      ? `Re-authentication required (${this.cache}): there is no token and no way to acquire one`
      : `Re-authentication required (${this.cache}): the refresh token was rejected (${
        this.oauthError?.error ?? "invalid_grant"
      })`
  }
}

/**
 * The token budget guard refused to send another token request: `limit` tokens were already
 * obtained in the last `window`.
 *
 * @example
 * ```ts
 * import { TokenCache } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const token = (cache: TokenCache.TokenCache<never>) =>
 *   cache.get.pipe(
 *     Effect.catchTag("TokenBudgetExceeded", (error) =>
 *       Effect.logWarning(`no token before ${new Date(error.retryAt).toISOString()}`))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenBudgetExceeded extends Data.TaggedError("TokenBudgetExceeded")<{
  /** The cache's name. */
  readonly cache: string
  /** The budget: how many tokens may be obtained per `window`. */
  readonly limit: number
  /** The sliding window the budget counts over. */
  readonly window: Duration.Duration
  /** Epoch milliseconds at which the next request would be allowed. */
  readonly retryAt: number
}> {
  /**
   * Names the cache, the limit and the moment the next request is allowed.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `Token budget exceeded (${this.cache}): ${this.limit} tokens already obtained in the window; next allowed at ${
      new Date(this.retryAt).toISOString()
    }`
  }
}

/**
 * A fetch a caller waits on got no token within the cache's `retry.deadline` (all attempts and
 * the waits between them): the token endpoint hangs or keeps failing. The fetch was stopped; the
 * next caller starts a new one.
 *
 * @example
 * ```ts
 * import { TokenCache } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * // An endpoint that never answers: the caller gets TokenDeadlineExceeded after 1 second.
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const cache = yield* TokenCache.make({ acquire: Effect.never, retry: { deadline: "1 second" } })
 *   const error = yield* Effect.flip(cache.get)
 *   assert.strictEqual(error._tag, "TokenDeadlineExceeded")
 * }))
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenDeadlineExceeded extends Data.TaggedError("TokenDeadlineExceeded")<{
  /** The cache's name. */
  readonly cache: string
  /** The deadline that passed. */
  readonly deadline: Duration.Duration
}> {
  /**
   * Names the cache and the deadline that passed.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `No token within ${
      Duration.format(this.deadline)
    } (${this.cache}): the token endpoint did not answer in time`
  }
}

/**
 * Retries of transient token endpoint failures (network, 5xx, 429): `maxRetries` more attempts,
 * exponential backoff from `baseDelay` doubling up to `maxDelay`, and the `Retry-After` of a 429
 * or a 503 honoured when it is at most `maxRetryAfter` (beyond that the error is returned at once).
 *
 * @example
 * ```ts
 * import type { TokenCache } from "@auth-pipeline/core"
 *
 * const retry: TokenCache.RetryOptions = { maxRetries: 5, baseDelay: "500 millis", maxDelay: "30 seconds" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions {
  /** Retries after the first attempt. Default 3. */
  readonly maxRetries?: number | undefined
  /** The first backoff delay, doubling per retry (±20 %). Default 250 ms. */
  readonly baseDelay?: Duration.DurationInput | undefined
  /** The longest backoff delay. Default 10 s. */
  readonly maxDelay?: Duration.DurationInput | undefined
  /** The longest `Retry-After` waited for; a longer one fails at once. Default 60 s. */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /**
   * How long a caller waits at most for a fetch (`get`, `refresh`): every attempt and the waits
   * between them, on top of the endpoint's per-attempt timeout. When it passes the fetch is
   * stopped and fails with {@link TokenDeadlineExceeded}; a retry whose wait would end past it is
   * not made (the last error is returned at once). Background refreshes have their own schedule
   * and no deadline. Default {@link defaultDeadline} (30 s); `Duration.infinity` turns it off.
   */
  readonly deadline?: Duration.DurationInput | undefined
}

/**
 * The default {@link RetryOptions.deadline} of a fetch a caller waits on.
 *
 * @example
 * ```ts
 * import { TokenCache } from "@auth-pipeline/core"
 * import { Duration } from "effect"
 *
 * // Twice the default for a slow identity provider.
 * const retry: TokenCache.RetryOptions = { deadline: Duration.times(TokenCache.defaultDeadline, 2) }
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultDeadline: Duration.Duration = Duration.seconds(30)

/**
 * What {@link make} needs: where tokens come from (`acquire`, `refresh`), where the current one lives, and
 * the refresh, retry and budget settings.
 *
 * @example
 * ```ts
 * import { ClientAuthentication, Grant, TokenCache, TokenEndpoint, type TokenError } from "@auth-pipeline/core"
 * import type { HttpClient } from "@effect/platform"
 * import { Redacted } from "effect"
 *
 * const endpoint = TokenEndpoint.make({
 *   url: "https://auth.example.com/oauth2/token",
 *   clientAuthentication: ClientAuthentication.clientSecretBasic("my-client", Redacted.make("s3cret"))
 * })
 * const options: TokenCache.Options<TokenError.TokenError, HttpClient.HttpClient> = {
 *   name: "example",
 *   acquire: Grant.clientCredentials(endpoint),
 *   refresh: (refreshToken) => Grant.refreshToken(endpoint, refreshToken),
 *   policy: { buffer: "300 seconds" },
 *   budget: { maxRequests: 100, window: "1 hour" }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<E, R> {
  /** A name for spans, metrics and errors (e.g. the provider). Default `"default"`. */
  readonly name?: string | undefined
  /** Obtains a token from scratch (e.g. a client_credentials grant). */
  readonly acquire?: Effect.Effect<AccessToken, E, R> | undefined
  /** Exchanges a refresh token for a new token (the refresh_token grant). */
  readonly refresh?: ((refreshToken: Redacted.Redacted<string>) => Effect.Effect<AccessToken, E, R>) | undefined
  /**
   * Where the current token lives. Default: the store a `TokenStore.Factory` in the context builds
   * for {@link Options.credential} when both are there (e.g. a Redis store shared by a fleet), else
   * in memory.
   */
  readonly store?: TokenStore | undefined
  /**
   * What identifies the credential this cache holds a token for (token URL, client id, grant,
   * scopes, parameters), so that a `TokenStore.Factory` keeps one shared token per credential.
   * Set by `ProviderAuth.clientCredentials`.
   */
  readonly credential?: Credential | undefined
  /** Margin, default lifetime and jitter; see `RefreshPolicy`. */
  readonly policy?: RefreshPolicyInput | undefined
  /**
   * Refresh in the background before the margin is reached. Default `true`. A failed background
   * refresh is retried on its own schedule (1 s doubling up to 60 s, with jitter) until the token
   * truly expires; meanwhile the still-valid token is served.
   */
  readonly backgroundRefresh?: boolean | undefined
  /**
   * Retries of transient failures of a fetch a caller waits on. Defaults: 3 retries, 250 ms
   * doubling to 10 s, Retry-After up to 60 s, all within a 30 s deadline.
   */
  readonly retry?: RetryOptions | undefined
  /**
   * At most `maxRequests` tokens obtained per `window`; a request beyond it fails with
   * `TokenBudgetExceeded` instead of reaching the provider. Failed attempts do not count (they are
   * bounded by `retry`), so an outage cannot use the budget up. Off by default.
   */
  readonly budget?: { readonly maxRequests: number; readonly window: Duration.DurationInput } | undefined
  /** Which failures of the source are transient. Default: `TokenError.isTransient` for token errors. */
  readonly isTransient?: ((error: E) => boolean) | undefined
  /**
   * Runs each token fetch (refresh or acquire, with its retries) while holding a lock shared by
   * every holder of the same store: other browser tabs (`navigator.locks`), other processes.
   * Inside the lock the fetch reads the store again, and when another holder replaced the token
   * it was about to refresh with a usable one, it takes that one instead of sending a request:
   * so holders sharing a rotating refresh token never spend it twice. Default: no lock (fetches
   * are single-flight within this cache only).
   */
  readonly lock?: (<A, E2, R2>(effect: Effect.Effect<A, E2, R2>) => Effect.Effect<A, E2, R2>) | undefined
}

/**
 * What a cache read can fail with: the source's error `E`, or the cache's own errors.
 *
 * @example
 * ```ts
 * import type { TokenCache, TokenError } from "@auth-pipeline/core"
 *
 * const isLoginRequired = (error: TokenCache.TokenCacheError<TokenError.TokenError>): boolean =>
 *   error._tag === "ReauthenticationRequired"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TokenCacheError<E> =
  | E
  | ReauthenticationRequired
  | TokenBudgetExceeded
  | TokenDeadlineExceeded
  | TokenStoreError

/**
 * A cache of one token: read it with `get`, drop it after a 401 with `invalidate`, seed it after a login
 * with `set`. Build one with {@link make}.
 *
 * @example
 * ```ts
 * import { AccessToken, TokenCache } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * // after a 401 for `sent`: drop it unless another fiber already replaced it, then read again
 * const afterUnauthorized = (cache: TokenCache.TokenCache<never>, sent: AccessToken.AccessToken) =>
 *   Effect.zipRight(cache.invalidate(sent), cache.get)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenCache<E> {
  /** The cache's name. */
  readonly name: string
  /**
   * A usable token: the cached one while fresh, else the result of the one fetch in flight. With
   * background refresh on, a token past its margin but not yet expired is still served while the
   * background fiber refreshes it. A failure is delivered to the callers of that fetch and is not
   * cached.
   */
  readonly get: Effect.Effect<AccessToken, TokenCacheError<E>>
  /** Fetches a new token now, even if the current one is fresh (joins a fetch in flight). */
  readonly refresh: Effect.Effect<AccessToken, TokenCacheError<E>>
  /**
   * Marks `token` as unusable, only if it is still the current one (compare-and-invalidate); its
   * refresh token is kept for the next fetch. Tells whether it was current.
   */
  readonly invalidate: (token: AccessToken) => Effect.Effect<boolean, TokenStoreError>
  /** Puts a token in the cache (e.g. one obtained by a login) and schedules its refresh. */
  readonly set: (token: AccessToken) => Effect.Effect<void, TokenStoreError>
  /** Drops the current token and its refresh token (e.g. logout). */
  readonly clear: Effect.Effect<void, TokenStoreError>
  /** The current token as stored, fresh or not, without fetching. */
  readonly current: Effect.Effect<Option.Option<AccessToken>, TokenStoreError>
}

/**
 * Builds a token cache whose background refresh fiber and fetches live in the current Scope:
 * closing the scope stops them.
 *
 * @example
 * ```ts
 * import { AccessToken, TokenCache } from "@auth-pipeline/core"
 * import { Clock, Effect, Option, Redacted } from "effect"
 *
 * let requests = 0
 * const acquire = Effect.gen(function*() {
 *   requests++
 *   const now = yield* Clock.currentTimeMillis
 *   const expiresAt = Option.some(now + 3_600_000)
 *   return AccessToken.make({ value: Redacted.make(`at-${requests}`), issuedAt: now, expiresAt })
 * })
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const cache = yield* TokenCache.make({ name: "example", acquire })
 *   yield* Effect.all([cache.get, cache.get, cache.get], { concurrency: "unbounded" })
 *   assert.strictEqual(requests, 1) // one token request for all callers
 * }))
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <E = never, R = never>(
  options: Options<E, R>
) => Effect.Effect<TokenCache<E>, never, R | Scope.Scope> = internal.make
