import { KeyValueStore } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Option, Redacted, Ref, TestClock } from "effect"
import * as AccessToken from "../src/AccessToken.js"
import * as KeyValueTokenStore from "../src/KeyValueTokenStore.js"
import * as TokenCache from "../src/TokenCache.js"
import type { TokenError } from "../src/TokenError.js"
import { _oauth, _settle, _value } from "./_source.js"

const _kv = Effect.provide(KeyValueStore.KeyValueStore, KeyValueStore.layerMemory)

const _token = (n: number, now: number, lifetime = 3_600_000) =>
  AccessToken.make({
    value: Redacted.make(`tok-${n}`),
    issuedAt: now,
    expiresAt: Option.some(now + lifetime),
    refreshToken: Option.some(Redacted.make(`rt-${n}`)),
    idToken: Option.some(Redacted.make(`id-${n}`))
  })

/**
 * A provider that rotates refresh tokens and, like a real one, answers a replayed refresh token
 * with `invalid_grant`. Each refresh takes 1 s.
 */
const _rotating = (lifetime = 3_600_000) =>
  Effect.gen(function*() {
    const issued = yield* Ref.make(1)
    const spent = yield* Ref.make<ReadonlyArray<string>>([])
    const replays = yield* Ref.make(0)
    const refresh = (rt: Redacted.Redacted<string>): Effect.Effect<AccessToken.AccessToken, TokenError> =>
      Effect.gen(function*() {
        const value = Redacted.value(rt)
        const replayed = (yield* Ref.get(spent)).includes(value)
        yield* Ref.update(spent, (s) => [...s, value])
        yield* Effect.sleep("1 second")
        if (replayed) {
          yield* Ref.update(replays, (n) => n + 1)
          return yield* Effect.fail(_oauth("invalid_grant"))
        }
        const n = yield* Ref.updateAndGet(issued, (i) => i + 1)
        return _token(n, yield* Clock.currentTimeMillis, lifetime)
      })
    return { refresh, spent: Ref.get(spent), replays: Ref.get(replays) }
  })

describe("KeyValueTokenStore", () => {
  it.effect("keeps the token set under its key, as the versioned JSON document, and removes it on clear", () =>
    Effect.gen(function*() {
      const kv = yield* _kv
      const store = yield* KeyValueTokenStore.make({ store: kv, key: "session" })
      expect(yield* store.get).toEqual(Option.none())
      const token = _token(1, 1_000)
      yield* store.set(Option.some(token))
      const text = Option.getOrThrow(yield* kv.get("session"))
      expect(JSON.parse(text)).toMatchObject({ version: 1, token: { accessToken: "tok-1", refreshToken: "rt-1" } })
      const read = Option.getOrThrow(yield* store.get)
      expect(AccessToken.sameValue(read, token)).toBe(true)
      expect(Redacted.value(Option.getOrThrow(read.idToken))).toBe("id-1")
      // A second reader of the same backing store (another tab) sees the write at once.
      const other = yield* KeyValueTokenStore.make({ store: kv, key: "session" })
      expect(Option.map(yield* other.get, _value)).toEqual(Option.some("tok-1"))
      yield* other.set(Option.none())
      expect(yield* kv.has("session")).toBe(false)
      expect(yield* store.get).toEqual(Option.none())
    }))

  it.effect("compareAndSet replaces only the expected token; a corrupt value fails without being quoted", () =>
    Effect.gen(function*() {
      const kv = yield* _kv
      const store = yield* KeyValueTokenStore.make({ store: kv, key: "session" })
      yield* store.set(Option.some(_token(1, 0)))
      expect(yield* store.compareAndSet(_token(9, 0), Option.some(_token(2, 0)))).toBe(false)
      expect(yield* store.compareAndSet(_token(1, 0), Option.some(_token(2, 0)))).toBe(true)
      expect(Option.map(yield* store.get, _value)).toEqual(Option.some("tok-2"))
      yield* kv.set("session", "{\"secret-looking\": \"rt-leak\"")
      const error = yield* Effect.flip(store.get)
      expect(error._tag).toBe("TokenStoreError")
      expect(error.message).not.toContain("rt-leak")
      yield* store.set(Option.some(_token(3, 0)))
      expect(Option.map(yield* store.get, _value)).toEqual(Option.some("tok-3"))
    }))
})

