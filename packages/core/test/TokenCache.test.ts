import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Exit, Fiber, Option, Redacted, Scope, TestClock } from "effect"
import * as AccessToken from "../src/AccessToken.js"
import * as ClientAuthentication from "../src/ClientAuthentication.js"
import * as Grant from "../src/Grant.js"
import * as TokenCache from "../src/TokenCache.js"
import * as TokenEndpoint from "../src/TokenEndpoint.js"
import { RateLimitedError } from "../src/TokenError.js"
import * as TokenStore from "../src/TokenStore.js"
import { _fakeHttp, type Handler } from "./_fakeHttp.js"
import { _oauth, _settle, _source, _unavailable, _value } from "./_source.js"

const noJitter = { maxJitter: 0 }

describe("TokenCache single-flight", () => {
  it.scoped("10,000 concurrent callers cause exactly one token request", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour", latency: "1 second" })
      const cache = yield* TokenCache.make({ acquire: source.acquire })
      const fiber = yield* Effect.fork(
        Effect.forEach(Array.from({ length: 10_000 }), () => cache.get, { concurrency: "unbounded" })
      )
      yield* _settle
      yield* TestClock.adjust("1 second")
      const tokens = yield* Fiber.join(fiber)
      expect(yield* source.count).toBe(1)
      expect(new Set(tokens.map(_value))).toEqual(new Set(["tok-1"]))
    }))

  it.scoped("an interrupted caller does not cancel the fetch for the others", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour", latency: "1 second" })
      const cache = yield* TokenCache.make({ acquire: source.acquire })
      const first = yield* Effect.fork(cache.get)
      const second = yield* Effect.fork(cache.get)
      yield* _settle
      yield* Fiber.interrupt(first)
      yield* TestClock.adjust("1 second")
      expect(_value(yield* Fiber.join(second))).toBe("tok-1")
      expect(yield* source.count).toBe(1)
      expect(Option.map(yield* cache.current, _value)).toEqual(Option.some("tok-1"))
    }))

  it.scoped("a failure reaches every waiter of that fetch and is not cached", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour", latency: "1 second" })
      yield* source.failNext(_oauth("invalid_client", 401))
      const cache = yield* TokenCache.make({ acquire: source.acquire })
      const waiters = yield* Effect.fork(
        Effect.forEach(Array.from({ length: 3 }), () => Effect.flip(cache.get), { concurrency: "unbounded" })
      )
      yield* _settle
      yield* TestClock.adjust("1 second")
      const errors = yield* Fiber.join(waiters)
      expect(errors.map((e) => e._tag)).toEqual(["OAuthError", "OAuthError", "OAuthError"])
      expect(yield* source.count).toBe(1)
      const next = yield* Effect.fork(cache.get)
      yield* _settle
      yield* TestClock.adjust("1 second")
      expect(_value(yield* Fiber.join(next))).toBe("tok-2")
      expect(yield* source.count).toBe(2)
    }))
})

describe("TokenCache refresh margin", () => {
  it.scoped("reuses the token until exactly 300 s before expiry, then fetches anew", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({
        acquire: source.acquire,
        backgroundRefresh: false,
        policy: { buffer: "300 seconds" }
      })
      expect(_value(yield* cache.get)).toBe("tok-1")
      yield* TestClock.adjust(Duration.millis(3_300_000 - 1))
      expect(_value(yield* cache.get)).toBe("tok-1")
      expect(yield* source.count).toBe(1)
      yield* TestClock.adjust(Duration.millis(1))
      expect(_value(yield* cache.get)).toBe("tok-2")
      expect(yield* source.count).toBe(2)
    }))

  it.scoped("a 60 s token with a 300 s buffer is reused for 30 s, not refetched per call", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "60 seconds" })
      const cache = yield* TokenCache.make({
        acquire: source.acquire,
        backgroundRefresh: false,
        policy: { buffer: "300 seconds" }
      })
      for (let i = 0; i < 30; i++) {
        yield* Effect.repeatN(cache.get, 9)
        yield* TestClock.adjust(Duration.millis(999))
      }
      expect(yield* source.count).toBe(1)
      yield* TestClock.adjust(Duration.millis(30))
      yield* cache.get
      expect(yield* source.count).toBe(2)
    }))

  it.scoped("a token without expires_in gets the configured default lifetime", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: undefined })
      const cache = yield* TokenCache.make({
        acquire: source.acquire,
        backgroundRefresh: false,
        policy: { defaultLifetime: "10 minutes", buffer: "1 minute" }
      })
      yield* cache.get
      yield* TestClock.adjust(Duration.millis(9 * 60_000 - 1))
      yield* cache.get
      expect(yield* source.count).toBe(1)
      yield* TestClock.adjust(Duration.millis(1))
      yield* cache.get
      expect(yield* source.count).toBe(2)
    }))
})

