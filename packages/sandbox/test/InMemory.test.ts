import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Autopay from "../src/Autopay.js"
import * as Centrapay from "../src/Centrapay.js"
import * as Cryptofuse from "../src/Cryptofuse.js"
import * as InMemory from "../src/InMemory.js"
import * as Paysera from "../src/Paysera.js"
import { getWithBearer, postForm, send } from "./_helpers.js"

describe("InMemory", () => {
  it.effect("routes each request to the emulator answering for its hostname", () =>
    Effect.gen(function*() {
      const paysera = yield* Paysera.make()
      const autopay = yield* Autopay.make()
      const centrapay = yield* Centrapay.make()
      const cryptofuse = yield* Cryptofuse.make({ hosts: ["api.cryptofuse.example"] })
      const replies = yield* Effect.all([
        send(postForm(`https://API.Paysera.com:8443${Paysera.tokenPath}`, {
          grant_type: "client_credentials",
          client_id: "sandbox-client",
          client_secret: "sandbox-secret"
        })),
        send(
          HttpClientRequest.post(`https://api-auth.autopay.io${Autopay.tokenPath}`).pipe(
            HttpClientRequest.bodyUnsafeJson({
              client_id: "sandbox-client",
              client_secret: "sandbox-secret",
              audience: Autopay.audience,
              grant_type: "client_credentials"
            })
          )
        ),
        send(
          HttpClientRequest.get(`http://centrapay.sandbox.local${Centrapay.resourcePath}`).pipe(
            HttpClientRequest.setHeader("x-api-key", Centrapay.testMerchantApiKey)
          )
        ),
        send(postForm(`https://api.cryptofuse.example${Cryptofuse.tokenPath}?ignored=1`, {
          grant_type: "client_credentials",
          client_id: "sandbox-client",
          client_secret: "sandbox-secret"
        }))
      ]).pipe(Effect.provide(InMemory.layer(paysera, autopay, centrapay, cryptofuse)))
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200])
      expect(replies[0]?.body.refresh_expires_in).toBe(0)
      expect(replies[1]?.body.scope).toBe("customer_club")
      expect(replies[3]?.body.scope).toBe("read write")
      const counts = yield* Effect.all([paysera.counters, autopay.counters, centrapay.counters, cryptofuse.counters])
      expect(counts.map((c) => c.tokenRequests + c.resourceRequests)).toEqual([1, 1, 1, 1])
    }))

  it.effect("fails a request to an unknown host with a transport error", () =>
    Effect.gen(function*() {
      const client = InMemory.make([yield* Paysera.make()])
      const result = yield* Effect.either(client.execute(HttpClientRequest.get("https://api.paysera.example/")))
      expect(Either.isLeft(result) && result.left._tag === "RequestError" && result.left.reason === "Transport")
        .toBe(true)
    }))

  it.effect("refuses two emulators claiming one host", () =>
    Effect.gen(function*() {
      const a = yield* Paysera.make()
      const b = yield* Paysera.make()
      expect(() => InMemory.make([a, b])).toThrow(/api\.paysera\.com/)
    }))

  it.effect("answers 404 for an unknown path and 405 for a wrong method", () =>
    Effect.gen(function*() {
      const paysera = yield* Paysera.make()
      const client = InMemory.make([paysera])
      const notFound = yield* client.execute(HttpClientRequest.get("https://api.paysera.com/nope"))
      expect(notFound.status).toBe(404)
      const wrongMethod = yield* client.execute(
        HttpClientRequest.post(`https://api.paysera.com${Paysera.resourcePath}`)
      )
      expect([wrongMethod.status, wrongMethod.headers["allow"]]).toEqual([405, "GET"])
    }))

  it.effect("provides HttpClient.HttpClient for code that asks for it", () =>
    Effect.gen(function*() {
      const centrapay = yield* Centrapay.make()
      const status = yield* HttpClient.get(`https://service.centrapay.com${Centrapay.resourcePath}`).pipe(
        Effect.map((response) => response.status),
        Effect.provide(InMemory.layer(centrapay))
      )
      expect(status).toBe(401)
      const bearer = yield* send(getWithBearer(`https://service.centrapay.com${Centrapay.resourcePath}`, "x")).pipe(
        Effect.provide(InMemory.layer(centrapay))
      )
      expect(bearer.status).toBe(401)
    }))
})

describe("InMemory.recording", () => {
  it.effect("records every request as sent, body and headers included, and answers it", () =>
    Effect.gen(function*() {
      const paysera = yield* Paysera.make()
      const { client, sent } = yield* InMemory.recording(paysera)
      const response = yield* client.execute(
        HttpClientRequest.post(`https://api.paysera.com${Paysera.tokenPath}`).pipe(
          HttpClientRequest.bodyUrlParams({
            grant_type: "client_credentials",
            client_id: "sandbox-client",
            client_secret: "sandbox-secret"
          })
        )
      )
      expect(response.status).toBe(200)
      expect(yield* sent).toMatchObject([
        {
          method: "POST",
          url: `https://api.paysera.com${Paysera.tokenPath}`,
          contentType: "application/x-www-form-urlencoded",
          body: "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret"
        }
      ])
    }))
})
