import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Centrapay from "../src/Centrapay.js"
import * as Fault from "../src/Fault.js"
import * as Paysera from "../src/Paysera.js"
import { getWithBearer, postForm, send, untilSleeping, using } from "./_helpers.js"

const tokenUrl = `https://paysera.sandbox.local${Paysera.tokenPath}`
const resourceUrl = `https://paysera.sandbox.local${Paysera.resourcePath}`
const tokenRequest = postForm(tokenUrl, {
  grant_type: "client_credentials",
  client_id: "sandbox-client",
  client_secret: "sandbox-secret"
})

describe("fault injection", () => {
  it.effect("fails the next N token requests with a status, body and headers, then answers normally", () =>
    using(Paysera.make(), (paysera) =>
      Effect.gen(function*() {
        yield* paysera.failNext(Fault.status(503, { headers: { "retry-after": "2" } }), { times: 2 })
        for (let i = 0; i < 2; i++) {
          const reply = yield* send(tokenRequest)
          expect(reply.status).toBe(503)
          expect(reply.headers["retry-after"]).toBe("2")
          expect(reply.body).toEqual({ error: "server_error", error_description: "Injected fault (HTTP 503)" })
        }
        expect((yield* send(tokenRequest)).status).toBe(200)
      })))

  it.effect("queues faults in order, with JSON or raw text bodies", () =>
    using(Paysera.make(), (paysera) =>
      Effect.gen(function*() {
        yield* paysera.failNext(Fault.status(400, { body: { error: "invalid_grant" } }))
        yield* paysera.failNext(Fault.status(502, { body: "<html>Bad gateway</html>" }))
        const first = yield* send(tokenRequest)
        expect([first.status, first.body]).toEqual([400, { error: "invalid_grant" }])
        const second = yield* send(tokenRequest)
        expect([second.status, second.text, second.headers["content-type"]]).toEqual([
          502,
          "<html>Bad gateway</html>",
          "text/plain"
        ])
      })))

  it.effect("answers with malformed JSON", () =>
    using(Paysera.make(), (paysera) =>
      Effect.gen(function*() {
        yield* paysera.failNext(Fault.malformedJson())
        const reply = yield* send(tokenRequest)
        expect(reply.status).toBe(200)
        expect(reply.headers["content-type"]).toBe("application/json")
        expect(reply.text.length).toBeGreaterThan(0)
        expect(reply.body).toBeUndefined()
      })))

  it.effect("answers 200 carrying an error body", () =>
    using(Paysera.make(), (paysera) =>
      Effect.gen(function*() {
        yield* paysera.failNext(Fault.errorIn200("invalid_client", "Invalid client credentials"))
        const reply = yield* send(tokenRequest)
        expect(reply.status).toBe(200)
        expect(reply.body).toEqual({ error: "invalid_client", error_description: "Invalid client credentials" })
        expect((yield* paysera.counters).tokensIssued).toBe(0)
      })))

  it.effect("drops the connection: the in-memory client sees a transport error", () =>
    using(Paysera.make(), (paysera) =>
      Effect.gen(function*() {
        yield* paysera.dropNext()
        const failed = yield* Effect.either(send(tokenRequest))
        expect(Either.isLeft(failed)).toBe(true)
        if (Either.isLeft(failed)) {
          expect(failed.left._tag).toBe("RequestError")
          expect(failed.left.reason).toBe("Transport")
        }
        expect((yield* send(tokenRequest)).status).toBe(200)
        expect((yield* paysera.counters).dropped).toBe(1)
      })))

  it.effect("delays a response on the Clock, so TestClock drives it", () =>
    using(Paysera.make(), (paysera) =>
      Effect.gen(function*() {
        yield* paysera.delayNext("10 seconds")
        const fiber = yield* Effect.fork(send(tokenRequest))
        yield* untilSleeping
        yield* TestClock.adjust("9 seconds")
        expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
        yield* TestClock.adjust("1 second")
        const reply = yield* Fiber.join(fiber)
        expect(reply.status).toBe(200)
        // the token's lifetime starts when the delayed answer is made
        const [credential] = yield* paysera.credentials
        expect(credential?.issuedAt).toBe(10_000)
      })))

  it.effect("applies faults to the resource endpoint or to any endpoint when asked", () =>
    using(Paysera.make(), (paysera) =>
      Effect.gen(function*() {
        const token = (yield* send(tokenRequest)).body.access_token
        yield* paysera.failNext(Fault.status(500), { endpoint: "resource" })
        expect((yield* send(tokenRequest)).status).toBe(200)
        expect((yield* send(getWithBearer(resourceUrl, token))).status).toBe(500)
        yield* paysera.failNext(Fault.status(418), { endpoint: "any", times: 2 })
        expect((yield* send(getWithBearer(resourceUrl, token))).status).toBe(418)
        expect((yield* send(tokenRequest)).status).toBe(418)
        expect((yield* send(getWithBearer(resourceUrl, token))).status).toBe(200)
      })))

  it.effect("targets the resource endpoint by default when there is no token endpoint", () =>
    using(Centrapay.make(), (centrapay) =>
      Effect.gen(function*() {
        yield* centrapay.failNext(Fault.status(503))
        const request = HttpClientRequest.get(`https://service.centrapay.com${Centrapay.resourcePath}`).pipe(
          HttpClientRequest.setHeader("x-api-key", Centrapay.testMerchantApiKey)
        )
        expect((yield* send(request)).status).toBe(503)
        expect((yield* send(request)).status).toBe(200)
      })))

  it.effect("changes expires_in of the next tokens, and the server-side expiry with it", () =>
    using(Paysera.make(), (paysera) =>
      Effect.gen(function*() {
        yield* paysera.setExpiresIn(60, { times: 1 })
        const short = (yield* send(tokenRequest)).body
        expect(short.expires_in).toBe(60)
        expect((yield* send(tokenRequest)).body.expires_in).toBe(3600)
        yield* TestClock.adjust("60 seconds")
        expect((yield* send(getWithBearer(resourceUrl, short.access_token))).status).toBe(401)
        yield* paysera.setExpiresIn(5)
        expect((yield* send(tokenRequest)).body.expires_in).toBe(5)
        expect((yield* send(tokenRequest)).body.expires_in).toBe(5)
      })))

  it.effect("can leave expires_in out of the response", () =>
    using(Paysera.make(), (paysera) =>
      Effect.gen(function*() {
        yield* paysera.setExpiresIn(120, { times: 1, omitExpiresIn: true })
        const body = (yield* send(tokenRequest)).body
        expect("expires_in" in body).toBe(false)
        expect(body.refresh_expires_in).toBe(0)
        yield* TestClock.adjust("120 seconds")
        expect((yield* send(getWithBearer(resourceUrl, body.access_token))).status).toBe(401)
      })))

  it.effect("forgets pending faults, delays and lifetimes on clearFaults", () =>
    using(Paysera.make(), (paysera) =>
      Effect.gen(function*() {
        yield* paysera.failNext(Fault.status(500), { times: 5 })
        yield* paysera.delayNext("1 hour")
        yield* paysera.setExpiresIn(1)
        yield* paysera.clearFaults
        const reply = yield* send(tokenRequest)
        expect([reply.status, reply.body.expires_in]).toEqual([200, 3600])
      })))

  it.effect("revokes every token at once", () =>
    using(Paysera.make(), (paysera) =>
      Effect.gen(function*() {
        const a = (yield* send(tokenRequest)).body.access_token
        const b = (yield* send(tokenRequest)).body.access_token
        expect(yield* paysera.revokeAll).toBe(2)
        for (const token of [a, b]) expect((yield* send(getWithBearer(resourceUrl, token))).status).toBe(401)
        expect((yield* paysera.credentials).every((c) => c.revoked)).toBe(true)
      })))

  it.effect("refuses a non-positive fault count", () =>
    using(Paysera.make(), (paysera) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(paysera.failNext(Fault.drop, { times: 0 }))
        expect(exit._tag).toBe("Failure")
      })))
})
