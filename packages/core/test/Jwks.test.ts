import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Redacted, Ref, TestClock } from "effect"
import type { JWK } from "jose"
import * as IdToken from "../src/IdToken.js"
import * as Jwks from "../src/Jwks.js"
import { _fakeHttp, type Reply } from "./_fakeHttp.js"
import { _at, _expectNoToken, _sign, _signingKey, CLIENT_ID, ISSUER, NONCE, SUBJECT } from "./_idToken.js"

const jwksUri = `${ISSUER}/.well-known/jwks.json`

const k1 = await _signingKey("k1")
const k2 = await _signingKey("k2")
const k3 = await _signingKey("k3")

/** A provider publishing `published` (changeable by the test); every fetch is recorded. */
const provider = (initial: ReadonlyArray<JWK>) =>
  Effect.gen(function*() {
    const published = yield* Ref.make(initial)
    const { client, requests } = yield* _fakeHttp(() =>
      Effect.map(Ref.get(published), (keys): Reply => ({ json: { keys } }))
    )
    return { client, requests, publish: (keys: ReadonlyArray<JWK>) => Ref.set(published, keys) }
  })

const remoteOn = (client: HttpClient.HttpClient, options?: Parameters<typeof Jwks.remote>[1]) =>
  Jwks.remote(jwksUri, options).pipe(Effect.provideService(HttpClient.HttpClient, client))

const verifyWith = (keys: Jwks.Jwks, token: string) =>
  IdToken.verify(Redacted.make(token), {
    issuer: ISSUER,
    clientId: CLIENT_ID,
    keys,
    algorithms: ["RS256"],
    nonce: NONCE
  })

const kids = (set: { readonly keys: ReadonlyArray<JWK> }) => set.keys.map((k) => k.kid)

