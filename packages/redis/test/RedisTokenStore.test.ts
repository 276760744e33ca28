import * as TokenCache from "@auth-pipeline/core/TokenCache"
import * as TokenStore from "@auth-pipeline/core/TokenStore"
import * as Observe from "@auth-pipeline/testing/Observe"
import * as Redis from "@auth-pipeline/testing/Redis"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Metric, Option, Redacted, TestClock } from "effect"
import * as RedisMetrics from "../src/RedisMetrics.js"
import * as RedisTokenStore from "../src/RedisTokenStore.js"
import { _credential, _endpoint, _rateLimited, _value } from "./_endpoint.js"

const encryptionKey = Redacted.make("test-key-0123456789abcdef0123456789abcdef")

type Endpoint = Effect.Effect.Success<ReturnType<typeof _endpoint>>

interface ReplicaOptions {
  readonly name: string
  readonly store?: Partial<RedisTokenStore.Options>
  readonly cache?: Partial<TokenCache.Options<any, never>>
  readonly credential?: TokenStore.Credential
  readonly refresh?: boolean
}

/** One "replica": its own Redis connections and its own token cache over the shared endpoint. */
const replica = (url: string, endpoint: Endpoint, options: ReplicaOptions) =>
  Effect.gen(function*() {
    const factory = yield* RedisTokenStore.make({ url, encryptionKey, ...options.store })
    return yield* TokenCache.make({
      name: options.name,
      acquire: endpoint.acquire,
      refresh: options.refresh ? endpoint.refresh : undefined,
      credential: options.credential ?? _credential(),
      ...options.cache
    }).pipe(Effect.provideService(TokenStore.Factory, factory))
  })

const counter = (metric: Metric.Metric.Counter<number>, tags: Record<string, string>) => {
  let m = metric
  for (const [k, v] of Object.entries(tags)) m = Metric.tagged(m, k, v)
  return Effect.map(Metric.value(m), (state) => state.count)
}

