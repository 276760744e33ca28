import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, TestClock } from "effect"
import * as RateLimit from "../src/RateLimit.js"
import { _fakeHttp, type Reply } from "./_fakeHttp.js"
import { _settle } from "./_source.js"

const limited: Reply = {
  status: 429,
  headers: { "x-ratelimit-limit": "50", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "12" },
  json: { error: "too_many_requests" }
}

describe("RateLimit", () => {
  it("reads X-RateLimit-* headers, Retry-After, and epoch resets", () => {
    const info = RateLimit.fromHeaders({
      "x-ratelimit-limit": "50",
      "x-ratelimit-remaining": "7",
      "x-ratelimit-reset": "30"
    }, 0)
    expect(info).toEqual({
      limit: Option.some(50),
      remaining: Option.some(7),
      reset: Option.some(Duration.seconds(30)),
      retryAfter: Option.none()
    })
    const epoch = RateLimit.fromHeaders({ "x-ratelimit-reset": "1800000010", "retry-after": "5" }, 1_800_000_000_000)
    expect(epoch.reset).toEqual(Option.some(Duration.millis(10_000)))
    expect(RateLimit.waitTime(epoch)).toEqual(Option.some(Duration.seconds(5)))
  })

  it.effect("a 429 becomes a typed RateLimited carrying the headers", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* _fakeHttp(() => Effect.succeed(limited))
      const error = yield* Effect.flip(
        RateLimit.make(client).execute(HttpClientRequest.get("https://api.test/x?secret=1"))
      )
      expect(error).toMatchObject({
        _tag: "RateLimited",
        status: 429,
        url: "https://api.test/x",
        limit: Option.some(50),
        remaining: Option.some(0),
        reset: Option.some(Duration.seconds(12)),
        retried: false
      })
      expect(error.message).toBe("GET https://api.test/x was rate limited (HTTP 429, 0/50 left; resets in 12s)")
      expect((yield* requests).length).toBe(1)
    }))

  it.effect("retryOnce waits for the reset and re-sends once", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* _fakeHttp((_, i) =>
        Effect.succeed(i === 0 ? limited : { json: { ok: true } })
      )
      const fiber = yield* Effect.fork(
        RateLimit.make(client, { retryOnce: true }).execute(HttpClientRequest.get("https://api.test/x"))
      )
      yield* _settle
      yield* TestClock.adjust(Duration.millis(11_999))
      expect((yield* requests).length).toBe(1)
      yield* TestClock.adjust(Duration.millis(1))
      expect((yield* Fiber.join(fiber)).status).toBe(200)
      expect((yield* requests).length).toBe(2)
    }))

  it.effect("a second 429 fails; a reset beyond maxWait fails at once", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* _fakeHttp(() => Effect.succeed(limited))
      const fiber = yield* Effect.fork(
        Effect.flip(RateLimit.make(client, { retryOnce: true }).execute(HttpClientRequest.get("https://api.test/x")))
      )
      yield* _settle
      yield* TestClock.adjust("12 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "RateLimited", retried: true })
      expect((yield* requests).length).toBe(2)
      const error = yield* Effect.flip(
        RateLimit.make(client, { retryOnce: true, maxWait: "5 seconds" }).execute(
          HttpClientRequest.get("https://api.test/x")
        )
      )
      expect(error).toMatchObject({ _tag: "RateLimited", retried: false })
      expect((yield* requests).length).toBe(3)
    }))
})
