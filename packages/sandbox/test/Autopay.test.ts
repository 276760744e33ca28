import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as Autopay from "../src/Autopay.js"
import { basic, getWithBearer, postForm, send, using } from "./_helpers.js"

const tokenUrl = `https://api-auth.autopay.io${Autopay.tokenPath}`
const resourceUrl = `https://api.autopay.io${Autopay.resourcePath}`
const documented = {
  client_id: "kWmliLIrb79QfsF9r3vJE4xrKMcdcrrA",
  client_secret: "7xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxg",
  audience: "https://api.autopay.io",
  grant_type: "client_credentials"
}
const docClient = { clientId: documented.client_id, clientSecret: documented.client_secret }

const postJson = (body: unknown) => HttpClientRequest.post(tokenUrl).pipe(HttpClientRequest.bodyUnsafeJson(body))

describe("Autopay", () => {
  it.effect("answers the documented JSON request with the documented response", () =>
    using(Autopay.make({ clients: [docClient] }), () =>
      Effect.gen(function*() {
        const reply = yield* send(
          HttpClientRequest.post(tokenUrl).pipe(
            HttpClientRequest.bodyText(JSON.stringify(documented), "application/json")
          )
        )
        expect(reply.status).toBe(200)
        expect(Object.keys(reply.body)).toEqual(["access_token", "scope", "expires_in", "token_type"])
        expect(reply.body).toMatchObject({ scope: "customer_club", expires_in: 86400, token_type: "Bearer" })
        const api = yield* send(getWithBearer(resourceUrl, reply.body.access_token))
        expect(api.status).toBe(200)
        expect(api.body).toMatchObject({ provider: "autopay", client_id: documented.client_id, scope: "customer_club" })
      })))

  it.effect("answers bad client_id or client_secret with the documented 401 access_denied", () =>
    using(Autopay.make({ clients: [docClient] }), () =>
      Effect.gen(function*() {
        for (const body of [{ ...documented, client_secret: "wrong" }, { ...documented, client_id: "who" }]) {
          const reply = yield* send(postJson(body))
          expect(reply.status).toBe(401)
          expect(reply.body).toEqual({ error: "access_denied", error_description: "Unauthorized" })
        }
        const { client_secret: _, ...withoutSecret } = documented
        expect((yield* send(postJson(withoutSecret))).status).toBe(401)
      })))

  it.effect("accepts only the audience https://api.autopay.io", () =>
    using(Autopay.make({ clients: [docClient] }), () =>
      Effect.gen(function*() {
        const wrong = yield* send(postJson({ ...documented, audience: "https://api.autopay.io/" }))
        expect(wrong.status).toBe(403)
        expect(wrong.body).toEqual({
          error: "access_denied",
          error_description: "Service not enabled within domain: https://api.autopay.io/"
        })
        const { audience: _, ...withoutAudience } = documented
        const missing = yield* send(postJson(withoutAudience))
        expect(missing.status).toBe(403)
        expect(missing.body.error).toBe("access_denied")
      })))

  it.effect("requires a JSON body with Content-Type application/json and grant_type client_credentials", () =>
    using(Autopay.make({ clients: [docClient] }), () =>
      Effect.gen(function*() {
        const form = yield* send(postForm(tokenUrl, documented))
        expect(form.status).toBe(400)
        expect(form.body).toEqual({
          error: "invalid_request",
          error_description: "Content-Type must be application/json"
        })
        const malformed = yield* send(
          HttpClientRequest.post(tokenUrl).pipe(HttpClientRequest.bodyText("{\"client_id\":", "application/json"))
        )
        expect(malformed.status).toBe(400)
        expect(malformed.body.error).toBe("invalid_request")
        const grant = yield* send(postJson({ ...documented, grant_type: "password" }))
        expect(grant.status).toBe(400)
        expect(grant.body.error).toBe("unsupported_grant_type")
        const { grant_type: _, ...withoutGrant } = documented
        const missing = yield* send(postJson(withoutGrant))
        expect(missing.status).toBe(400)
        expect(missing.body).toEqual({
          error: "invalid_request",
          error_description: "Missing required parameter: grant_type"
        })
        const viaBasic = yield* send(
          postJson({ audience: documented.audience, grant_type: "client_credentials" }).pipe(
            HttpClientRequest.setHeader("authorization", basic(documented.client_id, documented.client_secret))
          )
        )
        expect(viaBasic.status).toBe(401)
      })))

  it.effect("expires tokens after 86400 s of TestClock time", () =>
    using(Autopay.make(), () =>
      Effect.gen(function*() {
        const token =
          (yield* send(postJson({ ...documented, client_id: "sandbox-client", client_secret: "sandbox-secret" })))
            .body.access_token
        yield* TestClock.adjust("23 hours")
        expect((yield* send(getWithBearer(resourceUrl, token))).status).toBe(200)
        yield* TestClock.adjust("1 hour")
        const reply = yield* send(getWithBearer(resourceUrl, token))
        expect(reply.status).toBe(401)
        expect(reply.body).toEqual({ error: "invalid_token", error_description: "Token is expired" })
        expect(reply.headers["www-authenticate"]).toContain(`error="invalid_token"`)
      })))
})