describe.skipIf(Redis.skip())("RedisTokenStore on a real redis-server", () => {
  it.scopedLive("cold start of several replicas: one token request, every replica holds the same token", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint({ latency: "100 millis" })
      const replicas = yield* Effect.forEach([1, 2, 3, 4], (i) => replica(redis.url, endpoint, { name: `cold-${i}` }))
      const tokens = yield* Effect.forEach(replicas, (cache) => cache.get, { concurrency: "unbounded" })
      expect(yield* endpoint.count).toBe(1)
      expect(new Set(tokens.map(_value))).toEqual(new Set(["tok-0"]))
      // A replica started later takes the token from Redis without asking.
      const late = yield* replica(redis.url, endpoint, { name: "cold-late" })
      expect(_value(yield* late.get)).toBe("tok-0")
      expect(yield* endpoint.count).toBe(1)
    }))

  it.scopedLive("the hot path does not touch Redis: a stopped server still serves the cached token", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint()
      const cache = yield* replica(redis.url, endpoint, { name: "hot-path" })
      yield* cache.get
      yield* Effect.promise(() => redis.stop())
      const errorsBefore = yield* counter(RedisMetrics.errors, { operation: "acquire" })
      for (let i = 0; i < 1000; i++) expect(_value(yield* cache.get)).toBe("tok-0")
      expect(yield* counter(RedisMetrics.errors, { operation: "acquire" })).toBe(errorsBefore)
      expect(yield* endpoint.count).toBe(1)
    }))

  it.scopedLive("a 401 seen by every replica: one new token request fleet-wide (compare-and-invalidate by version)", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint({ latency: "50 millis" })
      const replicas = yield* Effect.forEach([1, 2, 3, 4], (i) => replica(redis.url, endpoint, { name: `401-${i}` }))
      const first = yield* Effect.forEach(replicas, (cache) => cache.get, { concurrency: "unbounded" })
      const again = yield* Effect.forEach(
        replicas,
        (cache, i) => Effect.zipRight(cache.invalidate(first[i]!), cache.get),
        { concurrency: "unbounded" }
      )
      expect(yield* endpoint.count).toBe(2)
      expect(new Set(again.map(_value))).toEqual(new Set(["tok-1"]))
    }))

  it.scopedLive("a leader that lost its lease mid-fetch cannot overwrite the newer token (fencing by version)", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const slow = yield* _endpoint({ latency: "400 millis" })
      const fast = yield* _endpoint()
      const paused = yield* replica(redis.url, slow, { name: "fence-paused" })
      const other = yield* replica(redis.url, fast, { name: "fence-other" })
      const pausedFiber = yield* Effect.fork(paused.get)
      yield* Effect.sleep("100 millis")
      // The lease expires under the leader (as it does for a process stopped past its TTL).
      const keys = yield* Effect.promise(() => Redis.command(redis.port, ["KEYS", "*:lease"]))
      const lease = keys.split("\r\n").find((line) => line.endsWith(":lease"))!
      yield* Effect.promise(() => Redis.command(redis.port, ["DEL", lease]))
      // Another replica leads and publishes tok-0 of `fast`.
      expect(_value(yield* other.get)).toBe("tok-0")
      const refusedBefore = yield* counter(RedisMetrics.refusedPublishes, { provider: "fence-paused" })
      // The first leader's token is refused; it serves the newer one, and the newer version stays.
      expect(_value(yield* Fiber.join(pausedFiber))).toBe("tok-0")
      expect(yield* counter(RedisMetrics.refusedPublishes, { provider: "fence-paused" })).toBe(refusedBefore + 1)
      expect(yield* slow.count).toBe(1)
      expect(yield* fast.count).toBe(1)
      const late = yield* replica(redis.url, fast, { name: "fence-late" })
      expect(_value(yield* late.get)).toBe("tok-0")
    }))

  it.scopedLive("records are sealed at rest: Redis holds no token, another key cannot open them", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint()
      const cache = yield* replica(redis.url, endpoint, { name: "sealed", refresh: true })
      yield* cache.get
      const keys = yield* Effect.promise(() => Redis.command(redis.port, ["KEYS", "*"]))
      expect(keys).toContain("record")
      const dump = yield* Effect.promise(async () => {
        const text: Array<string> = []
        for (const k of keys.split("\r\n").filter((l) => l.includes("auth-pipeline:"))) {
          text.push(await Redis.command(redis.port, ["HGETALL", k]).catch(() => ""))
          text.push(await Redis.command(redis.port, ["GET", k]).catch(() => ""))
        }
        return text.join("\n")
      })
      expect(dump).not.toContain("tok-0")
      expect(dump).not.toContain("rt-0")
      // A replica with another key cannot read the record: it fetches and replaces it.
      const other = yield* replica(redis.url, endpoint, {
        name: "sealed-other",
        store: { encryptionKey: Redacted.make("another-key-0123456789abcdef0123456789") }
      })
      expect(_value(yield* other.get)).toBe("tok-1")
    }))

  it.scopedLive("different credentials (scopes, client ids) never share a token", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint()
      const read = yield* replica(redis.url, endpoint, { name: "scope-read", credential: _credential("c", ["read"]) })
      const write = yield* replica(redis.url, endpoint, {
        name: "scope-write",
        credential: _credential("c", ["write"])
      })
      const other = yield* replica(redis.url, endpoint, { name: "scope-other", credential: _credential("d", ["read"]) })
      const again = yield* replica(redis.url, endpoint, { name: "scope-again", credential: _credential("c", ["read"]) })
      const values = [yield* read.get, yield* write.get, yield* other.get, yield* again.get].map(_value)
      expect(values).toEqual(["tok-0", "tok-1", "tok-2", "tok-0"])
    }))

  it.scopedLive("refresh-token rotation across replicas: each refresh uses the latest refresh token, no invalid_grant", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint({ latency: "20 millis" })
      const replicas = yield* Effect.forEach(
        [1, 2, 3],
        (i) => replica(redis.url, endpoint, { name: `rotate-${i}`, refresh: true })
      )
      yield* replicas[0]!.get
      for (let round = 0; round < 5; round++) {
        yield* Effect.forEach(replicas, (cache) => cache.refresh, { concurrency: "unbounded" })
      }
      expect(yield* endpoint.replays).toBe(0)
      // Every refresh served by one request at most per round (concurrent forced refreshes may be joined).
      expect(yield* endpoint.count).toBeLessThanOrEqual(1 + 5 * 3)
    }))

  it.scopedLive("a 429 with Retry-After at the leader holds every replica off until it has passed", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint()
      yield* endpoint.failNext(_rateLimited(2))
      const cache = { retry: { maxRetries: 0 } }
      const a = yield* replica(redis.url, endpoint, { name: "429-a", cache })
      const b = yield* replica(redis.url, endpoint, { name: "429-b", cache })
      const failed = yield* Effect.exit(a.get)
      expect(Exit.isFailure(failed)).toBe(true)
      // b waits out the fleet's hold-off (within its 30 s deadline), then one request.
      expect(_value(yield* b.get)).toBe("tok-1")
      const times = yield* endpoint.times
      expect(times.length).toBe(2)
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1_900)
      // A caller with a shorter deadline than the hold-off fails at once instead of asking.
      yield* endpoint.failNext(_rateLimited(60))
      yield* Effect.promise(() => Redis.command(redis.port, ["FLUSHALL"]))
      const c = yield* replica(redis.url, endpoint, { name: "429-c", cache })
      const d = yield* replica(redis.url, endpoint, { name: "429-d", cache })
      expect(Exit.isFailure(yield* Effect.exit(c.get))).toBe(true)
      const held = yield* Effect.exit(d.get)
      expect(Exit.isFailure(held)).toBe(true)
      expect(String(Exit.isFailure(held) ? held.cause : "")).toContain("holding off")
      expect((yield* endpoint.times).length).toBe(3)
    }))

  it.scopedLive("a fleet-wide budget: at most N tokens per window across replicas", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint()
      const store = { budget: { maxRequests: 2, window: "1 hour" } } as const
      const a = yield* replica(redis.url, endpoint, { name: "budget-a", store })
      const b = yield* replica(redis.url, endpoint, { name: "budget-b", store })
      yield* a.get
      yield* Effect.sleep("200 millis")
      yield* b.refresh
      yield* Effect.sleep("200 millis")
      const third = yield* Effect.exit(a.refresh)
      expect(yield* endpoint.count).toBe(2)
      expect(Exit.isFailure(third) && String(third.cause)).toContain("TokenBudgetExceeded")
    }))

  it.scopedLive("Redis down: policy local serves from memory and fetches locally; fail fails typed; counted", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint()
      const local = yield* replica(redis.url, endpoint, { name: "down-local" })
      const failing = yield* replica(redis.url, endpoint, { name: "down-fail", store: { unavailable: "fail" } })
      yield* Effect.promise(() => redis.stop())
      expect(_value(yield* local.get)).toBe("tok-0")
      expect(yield* counter(RedisMetrics.leases, { provider: "down-local", role: "unavailable", policy: "local" }))
        .toBe(1)
      const failed = yield* Effect.exit(failing.get)
      expect(Exit.isFailure(failed) && String(failed.cause)).toContain("TokenStoreError")
    }))

  it.scopedLive("Redis down: policy local-capped fetches at most one token per lifetime, then fails typed", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint()
      const capped = yield* replica(redis.url, endpoint, {
        name: "down-capped",
        store: { unavailable: "local-capped" }
      })
      yield* Effect.promise(() => redis.stop())
      const first = yield* capped.get
      expect(yield* endpoint.count).toBe(1)
      // A 401 on it: a second token within its lifetime is refused instead of fetched.
      yield* capped.invalidate(first)
      const second = yield* Effect.exit(capped.get)
      expect(Exit.isFailure(second) && String(second.cause)).toContain("local-capped")
      expect(yield* endpoint.count).toBe(1)
    }))

  it.scopedLive("spans and logs tell the lease role and the record version, never a token or the key", () => {
    const { layer, observed } = Observe.observe()
    return Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint()
      const a = yield* replica(redis.url, endpoint, { name: "observed-a", refresh: true })
      const b = yield* replica(redis.url, endpoint, { name: "observed-b", refresh: true })
      yield* a.get
      yield* b.refresh
      yield* Effect.promise(() => redis.stop())
      yield* a.invalidate(yield* a.get)
      yield* a.get
      const spans = observed.spans.filter((span) => span.name === "auth_pipeline.redis.coordinate")
      const roles = spans.map((span) => span.attributes.get("auth_pipeline.redis.role"))
      expect(roles).toContain("lead")
      expect(spans.some((span) => /^\d+$/.test(String(span.attributes.get("auth_pipeline.redis.version"))))).toBe(true)
      expect(observed.logs.some((line) => line.includes("Redis unavailable") && line.includes("policy"))).toBe(true)
      const text = observed.text()
      expect(text).not.toMatch(/tok-\d|rt-\d/)
      expect(text).not.toContain(Redacted.value(encryptionKey))
    }).pipe(Effect.provide(layer))
  })

  it.scopedLive("a Redis restart (data lost): replicas keep serving, recover, and one seeds the record", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint()
      const store = { breaker: { baseDelay: "100 millis", maxDelay: "200 millis" } } as const
      const a = yield* replica(redis.url, endpoint, { name: "restart-a", store })
      const b = yield* replica(redis.url, endpoint, { name: "restart-b", store })
      yield* a.get
      yield* b.get
      yield* Effect.promise(() => redis.restart())
      expect(_value(yield* a.get)).toBe("tok-0")
      // After the restart a forced refresh coordinates again: one request; the other replica's own
      // forced refresh takes that token from Redis instead of asking (its notification may have
      // been lost while it reconnected: b serves its still-valid tok-0 until it coordinates).
      yield* Effect.sleep("500 millis")
      expect(_value(yield* a.refresh)).toBe("tok-1")
      expect(_value(yield* b.refresh)).toBe("tok-1")
      expect(yield* endpoint.count).toBe(2)
    }))
})