describe("Jwks.remote", () => {
  it.effect("fetches nothing until first used, then GETs the jwks_uri as JSON once", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* provider([k1.jwk])
      const jwks = yield* remoteOn(client)
      expect(yield* requests).toHaveLength(0)
      expect(kids(yield* jwks.get)).toEqual(["k1"])
      yield* jwks.get
      const recorded = yield* requests
      expect(recorded).toHaveLength(1)
      expect(recorded[0]!.method).toBe("GET")
      expect(recorded[0]!.url).toBe(jwksUri)
      expect(recorded[0]!.headers["accept"]).toBe("application/json")
    }))

  it.effect("shares one request among concurrent first uses", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* provider([k1.jwk])
      const jwks = yield* remoteOn(client)
      yield* Effect.all(Array.from({ length: 20 }, () => jwks.get), { concurrency: "unbounded" })
      expect(yield* requests).toHaveLength(1)
    }))

  it.effect("keeps the set for 24 hours by default, then fetches it again", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* provider([k1.jwk])
      const jwks = yield* remoteOn(client)
      yield* jwks.get
      yield* TestClock.adjust("23 hours")
      yield* jwks.get
      expect(yield* requests).toHaveLength(1)
      yield* TestClock.adjust("1 hour")
      yield* jwks.get
      expect(yield* requests).toHaveLength(2)
    }))

  it.effect("keeps the set for a custom ttl", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* provider([k1.jwk])
      const jwks = yield* remoteOn(client, { ttl: "5 minutes" })
      yield* jwks.get
      yield* TestClock.adjust("5 minutes")
      yield* jwks.get
      expect(yield* requests).toHaveLength(2)
    }))

  it.effect("refresh within the cooldown after a fetch returns the kept set without a request", () =>
    Effect.gen(function*() {
      const { client, requests, publish } = yield* provider([k1.jwk])
      const jwks = yield* remoteOn(client)
      yield* jwks.get
      yield* publish([k1.jwk, k2.jwk])
      yield* TestClock.adjust("29 seconds")
      expect(kids(yield* jwks.refresh)).toEqual(["k1"])
      expect(yield* requests).toHaveLength(1)
      yield* TestClock.adjust("1 second")
      expect(kids(yield* jwks.refresh)).toEqual(["k1", "k2"])
      expect(yield* requests).toHaveLength(2)
      expect(kids(yield* jwks.get)).toEqual(["k1", "k2"])
      expect(yield* requests).toHaveLength(2)
    }))

  it.effect("a failed refetch starts the cooldown too: an outage is not asked again for every unknown key", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* _fakeHttp((_, i) =>
        Effect.succeed<Reply>(i === 1 ? { status: 503, text: "down" } : { json: { keys: [k1.jwk] } })
      )
      const jwks = yield* remoteOn(client)
      yield* jwks.get
      yield* TestClock.adjust("30 seconds")
      expect((yield* Effect.flip(jwks.refresh))._tag).toBe("DiscoveryError")
      expect(yield* requests).toHaveLength(2)
      yield* TestClock.adjust("10 seconds")
      expect(kids(yield* jwks.refresh)).toEqual(["k1"]) // the kept set, no request
      expect(yield* requests).toHaveLength(2)
      yield* TestClock.adjust("20 seconds")
      yield* jwks.refresh
      expect(yield* requests).toHaveLength(3)
    }))

  it.effect("honours a custom cooldown", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* provider([k1.jwk])
      const jwks = yield* remoteOn(client, { cooldown: "5 minutes" })
      yield* jwks.get
      yield* TestClock.adjust("4 minutes")
      yield* jwks.refresh
      expect(yield* requests).toHaveLength(1)
      yield* TestClock.adjust("1 minute")
      yield* jwks.refresh
      expect(yield* requests).toHaveLength(2)
    }))

  it.effect("does not keep a failed fetch: the next use fetches again", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* _fakeHttp((_, i) =>
        Effect.succeed<Reply>(i === 0 ? { status: 502, text: "bad gateway" } : { json: { keys: [k1.jwk] } })
      )
      const jwks = yield* remoteOn(client)
      const error = yield* Effect.flip(jwks.get)
      expect(error._tag).toBe("DiscoveryError")
      expect(error.document).toBe("jwks")
      expect(error.reason).toBe("Status")
      expect(error.status).toBe(502)
      expect(error.url).toBe(jwksUri)
      expect(kids(yield* jwks.get)).toEqual(["k1"])
      expect(yield* requests).toHaveLength(2)
    }))

  it.effect("refuses a set without keys, or a key without kty, as InvalidDocument naming the path", () =>
    Effect.gen(function*() {
      for (
        const [body, path] of [[{ nokeys: [] }, "keys"], [
          { keys: [{ kid: "k1", n: "private-looking-n" }] },
          "keys.0.kty"
        ]] as const
      ) {
        const { client } = yield* _fakeHttp(() => Effect.succeed<Reply>({ json: body }))
        const error = yield* Effect.flip((yield* remoteOn(client)).get)
        expect(error.reason).toBe("InvalidDocument")
        expect(error.document).toBe("jwks")
        expect(error.detail).toContain(path)
        expect(error.detail).not.toContain("private-looking-n")
      }
    }))

  it.effect("refuses a plain-http jwks_uri on a non-loopback host without a request", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* provider([k1.jwk])
      const jwks = yield* Jwks.remote("http://auth.example.com/jwks").pipe(
        Effect.provideService(HttpClient.HttpClient, client)
      )
      const error = yield* Effect.flip(jwks.get)
      expect(error.reason).toBe("InvalidUrl")
      expect(yield* requests).toHaveLength(0)
    }))

  it.effect("gives up with Timeout when the provider does not answer", () =>
    Effect.gen(function*() {
      const { client } = yield* _fakeHttp(() => Effect.never)
      const jwks = yield* remoteOn(client, { timeout: "5 seconds" })
      const fiber = yield* Effect.fork(jwks.get)
      yield* TestClock.adjust("4 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 second")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error.reason).toBe("Timeout")
      expect(error.document).toBe("jwks")
    }))
})

describe("Jwks.fromKeys", () => {
  it.effect("serves the given set for get and refresh", () =>
    Effect.gen(function*() {
      const jwks = Jwks.fromKeys({ keys: [k1.jwk, k2.jwk] })
      expect(kids(yield* jwks.get)).toEqual(["k1", "k2"])
      expect(kids(yield* jwks.refresh)).toEqual(["k1", "k2"])
    }))
})