describe("TokenCache background refresh", () => {
  it.scoped("refreshes at expiresAt - margin with no caller waiting on the endpoint", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour", latency: "5 seconds" })
      const cache = yield* TokenCache.make({ acquire: source.acquire, policy: { buffer: "300 seconds", ...noJitter } })
      const first = yield* Effect.fork(cache.get)
      yield* _settle
      yield* TestClock.adjust("5 seconds")
      expect(_value(yield* Fiber.join(first))).toBe("tok-1")
      // issued at t=0 (request sent), stale at 3300 s; the refresh starts then and takes 5 s
      yield* TestClock.adjust(Duration.millis(3_300_000 - 5_000 - 1))
      expect(yield* source.count).toBe(1)
      yield* TestClock.adjust(Duration.millis(1))
      yield* _settle
      expect(yield* source.count).toBe(2)
      // the refresh is in flight: a caller gets the still-valid token at once
      const during = yield* Effect.fork(cache.get)
      yield* _settle
      const polled = yield* Fiber.poll(during)
      expect(Option.map(polled, Exit.map(_value))).toEqual(Option.some(Exit.succeed("tok-1")))
      yield* TestClock.adjust("5 seconds")
      expect(_value(yield* cache.get)).toBe("tok-2")
      expect(yield* source.count).toBe(2)
    }))

  it.scoped("refreshes once per lifetime over hours (Paysera: t=0, ~55 min, ~110 min)", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "3600 seconds" })
      const cache = yield* TokenCache.make({ acquire: source.acquire, policy: { buffer: "300 seconds" } })
      yield* cache.get
      for (let minute = 1; minute <= 120; minute++) {
        yield* TestClock.adjust("1 minute")
        yield* cache.get
      }
      expect(yield* source.count).toBe(3)
    }))

  it.scoped("a failed background refresh keeps serving the old token until it expires, then recovers", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({
        acquire: source.acquire,
        policy: { buffer: "300 seconds", ...noJitter },
        retry: { maxRetries: 0 }
      })
      yield* cache.get
      yield* source.failNext(_unavailable, _unavailable, _unavailable)
      yield* TestClock.adjust("3300 seconds")
      yield* _settle
      expect(yield* source.count).toBe(2)
      // still inside the token's life: served, no caller waits or fails
      expect(_value(yield* cache.get)).toBe("tok-1")
      yield* TestClock.adjust("1 second")
      expect(_value(yield* cache.get)).toBe("tok-1")
      // the background loop retries with backoff and recovers on the 4th attempt
      yield* TestClock.adjust("4 minutes")
      yield* _settle
      expect(yield* source.count).toBe(5)
      expect(_value(yield* cache.get)).toBe("tok-5")
    }))

  it.scoped("closing the scope stops the refresh fiber", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour" })
      const scope = yield* Scope.make()
      const cache = yield* TokenCache.make({ acquire: source.acquire }).pipe(Scope.extend(scope))
      yield* cache.get
      yield* _settle
      // The refresh fiber's sleep (the fetch's deadline timer ended with the fetch).
      expect(Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter((t) => t !== 30_000)).toHaveLength(1)
      yield* Scope.close(scope, Exit.void)
      yield* TestClock.adjust("5 hours")
      yield* _settle
      expect(yield* source.count).toBe(1)
    }))

  it.scoped("can be turned off: no request until a caller needs one", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({ acquire: source.acquire, backgroundRefresh: false })
      yield* cache.get
      yield* TestClock.adjust("5 hours")
      expect(yield* source.count).toBe(1)
    }))
})