describe.skipIf(Redis.skip())("RedisTokenStore timing under TestClock", () => {
  it.scoped("the circuit breaker skips Redis after a failure and probes again after its delay", () =>
    Effect.gen(function*() {
      // A port nobody listens on: every command fails at once.
      const port = yield* Effect.promise(() => Redis.freePort())
      const endpoint = yield* _endpoint()
      const cache = yield* replica(`redis://127.0.0.1:${port}`, endpoint, {
        name: "breaker",
        store: { breaker: { baseDelay: "10 seconds", maxDelay: "40 seconds" } }
      })
      const errors = Effect.zipWith(
        counter(RedisMetrics.errors, { operation: "acquire" }),
        counter(RedisMetrics.errors, { operation: "read" }),
        (a, b) => a + b
      )
      // Building the store read the record: that command failed and opened the breaker for 10 s.
      const before = yield* errors
      expect(before).toBeGreaterThan(0)
      // The first get fetches locally without sending a command, and so does the next one.
      const first = yield* cache.get
      yield* cache.invalidate(first)
      yield* cache.get
      expect(yield* errors).toBe(before)
      expect(yield* endpoint.count).toBe(2)
      yield* TestClock.adjust("9 seconds")
      yield* cache.invalidate(Option.getOrThrow(yield* cache.current))
      yield* cache.get
      expect(yield* errors).toBe(before)
      // After the delay the next fetch probes Redis (fails: the breaker opens for 20 s).
      yield* TestClock.adjust("1 second")
      yield* cache.invalidate(Option.getOrThrow(yield* cache.current))
      yield* cache.get
      expect(yield* errors).toBe(before + 1)
      expect(yield* endpoint.count).toBe(4)
    }))

  it.scoped("refresh ahead through Redis: the replicas' timers fire, one refresh request, all take it", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint({ lifetime: "10 minutes" })
      const cache = { policy: { buffer: "60 seconds", maxJitter: "0 millis" } } as const
      const a = yield* replica(redis.url, endpoint, { name: "ahead-a", cache })
      const b = yield* replica(redis.url, endpoint, { name: "ahead-b", cache })
      yield* a.get
      yield* b.get
      expect(yield* endpoint.count).toBe(1)
      yield* TestClock.adjust("9 minutes")
      // Both refresh timers fired; they coordinate through Redis in real time.
      for (let i = 0; i < 100 && (yield* endpoint.count) < 2; i++) {
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 20)))
      }
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 300)))
      expect(yield* endpoint.count).toBe(2)
      expect(_value(yield* a.get)).toBe("tok-1")
      expect(_value(yield* b.get)).toBe("tok-1")
    }))

  it.scoped("a leader's failure holds the fleet off (1 s doubling) and a waiter with a shorter deadline fails at once", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint()
      yield* endpoint.failNext(_rateLimited(120))
      const a = yield* replica(redis.url, endpoint, { name: "hold-a", cache: { retry: { maxRetries: 0 } } })
      const b = yield* replica(redis.url, endpoint, {
        name: "hold-b",
        cache: { retry: { maxRetries: 0, deadline: Duration.seconds(30) } }
      })
      expect(Exit.isFailure(yield* Effect.exit(a.get))).toBe(true)
      const held = yield* Effect.exit(b.get)
      expect(Exit.isFailure(held) && String(held.cause)).toContain("next attempt in 120 s")
      expect(yield* endpoint.count).toBe(1)
    }))
})
