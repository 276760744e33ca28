import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fault from "../src/Fault.js"
import * as Counters from "../src/internal/counters.js"
import * as Paysera from "../src/Paysera.js"
import { basic, getWithBearer, postForm, send, using } from "./_helpers.js"

const tokenUrl = `https://api.paysera.com${Paysera.tokenPath}`
const resourceUrl = `https://api.paysera.com${Paysera.resourcePath}`
const post = (params: Record<string, string>, headers: Record<string, string> = {}) =>
  send(postForm(tokenUrl, params, headers))

describe("counters", () => {
  it.effect("count token requests by grant type, client id and auth method, tokens, resources, 401s and 429s exactly", () =>
    using(Paysera.make({ rateLimit: { limit: 3, window: "1 minute" } }), (paysera) =>
      Effect.gen(function*() {
        const token = (yield* post({
          grant_type: "client_credentials",
          client_id: "sandbox-client",
          client_secret: "sandbox-secret"
        })).body.access_token
        yield* post({ grant_type: "client_credentials" }, { authorization: basic("sandbox-client", "sandbox-secret") })
        yield* post({ grant_type: "client_credentials", client_id: "intruder", client_secret: "x" })
        yield* post({ grant_type: "password", client_id: "sandbox-client", client_secret: "sandbox-secret" })
        // no secret: client authentication fails before the missing grant_type is noticed
        yield* post({ client_id: "sandbox-client" })
        yield* paysera.failNext(Fault.status(503))
        yield* post({ grant_type: "client_credentials", client_id: "sandbox-client", client_secret: "sandbox-secret" })
        yield* send(getWithBearer(resourceUrl, token))
        yield* send(getWithBearer(resourceUrl, "forged"))
        yield* send(getWithBearer(resourceUrl, token))
        yield* send(getWithBearer(resourceUrl, token))
        expect(yield* paysera.counters).toEqual({
          tokenRequests: 6,
          tokenRequestsByGrantType: { client_credentials: 4, password: 1 },
          tokenRequestsByClientId: { "sandbox-client": 5, intruder: 1 },
          tokenRequestsByAuthMethod: { client_secret_basic: 1, client_secret_post: 4, none: 1 },
          tokensIssued: 2,
          resourceRequests: 4,
          unauthorized: 3,
          rateLimited: 1,
          dropped: 0,
          responsesByStatus: { 200: 4, 400: 1, 401: 3, 429: 1, 503: 1 }
        })
      })))

  it.effect("go back to zero on resetCounters, while tokens stay valid", () =>
    using(Paysera.make(), (paysera) =>
      Effect.gen(function*() {
        const token = (yield* post({
          grant_type: "client_credentials",
          client_id: "sandbox-client",
          client_secret: "sandbox-secret"
        })).body.access_token
        yield* paysera.resetCounters
        expect(yield* paysera.counters).toEqual(Counters.empty)
        expect((yield* send(getWithBearer(resourceUrl, token))).status).toBe(200)
        expect((yield* paysera.counters).resourceRequests).toBe(1)
      })))

  it.effect("reset forgets counters, tokens, faults and rate limit windows", () =>
    using(Paysera.make({ rateLimit: { limit: 1, window: "1 hour" } }), (paysera) =>
      Effect.gen(function*() {
        const params = {
          grant_type: "client_credentials",
          client_id: "sandbox-client",
          client_secret: "sandbox-secret"
        }
        const token = (yield* post(params)).body.access_token
        yield* send(getWithBearer(resourceUrl, token))
        yield* paysera.failNext(Fault.status(500))
        yield* paysera.reset
        expect(yield* paysera.counters).toEqual(Counters.empty)
        expect(yield* paysera.credentials).toEqual([])
        const fresh = yield* post(params)
        expect(fresh.status).toBe(200)
        const old = yield* send(getWithBearer(resourceUrl, token))
        expect([old.status, old.body.error_description]).toEqual([401, "Token is invalid"])
        expect((yield* send(getWithBearer(resourceUrl, fresh.body.access_token))).status).toBe(429)
      })))
})
