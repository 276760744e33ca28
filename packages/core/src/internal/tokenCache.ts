import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberHandle from "effect/FiberHandle"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import { AccessToken, sameValue } from "../AccessToken.js"
import * as Metrics from "../Metrics.js"
import * as RefreshPolicy from "../RefreshPolicy.js"
import type { Options, TokenCache, TokenCacheError } from "../TokenCache.js"
import { defaultDeadline, ReauthenticationRequired, TokenBudgetExceeded, TokenDeadlineExceeded } from "../TokenCache.js"
import * as TokenError from "../TokenError.js"
import * as TokenStore from "../TokenStore.js"
import { annotateOutcome, errorType } from "./telemetry.js"

type Trigger = "foreground" | "background" | "forced"

const tokenErrorTags: ReadonlySet<string> = new Set([
  "OAuthError",
  "TokenRequestError",
  "TokenResponseError",
  "RateLimitedError"
])

const isTokenError = (u: unknown): u is TokenError.TokenError =>
  typeof u === "object" && u !== null && "_tag" in u && tokenErrorTags.has(u._tag as string)

const isInvalidGrant = (u: unknown): u is TokenError.OAuthError =>
  isTokenError(u) && u._tag === "OAuthError" && u.error === "invalid_grant"

const errorMessage = (u: unknown): string => (u instanceof Error ? u.message : errorType(u))

/** A copy of the token that expired at `now`: unusable, but its refresh token is kept. */
const expired = (token: AccessToken, now: number): AccessToken =>
  new AccessToken({ ...token, expiresAt: Option.some(Math.min(now, Option.getOrElse(token.expiresAt, () => now))) })

/**
 * What a refreshed token inherits from the one it replaces (RFC 6749 §6): the refresh token when
 * the response carries none, and the granted scopes when the response names none.
 */
const inherit = (token: AccessToken, previous: AccessToken): AccessToken => {
  const keepRefresh = Option.isNone(token.refreshToken) && Option.isSome(previous.refreshToken)
  const keepScopes = token.scopes.length === 0 && previous.scopes.length > 0
  return keepRefresh || keepScopes
    ? new AccessToken({
      ...token,
      refreshToken: keepRefresh ? previous.refreshToken : token.refreshToken,
      scopes: keepScopes ? previous.scopes : token.scopes
    })
    : token
}

