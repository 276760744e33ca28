import * as TokenCache from "@auth-pipeline/core/TokenCache"
import * as TokenStore from "@auth-pipeline/core/TokenStore"
import * as Redis from "@auth-pipeline/testing/Redis"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option, Redacted } from "effect"
import * as RedisTokenStore from "../src/RedisTokenStore.js"
import { _credential, _endpoint, _value } from "./_endpoint.js"

const encryptionKey = Redacted.make("test-key-0123456789abcdef0123456789abcdef")

describe.skipIf(Redis.skip())("RedisTokenStore.inspect / clear on a real redis-server", () => {
  it.scopedLive("lists each credential's version, freshness and token summary, never a token value; clear empties", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const endpoint = yield* _endpoint({ lifetime: "1 hour" })
      const factory = yield* RedisTokenStore.make({ url: redis.url, encryptionKey, keyPrefix: "ops:" })
      const caches = yield* Effect.forEach(["a", "b"], (clientId) =>
        TokenCache.make({
          name: `inspect-${clientId}`,
          acquire: endpoint.acquire,
          credential: _credential(clientId, ["payments"])
        }).pipe(Effect.provideService(TokenStore.Factory, factory)))
      const tokens = yield* Effect.forEach(caches, (cache) => cache.get)
      const values = tokens.flatMap((t) => [_value(t), ...Option.toArray(Option.map(t.refreshToken, Redacted.value))])
      expect(values).toHaveLength(4)

      // Without the key: versions and freshness, the data only "sealed".
      const sealed = yield* RedisTokenStore.inspect({ url: redis.url, keyPrefix: "ops:" })
      expect(sealed.records).toHaveLength(2)
      for (const record of sealed.records) {
        expect(record.hash).toMatch(/^[0-9a-f]{32}$/)
        expect(record.version).toBeGreaterThan(0)
        expect(record.freshUntil).toBeGreaterThan(sealed.now)
        expect(record.lease).toEqual({ held: false, remainingMillis: null })
        expect(record.backoffMillis).toBeNull()
        expect(record.data).toBe("sealed")
        expect(record.token).toBeNull()
      }

      // With the key: the token's type, scopes and times, whether a refresh token is there.
      const opened = yield* RedisTokenStore.inspect({ url: redis.url, keyPrefix: "ops:", encryptionKey })
      for (const record of opened.records) {
        expect(record.data).toBe("opened")
        expect(record.token).toMatchObject({ tokenType: "Bearer", refreshToken: true, idToken: false })
        expect(record.token!.expiresAt! - record.token!.issuedAt).toBe(3_600_000)
      }
      // Another key does not open them; another prefix holds nothing.
      const wrong = yield* RedisTokenStore.inspect({
        url: redis.url,
        keyPrefix: "ops:",
        encryptionKey: Redacted.make("another-key-0123456789abcdef0123456789")
      })
      expect(wrong.records.map((r) => r.data)).toEqual(["unopenable", "unopenable"])
      expect((yield* RedisTokenStore.inspect({ url: redis.url })).records).toEqual([])

      // No token value (access or refresh), no lease owner, in any of them.
      const json = JSON.stringify([sealed, opened, wrong])
      for (const value of values) expect(json).not.toContain(value)

      // A lease held right now shows with its TTL, never its owner.
      const hash = opened.records[0]!.hash
      yield* Effect.promise(() =>
        Redis.command(redis.port, ["SET", `ops:{${hash}}:lease`, "owner-secret", "PX", "10000"])
      )
      const leased = yield* RedisTokenStore.inspect({ url: redis.url, keyPrefix: "ops:" })
      const withLease = leased.records.find((r) => r.hash === hash)!
      expect(withLease.lease.held).toBe(true)
      expect(withLease.lease.remainingMillis).toBeGreaterThan(5_000)
      expect(JSON.stringify(leased)).not.toContain("owner-secret")

      // Clear one credential, then all.
      const one = yield* RedisTokenStore.clear({ url: redis.url, keyPrefix: "ops:", hash })
      expect(one).toEqual({ hashes: [hash], deletedKeys: 2 })
      expect((yield* RedisTokenStore.inspect({ url: redis.url, keyPrefix: "ops:" })).records).toHaveLength(1)
      const all = yield* RedisTokenStore.clear({ url: redis.url, keyPrefix: "ops:" })
      expect(all.hashes).toHaveLength(1)
      expect((yield* RedisTokenStore.inspect({ url: redis.url, keyPrefix: "ops:" })).records).toEqual([])
    }))

  it.scopedLive("an unreachable Redis fails with RedisUnavailable, its URL without the password", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(() => Redis.freePort())
      const exit = yield* Effect.exit(
        RedisTokenStore.inspect({ url: `redis://:hunter2@127.0.0.1:${port}` })
      )
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        expect(exit.cause.error._tag).toBe("RedisUnavailable")
        expect(exit.cause.error.message).toMatch(new RegExp(`^Redis unavailable at redis://127\\.0\\.0\\.1:${port}: `))
        expect(exit.cause.error.message).not.toContain("hunter2")
      } else {
        throw new Error("expected a failure")
      }
      const cleared = yield* Effect.exit(RedisTokenStore.clear({ url: `redis://127.0.0.1:${port}` }))
      expect(Exit.isFailure(cleared)).toBe(true)
    }))
})