describe("key rotation with IdToken.verify and Jwks.remote", () => {
  it.effect("verifies many tokens with one fetch of the set", () =>
    Effect.gen(function*() {
      yield* _at()
      const { client, requests } = yield* provider([k1.jwk])
      const jwks = yield* remoteOn(client)
      for (let i = 0; i < 5; i++) {
        expect((yield* verifyWith(jwks, yield* Effect.promise(() => _sign(k1)))).sub).toBe(SUBJECT)
      }
      expect(yield* requests).toHaveLength(1)
    }))

  it.effect("an unknown kid after the cooldown makes it fetch the set once more, then the token verifies", () =>
    Effect.gen(function*() {
      yield* _at()
      const { client, requests, publish } = yield* provider([k1.jwk])
      const jwks = yield* remoteOn(client)
      yield* verifyWith(jwks, yield* Effect.promise(() => _sign(k1)))
      expect(yield* requests).toHaveLength(1)

      yield* publish([k1.jwk, k2.jwk])
      yield* TestClock.adjust("31 seconds")
      const claims = yield* verifyWith(jwks, yield* Effect.promise(() => _sign(k2)))
      expect(claims.sub).toBe(SUBJECT)
      expect(yield* requests).toHaveLength(2)

      // The refreshed set is kept: both keys verify without another request.
      yield* verifyWith(jwks, yield* Effect.promise(() => _sign(k1)))
      yield* verifyWith(jwks, yield* Effect.promise(() => _sign(k2)))
      expect(yield* requests).toHaveLength(2)
    }))

  it.effect("a second unknown kid within the cooldown does not fetch again and is UnknownKey", () =>
    Effect.gen(function*() {
      yield* _at()
      const { client, requests, publish } = yield* provider([k1.jwk])
      const jwks = yield* remoteOn(client)
      yield* verifyWith(jwks, yield* Effect.promise(() => _sign(k1)))
      yield* publish([k1.jwk, k2.jwk])
      yield* TestClock.adjust("31 seconds")
      yield* verifyWith(jwks, yield* Effect.promise(() => _sign(k2)))
      expect(yield* requests).toHaveLength(2)

      yield* publish([k1.jwk, k2.jwk, k3.jwk])
      yield* TestClock.adjust("10 seconds")
      for (let i = 0; i < 3; i++) {
        const token = yield* Effect.promise(() => _sign(k3))
        const error = yield* Effect.flip(verifyWith(jwks, token))
        expect(error._tag).toBe("IdTokenError")
        expect(error.reason).toBe("UnknownKey")
        _expectNoToken(error, token)
      }
      expect(yield* requests).toHaveLength(2)

      // Once the cooldown is over, the next unknown kid fetches again.
      yield* TestClock.adjust("20 seconds")
      expect((yield* verifyWith(jwks, yield* Effect.promise(() => _sign(k3)))).sub).toBe(SUBJECT)
      expect(yield* requests).toHaveLength(3)
    }))

  it.effect("a kid the provider does not publish either costs one fetch per cooldown at most", () =>
    Effect.gen(function*() {
      yield* _at()
      const { client, requests } = yield* provider([k1.jwk])
      const jwks = yield* remoteOn(client)
      yield* verifyWith(jwks, yield* Effect.promise(() => _sign(k1)))
      yield* TestClock.adjust("1 minute")
      const token = yield* Effect.promise(() => _sign(k3))
      for (let i = 0; i < 5; i++) {
        expect((yield* Effect.flip(verifyWith(jwks, token))).reason).toBe("UnknownKey")
      }
      expect(yield* requests).toHaveLength(2)
    }))

  it.effect("concurrent tokens with an unknown kid share one fetch", () =>
    Effect.gen(function*() {
      yield* _at()
      const { client, requests, publish } = yield* provider([k1.jwk])
      const jwks = yield* remoteOn(client)
      yield* verifyWith(jwks, yield* Effect.promise(() => _sign(k1)))
      yield* publish([k1.jwk, k2.jwk])
      yield* TestClock.adjust("1 minute")
      const tokens = yield* Effect.promise(() => Promise.all(Array.from({ length: 10 }, () => _sign(k2))))
      const results = yield* Effect.all(tokens.map((t) => verifyWith(jwks, t)), { concurrency: "unbounded" })
      expect(results.every((c) => c.sub === SUBJECT)).toBe(true)
      expect(yield* requests).toHaveLength(2)
    }))
})