export const make = <E, R>(options: Options<E, R>): Effect.Effect<TokenCache<E>, never, R | Scope.Scope> =>
  Effect.gen(function*() {
    if (options.acquire === undefined && options.refresh === undefined) {
      return yield* Effect.dieMessage("TokenCache.make needs `acquire`, `refresh` or both")
    }
    const name = options.name ?? "default"
    const policy = RefreshPolicy.make(options.policy)
    // A store shared by a fleet comes from a factory in the context, one per credential.
    const factory = options.store === undefined && options.credential !== undefined
      ? yield* Effect.serviceOption(TokenStore.Factory)
      : Option.none()
    const store = options.store ??
      (Option.isSome(factory) && options.credential !== undefined
        ? yield* factory.value.make({ name, credential: options.credential, policy })
        : yield* TokenStore.inMemory())
    const background = options.backgroundRefresh ?? true
    const maxRetries = options.retry?.maxRetries ?? 3
    const baseDelay = Duration.toMillis(options.retry?.baseDelay ?? "250 millis")
    const maxDelay = Duration.toMillis(options.retry?.maxDelay ?? "10 seconds")
    const maxRetryAfter = Duration.toMillis(options.retry?.maxRetryAfter ?? "60 seconds")
    const deadline = Duration.decode(options.retry?.deadline ?? defaultDeadline)
    const isTransient = options.isTransient ?? ((e: E) => isTokenError(e) && TokenError.isTransient(e))
    const scope = yield* Effect.scope
    const context = yield* Effect.context<R>()
    const acquire = options.acquire === undefined ? undefined : Effect.provide(options.acquire, context)
    const refreshWith = options.refresh
    type Flight = Deferred.Deferred<AccessToken, TokenCacheError<E>>
    const inflight = yield* Ref.make(Option.none<Flight>())
    const refresher = yield* FiberHandle.make<void, never>()
    const budgetLog = yield* Ref.make<ReadonlyArray<number>>([])

    const hits = Metric.tagged(Metrics.cacheHits, Metrics.providerTag, name)
    const bgRefreshes = Metric.tagged(Metrics.backgroundRefreshes, Metrics.providerTag, name)
    const bgFailures = Metric.tagged(Metrics.backgroundRefreshFailures, Metrics.providerTag, name)
    const failures = Metric.tagged(Metrics.failures, Metrics.providerTag, name)
    const waits = Metric.tagged(Metrics.waits, Metrics.providerTag, name)
    const waitDuration = Metric.tagged(Metrics.waitDuration, Metrics.providerTag, name)
    const expiresInGauge = Metric.tagged(Metrics.expiresIn, Metrics.providerTag, name)
    const expiryGauge = Metric.tagged(Metrics.expiryTimestamp, Metrics.providerTag, name)

    // The budget counts tokens obtained in the window; failed attempts are bounded by the retry
    // policy instead, so an outage of the token endpoint cannot use the budget up.
    const budget = options.budget === undefined ? undefined : {
      limit: options.budget.maxRequests,
      window: Duration.decode(options.budget.window),
      windowMillis: Duration.toMillis(Duration.decode(options.budget.window))
    }
    const checkBudget: Effect.Effect<void, TokenBudgetExceeded> = budget === undefined
      ? Effect.void
      : Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(
          Ref.modify(budgetLog, (log): [Option.Option<number>, ReadonlyArray<number>] => {
            const recent = log.filter((t) => t > now - budget.windowMillis)
            return [
              recent.length >= budget.limit ? Option.some(recent[0]! + budget.windowMillis) : Option.none(),
              recent
            ]
          }),
          Option.match({
            onNone: () => Effect.void,
            onSome: (retryAt) =>
              Effect.fail(new TokenBudgetExceeded({ cache: name, limit: budget.limit, window: budget.window, retryAt }))
          })
        ))
    const recordIssued: Effect.Effect<void> = budget === undefined
      ? Effect.void
      : Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.update(budgetLog, (log) => [...log, now]))

    // Whole milliseconds: fractional sleeps would leave the clock a hair short of a deadline.
    const backoff = (attempt: number, base: number, max: number) =>
      Effect.map(Random.nextRange(0.8, 1.2), (r) => Math.ceil(Math.min(max, base * 2 ** attempt) * r))

    /**
     * Sends token requests through the budget guard, retrying transient failures with backoff;
     * with a deadline, all of it within the deadline (a retry that would start after it is not made).
     */
    const attempts = (
      source: Effect.Effect<AccessToken, E>,
      maxRetries: number,
      deadline: Option.Option<Duration.Duration>
    ): Effect.Effect<AccessToken, E | TokenBudgetExceeded | TokenDeadlineExceeded> => {
      const loop = (attempt: number, deadlineAt: number): Effect.Effect<AccessToken, E | TokenBudgetExceeded> =>
        checkBudget.pipe(
          Effect.zipRight(
            // The token request's own metrics (Metrics.tokenRequests, ...) carry this cache's name.
            Effect.tap(Effect.tagMetrics(source, Metrics.providerTag, name), () => recordIssued)
          ),
          Effect.catchAll((error) => {
            if (error instanceof TokenBudgetExceeded || attempt >= maxRetries || !isTransient(error as E)) {
              return Effect.fail(error)
            }
            const retryAfter = isTokenError(error)
              ? Option.map(TokenError.retryAfter(error), Duration.toMillis)
              : Option.none()
            if (Option.isSome(retryAfter) && retryAfter.value > maxRetryAfter) return Effect.fail(error)
            return Effect.flatMap(backoff(attempt, baseDelay, maxDelay), (delay) => {
              const wait = Math.max(delay, Option.getOrElse(retryAfter, () => 0))
              return Effect.flatMap(Clock.currentTimeMillis, (now) =>
                // No retry that could only start after the deadline: the real error now, not a timeout later.
                now + wait >= deadlineAt
                  ? Effect.fail(error)
                  : Effect.zipRight(Effect.sleep(Duration.millis(wait)), loop(attempt + 1, deadlineAt)))
            })
          })
        )
      if (Option.isNone(deadline) || !Duration.isFinite(deadline.value)) return loop(0, Infinity)
      const limit = deadline.value
      return Effect.flatMap(Clock.currentTimeMillis, (start) =>
        loop(0, start + Duration.toMillis(limit)).pipe(
          Effect.timeoutFail({
            duration: limit,
            onTimeout: () => new TokenDeadlineExceeded({ cache: name, deadline: limit })
          })
        ))
    }

    // Bumped by set() and clear(): a fetch that started before them must not overwrite their result.
    const epoch = yield* Ref.make(0)
    const persist = (token: AccessToken) =>
      store.set(Option.some(token)).pipe(
        Effect.zipRight(schedule(token)),
        Effect.zipRight(Effect.sync(() => reportExpiry(token, clock.unsafeCurrentTimeMillis()))),
        Effect.as(token)
      )
    const save = (token: AccessToken, startedAt: number): Effect.Effect<AccessToken, TokenCacheError<E>> =>
      Effect.flatMap(Ref.get(epoch), (now) =>
        now === startedAt
          ? persist(token)
          // A set() or clear() came while this fetch was in flight: its result wins, also for the
          // callers waiting on the fetch (after a logout or a login as someone else, the fetched
          // token belongs to a session that is gone). A client-credentials token stays usable.
          : Effect.flatMap(store.get, (current) =>
            Option.isSome(current)
              ? Effect.succeed(current.value)
              : acquire === undefined
              ? Effect.fail(new ReauthenticationRequired({ reason: "NoToken", cache: name }))
              : Effect.succeed(token)))

    const lock = options.lock ?? ((effect) => effect)

    /**
     * Obtains a token from the provider, starting from `current`: the refresh_token grant when it
     * has a refresh token, else `acquire`. The flag tells whether the token is new (to be stored).
     */
    const obtain = (
      current: Option.Option<AccessToken>,
      retries: number,
      within: Option.Option<Duration.Duration>
    ): Effect.Effect<readonly [AccessToken, boolean], TokenCacheError<E>> =>
      Effect.gen(function*() {
        const refreshable = Option.filter(current, (t) => Option.isSome(t.refreshToken))
        if (refreshWith !== undefined && Option.isSome(refreshable)) {
          const previous = refreshable.value
          const refreshToken = Option.getOrThrow(previous.refreshToken)
          yield* Effect.annotateCurrentSpan("auth_pipeline.grant_type", "refresh_token")
          const result = yield* Effect.either(
            attempts(Effect.provide(refreshWith(refreshToken), context), retries, within)
          )
          if (Either.isRight(result)) return [inherit(result.right, previous), true] as const
          if (!isInvalidGrant(result.left)) return yield* Effect.fail(result.left)
          // The refresh token is dead: drop it (the access token, if still valid, stays usable).
          const dropped = yield* store.compareAndSet(
            previous,
            Option.some(new AccessToken({ ...previous, refreshToken: Option.none() }))
          )
          if (!dropped) {
            // Someone sharing the store (another process) refreshed first: its token wins.
            const latest = yield* store.get
            if (Option.isSome(latest) && usable(latest.value, yield* Clock.currentTimeMillis)) {
              return [latest.value, false] as const
            }
          }
          if (acquire === undefined) {
            return yield* Effect.fail(
              new ReauthenticationRequired({ reason: "RefreshRejected", cache: name, oauthError: result.left })
            )
          }
        }
        if (acquire === undefined) {
          return yield* Effect.fail(new ReauthenticationRequired({ reason: "NoToken", cache: name }))
        }
        yield* Effect.annotateCurrentSpan("auth_pipeline.grant_type", "acquire")
        return [yield* attempts(acquire, retries, within), true] as const
      })

    /** A token a shared store already holds (its `coordinate` stored it): scheduled, not stored again. */
    const adopt = (token: AccessToken, startedAt: number): Effect.Effect<AccessToken, TokenCacheError<E>> =>
      Effect.flatMap(Ref.get(epoch), (now) =>
        now === startedAt
          ? Effect.as(schedule(token), token)
          : Effect.flatMap(store.get, (current) =>
            Option.isSome(current)
              ? Effect.succeed(current.value)
              : acquire === undefined
              ? Effect.fail(new ReauthenticationRequired({ reason: "NoToken", cache: name }))
              : Effect.succeed(token)))

    /**
     * One fetch. `basis` is the token the caller saw when it decided to fetch. With a store that
     * coordinates fetches across processes, the store decides who fetches (and hands that process
     * the latest stored token, whose refresh token is the one to use); the others take its result.
     */
    const doFetch = (
      trigger: Trigger,
      basis: Option.Option<AccessToken>
    ): Effect.Effect<AccessToken, TokenCacheError<E>> =>
      Effect.gen(function*() {
        // A background refresh has its own slower retry loop (refreshAhead): no quick retries here,
        // and no deadline (nobody waits on it; each attempt has the endpoint's timeout).
        const retries = trigger === "background" ? 0 : maxRetries
        const within = trigger === "background" ? Option.none() : Option.some(deadline)
        const startedAt = yield* Ref.get(epoch)
        const current = yield* store.get
        if (Option.isSome(current) && usable(current.value, yield* Clock.currentTimeMillis)) {
          if (trigger === "foreground") {
            // Stored meanwhile (by the fetch before this one, or another replica sharing the store).
            return current.value
          }
          if (Option.isSome(basis) && !sameValue(current.value, basis.value)) {
            // Another holder of the store (a tab, a process) refreshed the token this fetch was
            // about to refresh while it waited for the lock: take theirs, and refresh it in turn.
            yield* schedule(current.value)
            return current.value
          }
        }
        const coordinate = store.coordinate
        if (coordinate === undefined) {
          const [token, fresh] = yield* obtain(current, retries, within)
          return fresh ? yield* save(token, startedAt) : token
        }
        const coordinated = coordinate<TokenCacheError<E>>({
          name,
          trigger,
          current,
          deadline: within,
          fetch: (latest, limit) =>
            Effect.map(
              obtain(
                latest,
                retries,
                Option.some(Option.match(within, { onNone: () => limit, onSome: (d) => Duration.min(d, limit) }))
              ),
              ([token]) => token
            ),
          staleAt: (token) => RefreshPolicy.staleAt(policy, token),
          retryAfter: (error) => isTokenError(error) ? TokenError.retryAfter(error) : Option.none()
        })
        // The whole of it (waiting for another process, then perhaps fetching) within the deadline.
        const bounded = Option.isSome(within) && Duration.isFinite(within.value)
          ? Effect.timeoutFail(coordinated, {
            duration: within.value,
            onTimeout: () => new TokenDeadlineExceeded({ cache: name, deadline: within.value })
          })
          : coordinated
        return yield* adopt(yield* bounded, startedAt)
      }).pipe(
        lock,
        Effect.tapError((e) => Metric.increment(Metric.tagged(failures, "error_type", errorType(e)))),
        annotateOutcome,
        Effect.withSpan("auth_pipeline.token_cache.fetch", {
          attributes: { "auth_pipeline.provider": name, "auth_pipeline.trigger": trigger }
        })
      )

    /** Single-flight: the first caller starts the fetch in the cache's scope, everyone awaits it. */
    const fetch = (
      trigger: Trigger,
      basis: Option.Option<AccessToken>
    ): Effect.Effect<AccessToken, TokenCacheError<E>> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(Deferred.make<AccessToken, TokenCacheError<E>>(), (fresh) =>
          Effect.flatMap(
            Ref.modify(
              inflight,
              (current: Option.Option<Flight>): readonly [readonly [Flight, boolean], Option.Option<Flight>] =>
                Option.isSome(current) ? [[current.value, false], current] : [[fresh, true], Option.some(fresh)]
            ),
            ([deferred, leader]) =>
              leader
                ? Effect.zipRight(
                  Effect.forkIn(
                    // The fetch itself is interruptible (its timeout, closing the scope); only the
                    // bookkeeping around it is not.
                    Effect.interruptible(doFetch(trigger, basis)).pipe(
                      Effect.onExit((exit) =>
                        Effect.zipRight(Ref.set(inflight, Option.none()), Deferred.done(deferred, exit))
                      )
                    ),
                    scope
                  ),
                  restore(Deferred.await(deferred))
                )
                : restore(Deferred.await(deferred))
          ))
      )

    /** Refreshes `token` a little before its margin; on failure retries until it truly expires. */
    const refreshAhead = (token: AccessToken): Effect.Effect<void> =>
      Effect.gen(function*() {
        const at = RefreshPolicy.refreshAt(policy, token, yield* Random.next)
        const now = yield* Clock.currentTimeMillis
        if (at > now) yield* Effect.sleep(Duration.millis(at - now))
        // Another process sharing the store may have refreshed meanwhile: refresh its token when due.
        const latest = yield* Effect.orElseSucceed(store.get, () => Option.none<AccessToken>())
        if (
          Option.isSome(latest) && !sameValue(latest.value, token) &&
          (yield* Clock.currentTimeMillis) < RefreshPolicy.staleAt(policy, latest.value)
        ) {
          return yield* refreshAhead(latest.value)
        }
        const expiresAt = RefreshPolicy.expiresAt(policy, token)
        for (let attempt = 0;; attempt++) {
          yield* Metric.increment(bgRefreshes)
          const exit = yield* Effect.exit(fetch("background", Option.some(token)))
          if (Exit.isSuccess(exit)) return
          const error = Cause.failureOption(exit.cause)
          if (Option.isNone(error)) return
          yield* Metric.increment(Metric.tagged(bgFailures, "error_type", errorType(error.value)))
          yield* Effect.logWarning(`background token refresh failed: ${errorMessage(error.value)}`).pipe(
            Effect.annotateLogs("cache", name)
          )
          // A deadline comes from a caller's fetch this refresh joined: the endpoint is slow, try again.
          // A shared store that cannot be reached (or that holds the fleet off) may be back soon.
          const transient = error.value instanceof TokenDeadlineExceeded ||
            error.value instanceof TokenStore.TokenStoreError ||
            (!(error.value instanceof ReauthenticationRequired) &&
              !(error.value instanceof TokenBudgetExceeded) &&
              isTransient(error.value as E))
          const now = yield* Clock.currentTimeMillis
          if (!transient || now >= expiresAt) return
          const retryAfter = isTokenError(error.value)
            ? Option.getOrElse(Option.map(TokenError.retryAfter(error.value), Duration.toMillis), () => 0)
            : 0
          const delay = Math.max(yield* backoff(attempt, 1_000, 60_000), retryAfter)
          // At least 1 ms, so the loop always moves toward the expiry that ends it.
          yield* Effect.sleep(Duration.millis(Math.max(1, Math.ceil(Math.min(delay, expiresAt - now)))))
        }
      })

    const schedule = (token: AccessToken): Effect.Effect<void> =>
      background ? Effect.asVoid(FiberHandle.run(refresher, refreshAhead(token))) : Effect.void

    // The hot path: one store read, a synchronous clock read, a comparison. The timing of the
    // current token is computed once per token, not per call.
    const clock = yield* Effect.clock
    let timing = { token: undefined as AccessToken | undefined, staleAt: 0, expiresAt: 0 }
    const timingOf = (token: AccessToken) =>
      timing.token === token
        ? timing
        : (timing = {
          token,
          staleAt: RefreshPolicy.staleAt(policy, token),
          expiresAt: RefreshPolicy.expiresAt(policy, token)
        })
    /** Whether a caller may be given `token` now: fresh, or (with background refresh) not yet expired. */
    const usable = (token: AccessToken, now: number): boolean => {
      const { expiresAt, staleAt } = timingOf(token)
      return now < staleAt || (background && now < expiresAt)
    }
    /** Sets the expiry gauges (seconds left, and the expiry as a Unix time) for `token`. */
    let reportedSecond = -1
    const reportExpiry = (token: AccessToken, now: number) => {
      reportedSecond = Math.floor(now / 1000)
      const expiresAt = timingOf(token).expiresAt
      if (!Number.isFinite(expiresAt)) return
      expiresInGauge.unsafeUpdate((expiresAt - now) / 1000, [])
      expiryGauge.unsafeUpdate(expiresAt / 1000, [])
    }
    // A caller that finds no usable token waits for the fetch: counted, and how long it waited.
    const waitFor = (seen: Option.Option<AccessToken>) =>
      Effect.flatMap(Clock.currentTimeMillis, (start) =>
        Effect.ensuring(
          fetch("foreground", seen),
          Effect.flatMap(Clock.currentTimeMillis, (end) =>
            Effect.sync(() => {
              waits.unsafeUpdate(1, [])
              waitDuration.unsafeUpdate((end - start) / 1000, [])
            }))
        ))
    const fetchForeground = waitFor(Option.none())
    const get: Effect.Effect<AccessToken, TokenCacheError<E>> = Effect.flatMap(store.get, (current) => {
      if (Option.isNone(current)) return fetchForeground
      const token = current.value
      const now = clock.unsafeCurrentTimeMillis()
      if (usable(token, now)) {
        hits.unsafeUpdate(1, [])
        // The seconds-left gauge follows the clock at most once a second: one comparison per hit.
        if (Math.floor(now / 1000) !== reportedSecond) reportExpiry(token, now)
        return Effect.succeed(token)
      }
      return waitFor(current)
    })

    const initial = yield* Effect.orElseSucceed(store.get, () => Option.none<AccessToken>())
    if (Option.isSome(initial)) yield* schedule(initial.value)

    return {
      name,
      get,
      refresh: Effect.flatMap(store.get, (basis) => fetch("forced", basis)),
      invalidate: (token) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => store.compareAndSet(token, Option.some(expired(token, now)))),
      set: (token) => Ref.update(epoch, (n) => n + 1).pipe(Effect.zipRight(persist(token)), Effect.asVoid),
      clear: Ref.update(epoch, (n) => n + 1).pipe(
        Effect.zipRight(store.set(Option.none())),
        Effect.zipRight(FiberHandle.clear(refresher))
      ),
      current: store.get
    } satisfies TokenCache<E>
  })
