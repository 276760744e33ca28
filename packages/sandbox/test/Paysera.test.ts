import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as Paysera from "../src/Paysera.js"
import { basic, getWithBearer, postForm, send, using } from "./_helpers.js"

const tokenUrl = `https://api.paysera.com${Paysera.tokenPath}`
const resourceUrl = `https://api.paysera.com${Paysera.resourcePath}`
const credentials = { client_id: "sandbox-client", client_secret: "sandbox-secret" }

const getToken = Effect.map(
  send(postForm(tokenUrl, { grant_type: "client_credentials", ...credentials })),
  (reply) => reply.body.access_token as string
)

describe("Paysera", () => {
  it.effect("answers the documented form post with the documented Keycloak token response", () =>
    using(Paysera.make(), () =>
      Effect.gen(function*() {
        const reply = yield* send(postForm(tokenUrl, { grant_type: "client_credentials", ...credentials }, {
          "content-type": "application/x-www-form-urlencoded"
        }))
        expect(reply.status).toBe(200)
        expect(reply.headers["content-type"]).toMatch(/^application\/json/)
        expect(reply.headers["cache-control"]).toBe("no-store")
        expect(Object.keys(reply.body)).toEqual([
          "access_token",
          "expires_in",
          "refresh_expires_in",
          "token_type",
          "not-before-policy",
          "scope"
        ])
        expect(reply.body).toMatchObject({
          expires_in: 3600,
          refresh_expires_in: 0,
          token_type: "Bearer",
          "not-before-policy": 0,
          scope: "profile email"
        })
        expect(reply.body.access_token).toMatch(/^[A-Za-z0-9_-]{43}$/)
      })))

  it.effect("accepts the exact body of the doc's curl example", () =>
    using(
      Paysera.make({ clients: [{ clientId: "YOUR_CLIENT_ID", clientSecret: "YOUR_CLIENT_SECRET" }] }),
      () =>
        Effect.gen(function*() {
          const reply = yield* send(
            HttpClientRequest.post(tokenUrl).pipe(HttpClientRequest.bodyText(
              "grant_type=client_credentials&client_id=YOUR_CLIENT_ID&client_secret=YOUR_CLIENT_SECRET",
              "application/x-www-form-urlencoded"
            ))
          )
          expect(reply.status).toBe(200)
          expect(reply.body.token_type).toBe("Bearer")
        })
    ))

  it.effect("accepts HTTP Basic as Keycloak does, unless limited to client_secret_post", () =>
    Effect.gen(function*() {
      const basicRequest = postForm(tokenUrl, { grant_type: "client_credentials" }, {
        authorization: basic("sandbox-client", "sandbox-secret")
      })
      const accepted = yield* using(Paysera.make(), () => send(basicRequest))
      expect(accepted.status).toBe(200)
      const refused = yield* using(
        Paysera.make({ clientAuthMethods: ["client_secret_post"] }),
        () => send(basicRequest)
      )
      expect(refused.status).toBe(401)
      expect(refused.body).toEqual({ error: "invalid_client", error_description: "Invalid client credentials" })
    }))

  it.effect("rejects a wrong secret and an unknown client with the documented invalid_client body", () =>
    using(Paysera.make(), () =>
      Effect.gen(function*() {
        for (const params of [{ ...credentials, client_secret: "nope" }, { ...credentials, client_id: "nobody" }, {}]) {
          const reply = yield* send(postForm(tokenUrl, { grant_type: "client_credentials", ...params }))
          expect(reply.status).toBe(401)
          expect(reply.body).toEqual({ error: "invalid_client", error_description: "Invalid client credentials" })
        }
      })))

  it.effect("answers a bad grant or a non-form body with RFC 6749 errors", () =>
    using(Paysera.make(), () =>
      Effect.gen(function*() {
        const missing = yield* send(postForm(tokenUrl, credentials))
        expect(missing.status).toBe(400)
        expect(missing.body).toEqual({
          error: "invalid_request",
          error_description: "Missing form parameter: grant_type"
        })
        const password = yield* send(postForm(tokenUrl, { grant_type: "password", ...credentials }))
        expect(password.status).toBe(400)
        expect(password.body.error).toBe("unsupported_grant_type")
        const asJson = yield* send(
          HttpClientRequest.post(tokenUrl).pipe(
            HttpClientRequest.bodyUnsafeJson({ grant_type: "client_credentials", ...credentials })
          )
        )
        expect(asJson.status).toBe(400)
        expect(asJson.body.error).toBe("invalid_request")
        const get = yield* send(HttpClientRequest.get(tokenUrl))
        expect(get.status).toBe(405)
      })))

  it.effect("serves the integration API to a valid bearer token, with rate limit headers", () =>
    using(Paysera.make(), () =>
      Effect.gen(function*() {
        const token = yield* getToken
        const reply = yield* send(getWithBearer(resourceUrl, token))
        expect(reply.status).toBe(200)
        expect(reply.body).toEqual({
          provider: "paysera",
          method: "GET",
          path: Paysera.resourcePath,
          client_id: "sandbox-client",
          scope: "profile email",
          credential_number: 1
        })
        expect(reply.headers["x-ratelimit-limit"]).toBe("50")
        expect(reply.headers["x-ratelimit-remaining"]).toBe("49")
        expect(reply.headers["x-ratelimit-reset"]).toBe("60")
      })))

  it.effect("expires the token after 3600 s of TestClock time with the documented body", () =>
    using(Paysera.make(), () =>
      Effect.gen(function*() {
        const token = yield* getToken
        yield* TestClock.adjust("3599 seconds")
        expect((yield* send(getWithBearer(resourceUrl, token))).status).toBe(200)
        yield* TestClock.adjust("1 second")
        const reply = yield* send(getWithBearer(resourceUrl, token))
        expect(reply.status).toBe(401)
        expect(reply.body).toEqual({ error: "invalid_token", error_description: "Token is expired" })
        expect(reply.headers["www-authenticate"]).toBe(
          `Bearer realm="Paysera", error="invalid_token", error_description="Token is expired"`
        )
        expect(reply.headers["x-ratelimit-limit"]).toBe("50")
      })))

  it.effect("answers 401 without an error code when no token is sent (RFC 6750 §3.1)", () =>
    using(Paysera.make(), () =>
      Effect.gen(function*() {
        const reply = yield* send(HttpClientRequest.get(resourceUrl))
        expect(reply.status).toBe(401)
        expect(reply.headers["www-authenticate"]).toBe(`Bearer realm="Paysera"`)
        const unknown = yield* send(getWithBearer(resourceUrl, "not-a-token"))
        expect(unknown.status).toBe(401)
        expect(unknown.headers["www-authenticate"]).toContain(`error="invalid_token"`)
      })))

  it.effect("answers 429 after 50 requests in a minute, with the documented headers, then recovers", () =>
    using(Paysera.make(), () =>
      Effect.gen(function*() {
        const token = yield* getToken
        for (let i = 1; i <= 50; i++) {
          const reply = yield* send(getWithBearer(resourceUrl, token))
          expect(reply.status).toBe(200)
          expect(reply.headers["x-ratelimit-remaining"]).toBe(String(50 - i))
        }
        yield* TestClock.adjust("15 seconds")
        const limited = yield* send(getWithBearer(resourceUrl, token))
        expect(limited.status).toBe(429)
        expect(limited.headers["x-ratelimit-limit"]).toBe("50")
        expect(limited.headers["x-ratelimit-remaining"]).toBe("0")
        expect(limited.headers["x-ratelimit-reset"]).toBe("45")
        expect(limited.headers["retry-after"]).toBe("45")
        // the token endpoint is not part of the integration API limit
        expect((yield* send(postForm(tokenUrl, { grant_type: "client_credentials", ...credentials }))).status).toBe(200)
        yield* TestClock.adjust("45 seconds")
        const again = yield* send(getWithBearer(resourceUrl, token))
        expect(again.status).toBe(200)
        expect(again.headers["x-ratelimit-remaining"]).toBe("49")
      })))

  it.effect("takes a custom rate limit, or none", () =>
    Effect.gen(function*() {
      const limited = yield* using(Paysera.make({ rateLimit: { limit: 1, window: "10 seconds" } }), () =>
        Effect.gen(function*() {
          const token = yield* getToken
          yield* send(getWithBearer(resourceUrl, token))
          return yield* send(getWithBearer(resourceUrl, token))
        }))
      expect(limited.status).toBe(429)
      expect(limited.headers["x-ratelimit-reset"]).toBe("10")
      const unlimited = yield* using(Paysera.make({ rateLimit: false }), () =>
        Effect.gen(function*() {
          const token = yield* getToken
          return yield* send(getWithBearer(resourceUrl, token))
        }))
      expect(unlimited.status).toBe(200)
      expect(unlimited.headers["x-ratelimit-limit"]).toBeUndefined()
    }))

  it.effect("answers 401 to a revoked token", () =>
    using(Paysera.make(), (paysera) =>
      Effect.gen(function*() {
        const token = yield* getToken
        expect(yield* paysera.revoke(token)).toBe(true)
        const reply = yield* send(getWithBearer(resourceUrl, token))
        expect(reply.status).toBe(401)
        expect(reply.body).toEqual({ error: "invalid_token", error_description: "Token has been revoked" })
        expect(yield* paysera.revoke("never-issued")).toBe(false)
      })))
})