describe("TokenCache invalidation", () => {
  it.scoped("invalidate drops the token only if it is still the current one", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({ acquire: source.acquire, backgroundRefresh: false })
      const first = yield* cache.get
      expect(yield* cache.invalidate(first)).toBe(true)
      const second = yield* cache.get
      expect(_value(second)).toBe("tok-2")
      // a late invalidation of the old token does not drop the new one
      expect(yield* cache.invalidate(first)).toBe(false)
      expect(_value(yield* cache.get)).toBe("tok-2")
      expect(yield* source.count).toBe(2)
    }))

  it.scoped("an invalidated token is refetched even though the clock says it is valid", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "10 hours" })
      const cache = yield* TokenCache.make({ acquire: source.acquire })
      const first = yield* cache.get
      yield* cache.invalidate(first)
      expect(_value(yield* cache.get)).toBe("tok-2")
    }))
})

describe("TokenCache transient failures and budget", () => {
  it.scoped("retries 5xx with bounded backoff; invalid_client is never retried", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({ acquire: source.acquire, retry: { maxRetries: 3 } })
      yield* source.failNext(_unavailable, _unavailable)
      const fiber = yield* Effect.fork(cache.get)
      yield* _settle
      yield* TestClock.adjust("1 minute")
      expect(_value(yield* Fiber.join(fiber))).toBe("tok-3")
      expect(yield* source.count).toBe(3)

      const other = yield* _source({ lifetime: "1 hour" })
      const rejecting = yield* TokenCache.make({ acquire: other.acquire })
      yield* other.failNext(_oauth("invalid_client", 401))
      const error = yield* Effect.flip(rejecting.get)
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_client" })
      expect(yield* other.count).toBe(1)
    }))

  it.scoped("gives up after maxRetries and delivers the last error", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({ acquire: source.acquire, retry: { maxRetries: 2 } })
      yield* source.failNext(_unavailable, _unavailable, _unavailable, _unavailable)
      const fiber = yield* Effect.fork(Effect.flip(cache.get))
      yield* _settle
      yield* TestClock.adjust("1 minute")
      expect((yield* Fiber.join(fiber))._tag).toBe("TokenResponseError")
      expect(yield* source.count).toBe(3)
    }))

  it.scoped("honours a 429's Retry-After before retrying", () =>
    Effect.gen(function*() {
      const { RateLimitedError } = yield* Effect.promise(() => import("../src/TokenError.js"))
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({ acquire: source.acquire })
      yield* source.failNext(
        new RateLimitedError({ url: "https://a/t", status: 429, retryAfter: Option.some(Duration.seconds(20)) })
      )
      const fiber = yield* Effect.fork(cache.get)
      yield* _settle
      yield* TestClock.adjust(Duration.millis(19_999))
      expect(yield* source.count).toBe(1)
      yield* TestClock.adjust(Duration.millis(1))
      expect(_value(yield* Fiber.join(fiber))).toBe("tok-2")
    }))

  it.scoped("the budget guard refuses requests beyond N per window with a typed error", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({
        acquire: source.acquire,
        budget: { maxRequests: 2, window: "1 hour" },
        backgroundRefresh: false
      })
      yield* cache.refresh
      yield* TestClock.adjust("1 minute")
      yield* cache.refresh
      const error = yield* Effect.flip(cache.refresh)
      expect(error).toMatchObject({ _tag: "TokenBudgetExceeded", limit: 2, retryAt: 3_600_000 })
      expect(error.message).toContain("2 tokens already obtained")
      expect(yield* source.count).toBe(2)
      yield* TestClock.adjust("59 minutes")
      expect(_value(yield* cache.refresh)).toBe("tok-3")
    }))
})