describe("TokenCache lock: holders of one store spend a refresh token once", () => {
  it.scoped("two caches over one store refreshing at once send one refresh_token grant", () =>
    Effect.gen(function*() {
      const kv = yield* _kv
      const provider = yield* _rotating()
      const mutex = yield* Effect.makeSemaphore(1)
      const lock = <A, E, R>(effect: Effect.Effect<A, E, R>) => mutex.withPermits(1)(effect)
      const tab = Effect.gen(function*() {
        const store = yield* KeyValueTokenStore.make({ store: kv, key: "session" })
        return yield* TokenCache.make({ refresh: provider.refresh, store, lock })
      })
      const a = yield* tab
      const b = yield* tab
      yield* a.set(_token(1, 0))
      const both = yield* Effect.fork(Effect.all([a.refresh, b.refresh], { concurrency: "unbounded" }))
      yield* _settle
      yield* TestClock.adjust("1 second")
      yield* _settle
      yield* TestClock.adjust("1 second")
      const [fromA, fromB] = yield* Fiber.join(both)
      expect(yield* provider.spent).toEqual(["rt-1"])
      expect(yield* provider.replays).toBe(0)
      expect([_value(fromA), _value(fromB)]).toEqual(["tok-2", "tok-2"])
    }))

  it.scoped("without the lock the same race replays the refresh token (what the lock prevents)", () =>
    Effect.gen(function*() {
      const kv = yield* _kv
      const provider = yield* _rotating()
      const tab = Effect.flatMap(
        KeyValueTokenStore.make({ store: kv, key: "session" }),
        (store) => TokenCache.make({ refresh: provider.refresh, store })
      )
      const a = yield* tab
      const b = yield* tab
      yield* a.set(_token(1, 0))
      const both = yield* Effect.fork(Effect.all([Effect.either(a.refresh), Effect.either(b.refresh)], {
        concurrency: "unbounded"
      }))
      yield* _settle
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(both)
      expect(yield* provider.spent).toEqual(["rt-1", "rt-1"])
      expect(yield* provider.replays).toBe(1)
    }))

  it.scoped("background refreshes of two caches due at the same moment send one grant", () =>
    Effect.gen(function*() {
      const kv = yield* _kv
      const provider = yield* _rotating(60_000)
      const mutex = yield* Effect.makeSemaphore(1)
      const lock = <A, E, R>(effect: Effect.Effect<A, E, R>) => mutex.withPermits(1)(effect)
      const first = _token(1, 0, 60_000)
      yield* (yield* KeyValueTokenStore.make({ store: kv, key: "session" })).set(Option.some(first))
      const tab = Effect.flatMap(
        KeyValueTokenStore.make({ store: kv, key: "session" }),
        (store) => TokenCache.make({ refresh: provider.refresh, store, lock, policy: { maxJitter: 0 } })
      )
      const a = yield* tab
      const b = yield* tab
      // Both were built over the stored token, so both scheduled its refresh for the same moment.
      yield* _settle
      yield* TestClock.adjust("31 seconds")
      yield* _settle
      yield* TestClock.adjust("1 second")
      yield* _settle
      expect(yield* provider.spent).toEqual(["rt-1"])
      expect(Option.map(yield* a.current, _value)).toEqual(Option.some("tok-2"))
      expect(_value(yield* b.get)).toBe("tok-2")
      // And the next renewal is scheduled in both, still spending each refresh token once.
      yield* TestClock.adjust("31 seconds")
      yield* _settle
      yield* TestClock.adjust("1 second")
      yield* _settle
      expect(yield* provider.spent).toEqual(["rt-1", "rt-2"])
      expect(yield* provider.replays).toBe(0)
    }))
})
