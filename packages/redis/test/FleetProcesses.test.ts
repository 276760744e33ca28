/**
 * Several worker processes sharing one real redis-server and one token endpoint on 127.0.0.1.
 * Assertions are on counts (token requests, replays, expired sends), with generous time bounds.
 */
import * as Redis from "@auth-pipeline/testing/Redis"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { all, endpoint, sleep, type Worker, workers } from "./_fleet.js"

const tokens = (replies: ReadonlyArray<Record<string, any>>) => replies.map((r) => r["token"] ?? r["error"])

describe.skipIf(Redis.skip())("a fleet of processes sharing one Redis", () => {
  it.scopedLive(
    "cold start of 6 processes: exactly 1 token request, all hold the same token",
    () =>
      Effect.gen(function*() {
        const redis = yield* Redis.server
        const ep = yield* endpoint()
        ep.hook = () => new Promise((r) => setTimeout(r, 200))
        const fleet = yield* workers(6, { redisUrl: redis.url, tokenUrl: ep.tokenUrl, apiUrl: ep.apiUrl })
        const replies = yield* all(fleet, (w) => w.call("get"))
        expect(tokens(replies)).toEqual(Array(6).fill("tok-0"))
        expect(ep.requests.length).toBe(1)
      }),
    120_000
  )

  it.scopedLive(
    "3 lifetimes of steady load with 4 s tokens: at most 4 token requests, no expired token sent",
    () =>
      Effect.gen(function*() {
        const redis = yield* Redis.server
        const ep = yield* endpoint(4)
        // A 500 ms margin: each token is served for about its whole lifetime, so K lifetimes are
        // K refreshes (a 4 s token with the default policy would be refreshed at half its life).
        const fleet = yield* workers(4, {
          redisUrl: redis.url,
          tokenUrl: ep.tokenUrl,
          apiUrl: ep.apiUrl,
          bufferMillis: 500,
          maxJitterMillis: 100
        })
        const replies = yield* all(fleet, (w) => w.call("load", { duration: 12_000, interval: 20 }, 60_000))
        const statuses = replies.map((r) => r["statuses"] as Record<string, number>)
        expect(statuses.every((s) => s !== undefined && (s["200"] ?? 0) > 50)).toBe(true)
        expect(statuses.every((s) => s["401"] === undefined && s["error"] === undefined)).toBe(true)
        expect(ep.expiredSends).toBe(0)
        expect(ep.requests.length).toBeLessThanOrEqual(4)
      }),
    120_000
  )

  it.scopedLive(
    "every process gets a 401 on the current token: exactly 1 new token request",
    () =>
      Effect.gen(function*() {
        const redis = yield* Redis.server
        const ep = yield* endpoint()
        const fleet = yield* workers(5, { redisUrl: redis.url, tokenUrl: ep.tokenUrl, apiUrl: ep.apiUrl })
        expect(tokens(yield* all(fleet, (w) => w.call("get")))).toEqual(Array(5).fill("tok-0"))
        ep.revoke("tok-0")
        const statuses = yield* all(fleet, (w) => w.call("api"))
        expect(statuses.map((s) => s["status"])).toEqual(Array(5).fill(200))
        expect(ep.requests.length).toBe(2)
        expect(tokens(yield* all(fleet, (w) => w.call("get")))).toEqual(Array(5).fill("tok-1"))
      }),
    120_000
  )

  it.scopedLive(
    "kill -9 of the lease holder mid-fetch: a new leader within the lease TTL, at most 2 requests",
    () =>
      Effect.gen(function*() {
        const redis = yield* Redis.server
        const ep = yield* endpoint()
        const leaseTtl = 3_000
        const fetchDeadline = 2_000
        const fleet = yield* workers(5, {
          redisUrl: redis.url,
          tokenUrl: ep.tokenUrl,
          apiUrl: ep.apiUrl,
          leaseTtlMillis: leaseTtl,
          fetchDeadlineMillis: fetchDeadline
        })
        let killed: Worker | undefined
        ep.hook = (request) => {
          if (killed !== undefined) return Promise.resolve()
          killed = fleet.find((w) => w.pid === request.pid)
          killed?.child.kill("SIGKILL")
          return new Promise((r) => setTimeout(r, 5_000))
        }
        const replies = yield* all(fleet, (w) => w.call("get", {}, 30_000))
        const survivors = replies.filter((_, i) => fleet[i] !== killed)
        expect(killed).toBeDefined()
        expect(survivors.length).toBe(4)
        // The second leader's request is answered first (the first is held 5 s, to a dead process).
        expect(new Set(tokens(survivors)).size).toBe(1)
        expect(tokens(survivors)[0]).toMatch(/^tok-\d$/)
        expect(ep.requests.length).toBeLessThanOrEqual(2)
        // Nobody waited longer than a lease and a fetch (plus scheduling slack on a busy machine).
        for (const r of survivors) expect(r["waited"]).toBeLessThan(leaseTtl + fetchDeadline + 1_500)
      }),
    120_000
  )

  it.scopedLive(
    "SIGSTOP the leader past its lease, another publishes, SIGCONT: the newer version stays",
    () =>
      Effect.gen(function*() {
        const redis = yield* Redis.server
        const ep = yield* endpoint()
        const fleet = yield* workers(4, {
          redisUrl: redis.url,
          tokenUrl: ep.tokenUrl,
          apiUrl: ep.apiUrl,
          leaseTtlMillis: 2_000,
          fetchDeadlineMillis: 1_500
        })
        let stopped: Worker | undefined
        ep.hook = (request) => {
          if (stopped === undefined) {
            stopped = fleet.find((w) => w.pid === request.pid)
            process.kill(stopped!.pid, "SIGSTOP")
          }
          return Promise.resolve()
        }
        const pending = stopped === undefined ? fleet.map((w) => w.call("get", {}, 30_000)) : []
        yield* Effect.promise(async () => {
          for (let i = 0; i < 200 && stopped === undefined; i++) await new Promise((r) => setTimeout(r, 20))
        })
        const others = fleet.filter((w) => w !== stopped)
        const otherReplies = yield* Effect.promise(() => Promise.all(pending.filter((_, i) => fleet[i] !== stopped)))
        expect(new Set(tokens(otherReplies))).toEqual(new Set(["tok-1"]))
        process.kill(stopped!.pid, "SIGCONT")
        const woken = yield* Effect.promise(() => pending[fleet.indexOf(stopped!)]!)
        // Its token reached Redis's version check and was refused, or its fetch deadline fired first
        // on waking (both timers are due at once): either way it did not store its token.
        const refused = (yield* Effect.promise(() => stopped!.call("stats")))["refused"]
        expect(refused === 1 || woken["error"] !== undefined).toBe(true)
        // Whatever the woken leader does (its publish refused, or its deadline fired first), Redis
        // keeps the newer token: every process, the woken one included, now holds tok-1.
        yield* sleep(300)
        expect(tokens(yield* all(fleet, (w) => w.call("get")))).toEqual(Array(4).fill("tok-1"))
        expect(ep.requests.length).toBe(2)
        expect(others.length).toBe(3)
      }),
    120_000
  )

  it.scopedLive(
    "CLIENT PAUSE and a Redis restart: served from memory, recovery, at most one extra request",
    () =>
      Effect.gen(function*() {
        const redis = yield* Redis.server
        const ep = yield* endpoint()
        const fleet = yield* workers(4, { redisUrl: redis.url, tokenUrl: ep.tokenUrl, apiUrl: ep.apiUrl })
        yield* all(fleet, (w) => w.call("get"))
        yield* Effect.promise(() => Redis.command(redis.port, ["CLIENT", "PAUSE", "2000", "ALL"]))
        const during = yield* all(fleet, (w) => w.call("load", { duration: 1_000, interval: 20 }))
        expect(during.every((r) => r["statuses"]["200"] > 10 && r["statuses"]["error"] === undefined)).toBe(true)
        yield* sleep(1_200)
        yield* Effect.promise(() => redis.restart())
        const after = yield* all(fleet, (w) => w.call("load", { duration: 1_000, interval: 20 }))
        expect(after.every((r) => r["statuses"]["200"] > 10 && r["statuses"]["error"] === undefined)).toBe(true)
        yield* sleep(1_500)
        // Recovered: a 401 on every process is again one new token request fleet-wide (plus at most one).
        ep.revoke("tok-0")
        const statuses = yield* all(fleet, (w) => w.call("api"))
        expect(statuses.map((s) => s["status"] ?? s["error"])).toEqual(Array(4).fill(200))
        expect(ep.requests.length).toBeLessThanOrEqual(3)
      }),
    120_000
  )

  it.scopedLive(
    "a lost pub/sub message (CLIENT KILL TYPE pubsub before the publish): waiters still finish by polling",
    () =>
      Effect.gen(function*() {
        const redis = yield* Redis.server
        const ep = yield* endpoint()
        const fleet = yield* workers(4, { redisUrl: redis.url, tokenUrl: ep.tokenUrl, apiUrl: ep.apiUrl })
        ep.hook = async () => {
          await Redis.command(redis.port, ["CLIENT", "KILL", "TYPE", "pubsub"])
          await new Promise((r) => setTimeout(r, 300))
        }
        const replies = yield* all(fleet, (w) => w.call("get", {}, 30_000))
        expect(tokens(replies)).toEqual(Array(4).fill("tok-0"))
        expect(ep.requests.length).toBe(1)
      }),
    120_000
  )

  it.scopedLive(
    "refresh-token rotation race across processes: 0 invalid_grant, no replay",
    () =>
      Effect.gen(function*() {
        const redis = yield* Redis.server
        const ep = yield* endpoint()
        ep.rotation = true
        const fleet = yield* workers(4, {
          redisUrl: redis.url,
          tokenUrl: ep.tokenUrl,
          apiUrl: ep.apiUrl,
          rotation: true
        })
        yield* all(fleet, (w) => w.call("get"))
        for (let round = 0; round < 5; round++) {
          const replies = yield* all(fleet, (w) => w.call("refresh"))
          expect(replies.every((r) => typeof r["token"] === "string")).toBe(true)
        }
        expect(ep.replays).toBe(0)
        expect(ep.requests.filter((r) => r.grant === "refresh_token").length).toBeGreaterThan(0)
      }),
    120_000
  )

  it.scopedLive(
    "a 429 with Retry-After seen by one process: no process asks before it has passed",
    () =>
      Effect.gen(function*() {
        const redis = yield* Redis.server
        const ep = yield* endpoint()
        let first = true
        ep.hook = () => {
          if (!first) return Promise.resolve()
          first = false
          return Promise.resolve({ status: 429, retryAfter: 3 })
        }
        const fleet = yield* workers(4, { redisUrl: redis.url, tokenUrl: ep.tokenUrl, apiUrl: ep.apiUrl })
        const replies = yield* all(fleet, (w) => w.call("get", {}, 30_000))
        expect(tokens(replies)).toEqual(Array(4).fill("tok-0"))
        expect(ep.requests.length).toBe(2)
        expect(ep.requests[1]!.at - ep.requests[0]!.at).toBeGreaterThanOrEqual(2_900)
      }),
    120_000
  )
})