describe("TokenCache budget and outages", () => {
  it.scoped("failed token requests do not use the budget up", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({
        acquire: source.acquire,
        budget: { maxRequests: 2, window: "1 day" },
        retry: { maxRetries: 0 },
        backgroundRefresh: false
      })
      yield* source.failNext(...Array.from({ length: 20 }, () => _unavailable))
      for (let i = 0; i < 20; i++) expect((yield* Effect.flip(cache.get))._tag).toBe("TokenResponseError")
      expect(_value(yield* cache.get)).toBe("tok-21")
      expect(_value(yield* cache.refresh)).toBe("tok-22")
      expect((yield* Effect.flip(cache.refresh))._tag).toBe("TokenBudgetExceeded")
      expect(yield* source.count).toBe(22)
    }))
})

describe("TokenCache refresh tokens", () => {
  const setup = Effect.gen(function*() {
    const source = yield* _source({ lifetime: "1 hour", refreshTokens: true })
    const used: Array<string> = []
    let rotate = true
    const refresh = (rt: Redacted.Redacted<string>) =>
      Effect.map(source.acquire, (token) => {
        used.push(Redacted.value(rt))
        return rotate ? token : AccessToken.make({ ...token, refreshToken: Option.none() })
      })
    const cache = yield* TokenCache.make({ refresh, backgroundRefresh: false })
    yield* cache.set(source.issue(0, 0))
    return { source, cache, used, setRotate: (r: boolean) => (rotate = r) }
  })

  it.scoped("refreshes with the refresh_token grant; a rotated refresh token replaces the old one", () =>
    Effect.gen(function*() {
      const { cache, used } = yield* setup
      yield* TestClock.adjust("1 hour")
      expect(_value(yield* cache.get)).toBe("tok-1")
      yield* TestClock.adjust("1 hour")
      yield* cache.get
      expect(used).toEqual(["rt-0", "rt-1"])
    }))

  it.scoped("keeps the old refresh token when the response omits it", () =>
    Effect.gen(function*() {
      const { cache, used, setRotate } = yield* setup
      setRotate(false)
      yield* TestClock.adjust("1 hour")
      yield* cache.get
      yield* TestClock.adjust("1 hour")
      yield* cache.get
      expect(used).toEqual(["rt-0", "rt-0"])
    }))

  it.scoped("invalid_grant clears the refresh token and asks for re-authentication", () =>
    Effect.gen(function*() {
      const { cache, source } = yield* setup
      yield* source.failNext(_oauth("invalid_grant"))
      yield* TestClock.adjust("1 hour")
      const error = yield* Effect.flip(cache.get)
      expect(error).toMatchObject({ _tag: "ReauthenticationRequired", reason: "RefreshRejected" })
      // the refresh token is gone; the (expired) access token stays as it was
      expect(Option.map(yield* cache.current, (t) => [_value(t), Option.isNone(t.refreshToken)])).toEqual(
        Option.some(["tok-0", true])
      )
      const again = yield* Effect.flip(cache.get)
      expect(again).toMatchObject({ _tag: "ReauthenticationRequired", reason: "NoToken" })
      expect(yield* source.count).toBe(1)
    }))

  it.scoped("transient failures keep the refresh token", () =>
    Effect.gen(function*() {
      const { cache, source, used } = yield* setup
      yield* source.failNext(_unavailable)
      yield* TestClock.adjust("1 hour")
      const fiber = yield* Effect.fork(cache.get)
      yield* _settle
      yield* TestClock.adjust("1 minute")
      expect(_value(yield* Fiber.join(fiber))).toBe("tok-2")
      expect(used).toEqual(["rt-0"])
    }))

  it.scoped("a token invalidated by a 401 is refreshed with its refresh token", () =>
    Effect.gen(function*() {
      const { cache, used } = yield* setup
      const token = yield* cache.get
      yield* cache.invalidate(token)
      expect(_value(yield* cache.get)).toBe("tok-1")
      expect(used).toEqual(["rt-0"])
    }))
})

