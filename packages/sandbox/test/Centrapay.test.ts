import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Centrapay from "../src/Centrapay.js"
import { getWithBearer, send, using } from "./_helpers.js"

const url = `https://service.centrapay.com${Centrapay.resourcePath}`
const withKey = (key: string) => HttpClientRequest.get(url).pipe(HttpClientRequest.setHeader("X-Api-Key", key))

describe("Centrapay", () => {
  it.effect("accepts the documented test merchant API key in X-Api-Key", () =>
    using(Centrapay.make(), () =>
      Effect.gen(function*() {
        const reply = yield* send(withKey("f32c5497297084e5354b47c40d5ccacb109ce483"))
        expect(reply.status).toBe(200)
        expect(reply.body).toMatchObject({ provider: "centrapay", client_id: "test-merchant", credential_number: 1 })
      })))

  it.effect("answers 401 to a missing or unknown key, and to a bearer token", () =>
    using(Centrapay.make(), () =>
      Effect.gen(function*() {
        for (
          const request of [
            HttpClientRequest.get(url),
            withKey("unknown"),
            getWithBearer(url, Centrapay.testMerchantApiKey)
          ]
        ) {
          const reply = yield* send(request)
          expect(reply.status).toBe(401)
          expect(reply.body).toEqual({ message: "Unauthorized" })
        }
      })))

  it.effect("answers 401 to a revoked key until reset", () =>
    using(Centrapay.make(), (centrapay) =>
      Effect.gen(function*() {
        expect(yield* centrapay.revoke(Centrapay.testMerchantApiKey)).toBe(true)
        expect((yield* send(withKey(Centrapay.testMerchantApiKey))).status).toBe(401)
        yield* centrapay.reset
        expect((yield* send(withKey(Centrapay.testMerchantApiKey))).status).toBe(200)
      })))

  it.effect("never expires API keys", () =>
    using(Centrapay.make(), () =>
      Effect.gen(function*() {
        yield* TestClock.adjust("3650 days")
        expect((yield* send(withKey(Centrapay.testMerchantApiKey))).status).toBe(200)
      })))

  it.effect("takes its own keys, plain or Redacted", () =>
    using(
      Centrapay.make({ apiKeys: [{ key: Redacted.make("k-1"), name: "pos-1" }, { key: "k-2" }] }),
      (centrapay) =>
        Effect.gen(function*() {
          expect((yield* send(withKey("k-1"))).body.client_id).toBe("pos-1")
          expect((yield* send(withKey("k-2"))).body.client_id).toBe("api-key-2")
          expect((yield* send(withKey(Centrapay.testMerchantApiKey))).status).toBe(401)
          expect((yield* centrapay.credentials).map((c) => c.kind)).toEqual(["api_key", "api_key"])
        })
    ))
})
