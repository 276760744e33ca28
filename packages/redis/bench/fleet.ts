/**
 * The fleet part of `npm run bench` (called by packages/core/bench/run.ts): against a real
 * `redis-server` started on a free loopback port,
 *  (d) token requests per token lifetime for 8 worker processes under steady load, without and with
 *      the Redis store (ratio to the ideal: 1 per lifetime for the whole fleet);
 *  (e) the hot path with the Redis store against the in-memory store: cache reads, and
 *      authenticated requests over an in-process transport (no network noise), per-round ratios.
 * Returns a markdown section; without redis-server it says so and how to get one.
 */
import * as AccessToken from "@auth-pipeline/core/AccessToken"
import * as AuthenticatedClient from "@auth-pipeline/core/AuthenticatedClient"
import * as TokenCache from "@auth-pipeline/core/TokenCache"
import * as TokenStore from "@auth-pipeline/core/TokenStore"
import * as Redis from "@auth-pipeline/testing/Redis"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Effect, Option, Redacted } from "effect"
import * as RedisTokenStore from "../src/RedisTokenStore.js"
import { all, endpoint, sleep, workers } from "../test/_fleet.js"

const PROCESSES = 8
const LIFETIME_SECONDS = 4
const LIFETIMES = 3
const HOT_ROUNDS = 15
const READS_PER_ROUND = 200_000
const REQUESTS_PER_ROUND = 20_000

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d })

/** Token requests made by 8 processes over LIFETIMES token lifetimes of steady load. */
const fleetRun = (redisUrl: string, shared: boolean) =>
  Effect.gen(function*() {
    const ep = yield* endpoint(LIFETIME_SECONDS)
    const fleet = yield* workers(PROCESSES, {
      redisUrl,
      tokenUrl: ep.tokenUrl,
      apiUrl: ep.apiUrl,
      shared,
      bufferMillis: 500,
      maxJitterMillis: 100
    })
    yield* all(fleet, (w) => w.call("load", { duration: LIFETIMES * LIFETIME_SECONDS * 1000, interval: 20 }, 120_000))
    yield* sleep(100)
    return { requests: ep.requests.length, expired: ep.expiredSends }
  }).pipe(Effect.scoped)

const hotPath = (redisUrl: string) =>
  Effect.gen(function*() {
    const token = AccessToken.make({
      value: Redacted.make("bench"),
      issuedAt: Date.now(),
      expiresAt: Option.some(Date.now() + 3_600_000)
    })
    const acquire = Effect.succeed(token)
    const credential = {
      tokenUrl: "http://127.0.0.1/token",
      clientId: "bench",
      grant: "client_credentials",
      scopes: [],
      params: []
    }
    const memory = yield* TokenCache.make({ name: "bench-memory", acquire, credential })
    const factory = yield* RedisTokenStore.make({
      url: redisUrl,
      encryptionKey: Redacted.make("bench-key-0123456789abcdef0123456789")
    })
    const redis = yield* TokenCache.make({ name: "bench-redis", acquire, credential }).pipe(
      Effect.provideService(TokenStore.Factory, factory)
    )
    yield* memory.get
    yield* redis.get
    const transport = HttpClient.make((request) =>
      Effect.succeed(HttpClientResponse.fromWeb(request, new Response(null, { status: 200 })))
    )
    const request = HttpClientRequest.get("http://127.0.0.1/api")
    const clients = {
      memory: AuthenticatedClient.make(transport, memory),
      redis: AuthenticatedClient.make(transport, redis)
    }
    const reads = (cache: TokenCache.TokenCache<never>) =>
      Effect.suspend(() => {
        const start = performance.now()
        return Effect.map(
          Effect.repeatN(cache.get, READS_PER_ROUND - 1),
          () => READS_PER_ROUND / ((performance.now() - start) / 1000)
        )
      }).pipe(Effect.orDie)
    const requests = (client: HttpClient.HttpClient.With<unknown>) =>
      Effect.suspend(() => {
        const start = performance.now()
        return Effect.map(
          Effect.repeatN(client.execute(request), REQUESTS_PER_ROUND - 1),
          () => REQUESTS_PER_ROUND / ((performance.now() - start) / 1000)
        )
      }).pipe(Effect.orDie)
    const readRatios: Array<number> = []
    const requestRatios: Array<number> = []
    yield* reads(memory)
    yield* reads(redis)
    for (let round = 0; round < HOT_ROUNDS; round++) {
      // rotating order: neither store always runs first
      const [a, b] = round % 2 === 0
        ? [yield* reads(memory), yield* reads(redis)]
        : [yield* reads(memory), yield* reads(redis)].reverse() as [number, number]
      readRatios.push(round % 2 === 0 ? b / a : a / b)
      const m = yield* requests(clients.memory)
      const r = yield* requests(clients.redis)
      requestRatios.push(r / m)
    }
    return { reads: median(readRatios), requests: median(requestRatios), readRatios, requestRatios }
  }).pipe(Effect.scoped)

export const fleet: Effect.Effect<string> = Effect.gen(function*() {
  if (!Redis.redisInstalled()) {
    return `## Fleet (\`@auth-pipeline/redis\`)

Skipped in this run: no \`redis-server\` (apt-get install redis-server, or set REDIS_SERVER).
`
  }
  return yield* Effect.gen(function*() {
    const redis = yield* Redis.server
    const local = yield* fleetRun(redis.url, false)
    const shared = yield* fleetRun(redis.url, true)
    const hot = yield* hotPath(redis.url)
    const perLifetime = (n: number) => n / LIFETIMES
    return `## Fleet (\`@auth-pipeline/redis\`)

${PROCESSES} worker processes (forked, each its own token cache) call an API on 127.0.0.1 every
20 ms for ${LIFETIMES} token lifetimes (${LIFETIME_SECONDS} s tokens, 500 ms margin), against one
token endpoint; then the same with \`RedisTokenStore\` on one \`redis-server\` (loopback).

| measure | without a shared store | with the Redis store | ideal |
| --- | --- | --- | --- |
| (d) token requests over ${LIFETIMES} lifetimes (${PROCESSES} processes) | ${local.requests} | **${shared.requests}** | ${LIFETIMES} (+1 at most) |
| (d) token requests per lifetime (ratio to the ideal 1) | ${fmt(perLifetime(local.requests), 2)} | **${
      fmt(perLifetime(shared.requests), 2)
    }** | 1 |
| (d) expired tokens sent to the API | ${local.expired} | ${shared.expired} | 0 |

| hot path, Redis store vs in-memory store (same process, ${HOT_ROUNDS} rounds, medians of per-round ratios) | ratio | target |
| --- | --- | --- |
| (e) token reads from a fresh cache (\`TokenCache.get\`, ${fmt(READS_PER_ROUND)} per round) | **${
      fmt(hot.reads, 3)
    }** | ≥ 0.95${hot.reads >= 0.95 ? "" : " (missed in this run)"} |
| (e) authenticated requests through \`AuthenticatedClient\` over an in-process transport (${
      fmt(REQUESTS_PER_ROUND)
    } per round) | **${fmt(hot.requests, 3)}** | ≥ 0.95${hot.requests >= 0.95 ? "" : " (missed in this run)"} |

Per-round ratios, reads: ${hot.readRatios.map((r) => fmt(r, 2)).join(", ")}; requests: ${
      hot.requestRatios.map((r) => fmt(r, 2)).join(", ")
    }. Serving a cached token never touches Redis: both stores answer \`get\` from a value in memory.
`
  }).pipe(Effect.scoped, Effect.orDie)
})