describe("TokenCache under review findings", () => {
  it.scoped("the token endpoint's timeout works through the cache, and closing the scope stops a fetch in flight", () =>
    Effect.gen(function*() {
      const { client } = yield* _fakeHttp(() => Effect.never)
      const endpoint = TokenEndpoint.make({
        url: "https://auth.test/token",
        clientAuthentication: ClientAuthentication.clientSecretPost("id", Redacted.make("secret")),
        timeout: "1 second"
      })
      const cache = yield* TokenCache.make({
        acquire: Grant.clientCredentials(endpoint).pipe(Effect.provideService(HttpClient.HttpClient, client)),
        retry: { maxRetries: 0 }
      })
      const fiber = yield* Effect.fork(Effect.flip(cache.get))
      yield* _settle
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "TokenRequestError", reason: "Timeout" })

      const scope = yield* Scope.make()
      const scoped = yield* TokenCache.make({
        acquire: Grant.clientCredentials(endpoint).pipe(Effect.provideService(HttpClient.HttpClient, client))
      }).pipe(Scope.extend(scope))
      const waiting = yield* Effect.fork(scoped.get)
      yield* _settle
      yield* Scope.close(scope, Exit.void)
      expect(Exit.isInterrupted(yield* Fiber.await(waiting))).toBe(true)
    }))

  it.scoped("clear() and set() are not undone by a fetch that was in flight", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour", latency: "1 second" })
      const cache = yield* TokenCache.make({ acquire: source.acquire })
      const fiber = yield* Effect.fork(cache.get)
      yield* _settle
      yield* cache.clear
      yield* TestClock.adjust("1 second")
      expect(_value(yield* Fiber.join(fiber))).toBe("tok-1")
      expect(yield* cache.current).toEqual(Option.none())

      const again = yield* Effect.fork(cache.get)
      yield* _settle
      yield* cache.set(source.issue(99, 0))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(again)
      expect(Option.map(yield* cache.current, _value)).toEqual(Option.some("tok-99"))
    }))

  it.scoped("callers waiting on a refresh get what a logout or a new login left, never the old session's token", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour", latency: "1 second", refreshTokens: true })
      const cache = yield* TokenCache.make({ refresh: () => source.acquire, backgroundRefresh: false })
      yield* cache.set(source.issue(0, 0))
      yield* TestClock.adjust("1 hour")
      const waiting = yield* Effect.fork(cache.get)
      yield* _settle
      yield* cache.clear // logout while the refresh is in flight
      yield* TestClock.adjust("1 second")
      expect(yield* Effect.flip(Fiber.join(waiting))).toMatchObject({
        _tag: "ReauthenticationRequired",
        reason: "NoToken"
      })
      expect(yield* cache.current).toEqual(Option.none())

      yield* cache.set(AccessToken.make({ ...source.issue(10, 0), expiresAt: Option.some(0) }))
      const again = yield* Effect.fork(cache.get)
      yield* _settle
      yield* cache.set(source.issue(99, yield* TestClock.currentTimeMillis)) // another user logs in meanwhile
      yield* TestClock.adjust("1 second")
      expect(_value(yield* Fiber.join(again))).toBe("tok-99")
    }))

  it.scoped("invalid_grant because another process sharing the store refreshed first: its token is used", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour", refreshTokens: true })
      const store = yield* TokenStore.inMemory()
      const winner = source.issue(7, 3_600_000)
      // The other process rotates the refresh token and stores its result just before our request lands.
      const cache = yield* TokenCache.make({
        store,
        backgroundRefresh: false,
        refresh: () =>
          Effect.zipRight(Effect.orDie(store.set(Option.some(winner))), Effect.fail(_oauth("invalid_grant")))
      })
      yield* cache.set(source.issue(0, 0))
      yield* TestClock.adjust("1 hour")
      expect(_value(yield* cache.get)).toBe("tok-7")
      expect(Option.map(yield* cache.current, _value)).toEqual(Option.some("tok-7"))
    }))

  it.scoped("invalid_grant in a background refresh keeps serving the access token until it expires", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour", refreshTokens: true })
      const cache = yield* TokenCache.make({ refresh: () => source.acquire, policy: { maxJitter: 0 } })
      yield* cache.set(source.issue(0, 0))
      yield* source.failNext(_oauth("invalid_grant"))
      yield* TestClock.adjust("59 minutes")
      yield* _settle
      expect(yield* source.count).toBe(1)
      expect(_value(yield* cache.get)).toBe("tok-0")
      yield* TestClock.adjust("1 minute")
      expect(yield* Effect.flip(cache.get)).toMatchObject({ _tag: "ReauthenticationRequired" })
    }))

  it.scoped("a refresh whose response names no scope keeps the granted scopes (RFC 6749 §6)", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour", refreshTokens: true })
      const cache = yield* TokenCache.make({ refresh: () => source.acquire, backgroundRefresh: false })
      yield* cache.set(AccessToken.make({ ...source.issue(0, 0), scopes: ["read", "write"] }))
      yield* TestClock.adjust("1 hour")
      expect((yield* cache.get).scopes).toEqual(["read", "write"])
    }))

  it.scoped("a background refresh that keeps failing backs off and stops at expiry: no storm", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({ acquire: source.acquire, policy: { buffer: "300 seconds" } })
      yield* cache.get
      yield* source.failNext(...Array.from({ length: 1000 }, () => _unavailable))
      for (let minute = 0; minute < 90; minute++) {
        yield* TestClock.adjust("1 minute")
        yield* _settle
      }
      // ~5 minutes of backoff (1 s doubling to 60 s) before expiry, then nothing until a caller asks
      expect(yield* source.count).toBeGreaterThan(5)
      expect(yield* source.count).toBeLessThan(20)
    }))

  it.scoped("a background refresh follows the configured isTransient, like a foreground fetch", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({
        acquire: source.acquire,
        isTransient: () => false,
        policy: { maxJitter: 0 }
      })
      yield* cache.get
      yield* source.failNext(_unavailable, _unavailable)
      yield* TestClock.adjust("59 minutes")
      yield* _settle
      yield* TestClock.adjust("50 seconds")
      yield* _settle
      expect(yield* source.count).toBe(2) // one background attempt, not retried
    }))

  it.scoped("a background refresh honours a 429's Retry-After", () =>
    Effect.gen(function*() {
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({ acquire: source.acquire, policy: { buffer: "300 seconds", maxJitter: 0 } })
      yield* cache.get
      yield* source.failNext(
        new RateLimitedError({ url: "https://a/t", status: 429, retryAfter: Option.some(Duration.seconds(120)) })
      )
      yield* TestClock.adjust("55 minutes")
      yield* _settle
      expect(yield* source.count).toBe(2)
      yield* TestClock.adjust(Duration.millis(119_999))
      yield* _settle
      expect(yield* source.count).toBe(2)
      yield* TestClock.adjust(Duration.millis(1))
      yield* _settle
      expect(yield* source.count).toBe(3)
      expect(_value(yield* cache.get)).toBe("tok-3")
    }))
})

describe("TokenCache deadline and Retry-After", () => {
  const endpoint = TokenEndpoint.make({
    url: "https://auth.test/token",
    clientAuthentication: ClientAuthentication.clientSecretPost("id", Redacted.make("secret"))
  })
  const _cacheOver = (handler: Handler, retry?: TokenCache.RetryOptions) =>
    Effect.gen(function*() {
      const http = yield* _fakeHttp(handler)
      const cache = yield* TokenCache.make({
        acquire: Grant.clientCredentials(endpoint).pipe(Effect.provideService(HttpClient.HttpClient, http.client)),
        retry
      })
      return { cache, requests: Effect.map(http.requests, (rs) => rs.length) }
    })

  it.scoped("a hung token endpoint fails the caller after 30 s, not after 4 attempts of 30 s each", () =>
    Effect.gen(function*() {
      const { cache, requests } = yield* _cacheOver(() => Effect.never)
      const fiber = yield* Effect.fork(Effect.flip(cache.get))
      yield* _settle
      yield* TestClock.adjust(Duration.millis(29_999))
      yield* _settle
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust(Duration.millis(1))
      // The attempt's own timeout and the deadline end together: the attempt's error, no retry.
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "TokenRequestError", reason: "Timeout" })
      expect(yield* requests).toBe(1)
    }))

  it.scoped("retries of a hung endpoint stop at the deadline with TokenDeadlineExceeded; the failure is not cached", () =>
    Effect.gen(function*() {
      const http = yield* _fakeHttp(() => Effect.never)
      const cache = yield* TokenCache.make({
        acquire: Grant.clientCredentials(TokenEndpoint.make({ ...endpoint, timeout: "20 seconds" })).pipe(
          Effect.provideService(HttpClient.HttpClient, http.client)
        )
      })
      const fiber = yield* Effect.fork(Effect.flip(cache.get))
      yield* _settle
      yield* TestClock.adjust("20 seconds")
      yield* _settle
      yield* TestClock.adjust("1 second")
      yield* _settle
      expect((yield* http.requests).length).toBe(2)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("9 seconds")
      const error = yield* Fiber.join(fiber)
      expect(error).toBeInstanceOf(TokenCache.TokenDeadlineExceeded)
      expect(error.message).toBe("No token within 30s (default): the token endpoint did not answer in time")
      // The next caller starts a new fetch.
      const next = yield* Effect.fork(Effect.flip(cache.get))
      yield* _settle
      expect((yield* http.requests).length).toBe(3)
      yield* TestClock.adjust("30 seconds")
      expect((yield* Fiber.join(next))._tag).toBe("TokenDeadlineExceeded")
    }))

  it.scoped("the deadline is configurable and bounds retries too (cache.refresh included)", () =>
    Effect.gen(function*() {
      const { cache, requests } = yield* _cacheOver(
        () => Effect.succeed({ status: 502, text: "bad gateway" }),
        { maxRetries: 10, baseDelay: "1 second", deadline: "5 seconds" }
      )
      const fiber = yield* Effect.fork(Effect.flip(cache.refresh))
      yield* _settle
      for (let i = 0; i < 10; i++) {
        yield* TestClock.adjust("1 second")
        yield* _settle
      }
      // 0 s, ~1 s, ~3 s: the next wait (~4 s) would end past 5 s, so the last error comes at once.
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "TokenResponseError", status: 502 })
      expect(yield* requests).toBe(3)
    }))

  it.scoped("a Retry-After that would end past the deadline is not waited for: the caller gets the 503 at once", () =>
    Effect.gen(function*() {
      const { cache, requests } = yield* _cacheOver(() =>
        Effect.succeed({ status: 503, text: "maintenance", headers: { "retry-after": "45" } })
      )
      const error = yield* Effect.flip(cache.get)
      expect(error).toMatchObject({ _tag: "TokenResponseError", status: 503 })
      expect(yield* requests).toBe(1)
    }))

  it.scoped("a 503's Retry-After is honoured by the retries, as a 429's is", () =>
    Effect.gen(function*() {
      const { cache, requests } = yield* _cacheOver((_, index) =>
        Effect.succeed(
          index === 0
            ? { status: 503, json: { error: "temporarily_unavailable" }, headers: { "retry-after": "5" } }
            : { json: { access_token: "at-2", token_type: "Bearer", expires_in: 3600 } }
        )
      )
      const fiber = yield* Effect.fork(cache.get)
      yield* _settle
      yield* TestClock.adjust(Duration.millis(4_999))
      yield* _settle
      expect(yield* requests).toBe(1)
      yield* TestClock.adjust(Duration.millis(1))
      expect(_value(yield* Fiber.join(fiber))).toBe("at-2")
      expect(yield* requests).toBe(2)
    }))

  it.scoped("a background refresh has no deadline: a slow endpoint answering after 40 s still refreshes", () =>
    Effect.gen(function*() {
      const slowEndpoint = TokenEndpoint.make({ ...endpoint, timeout: "1 minute" })
      const http = yield* _fakeHttp((_, index) =>
        Effect.as(index === 0 ? Effect.void : Effect.sleep("40 seconds"), {
          json: { access_token: `at-${index + 1}`, token_type: "Bearer", expires_in: 3600 }
        })
      )
      const cache = yield* TokenCache.make({
        acquire: Grant.clientCredentials(slowEndpoint).pipe(Effect.provideService(HttpClient.HttpClient, http.client)),
        policy: { buffer: "300 seconds", maxJitter: 0 }
      })
      expect(_value(yield* cache.get)).toBe("at-1")
      yield* TestClock.adjust("55 minutes")
      yield* _settle
      yield* TestClock.adjust("40 seconds")
      yield* _settle
      expect(_value(yield* cache.get)).toBe("at-2")
      expect((yield* http.requests).length).toBe(2)
    }))
})
