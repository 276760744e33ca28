/**
 * No secret reaches an error message, toString, JSON.stringify, inspect, a log line or a span: every
 * failure path is driven with recognisable secrets and the output is searched for them.
 */
import { observe, renderings } from "@auth-pipeline/testing/Observe"
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Redacted, TestClock } from "effect"
import * as ClientAuthentication from "../src/ClientAuthentication.js"
import * as Grant from "../src/Grant.js"
import * as TokenEndpoint from "../src/TokenEndpoint.js"
import { _fakeHttp, _tokenBody, type Reply } from "./_fakeHttp.js"

const CLIENT_SECRET = "CLIENT-SECRET-z3Kq"
const REFRESH_TOKEN = "REFRESH-TOKEN-w8Yp"
const ACCESS_TOKEN = "ACCESS-TOKEN-h2Vn"
const forbidden = [
  CLIENT_SECRET,
  REFRESH_TOKEN,
  ACCESS_TOKEN,
  // the Basic credentials as they travel
  Buffer.from(`client:${CLIENT_SECRET}`).toString("base64")
]

const url = "https://auth.example.com/token"
const endpoints = [
  TokenEndpoint.make({
    url,
    clientAuthentication: ClientAuthentication.clientSecretBasic("client", Redacted.make(CLIENT_SECRET))
  }),
  TokenEndpoint.make({
    url,
    clientAuthentication: ClientAuthentication.clientSecretPost("client", Redacted.make(CLIENT_SECRET))
  }),
  TokenEndpoint.make({
    url,
    clientAuthentication: ClientAuthentication.clientSecretPost("client", Redacted.make(CLIENT_SECRET)),
    bodyEncoding: "json"
  })
]

const failures: Record<string, Reply> = {
  "invalid_client echoing the secret": {
    status: 401,
    json: { error: "invalid_client", error_description: `bad secret ${CLIENT_SECRET}`, error_uri: "https://e/x" }
  },
  "invalid_grant": { status: 400, json: { error: "invalid_grant", error_description: "expired" } },
  "200 with error": { status: 200, json: { error: "access_denied" } },
  "non-JSON 200 in form encoding": { status: 200, text: `access_token=${ACCESS_TOKEN}&token_type=bearer` },
  "HTML 502 echoing the secret": { status: 502, text: `<pre>client_secret=${CLIENT_SECRET}</pre>` },
  "schema-invalid body carrying a token": {
    status: 200,
    json: { access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN, token_type: "Bearer", expires_in: "soon" }
  },
  "schema-invalid error body": { status: 400, json: { error: 1, refresh_token: REFRESH_TOKEN } },
  "4xx JSON without error": { status: 403, json: { id_token: ACCESS_TOKEN, note: CLIENT_SECRET } },
  "429": { status: 429, headers: { "retry-after": "3" }, json: { error: "slow_down" } },
  "dropped connection": { drop: "socket hang up" }
}

const expectClean = (text: string) => {
  for (const secret of forbidden) expect(text).not.toContain(secret)
}

describe("secrets never leak", () => {
  for (const [name, reply] of Object.entries(failures)) {
    it.effect(`failure path: ${name}`, () =>
      Effect.gen(function*() {
        const { observed, layer } = observe()
        for (const endpoint of endpoints) {
          const { client } = yield* _fakeHttp(() => Effect.succeed(reply))
          for (
            const grant of [
              Grant.clientCredentials(endpoint),
              Grant.refreshToken(endpoint, Redacted.make(REFRESH_TOKEN))
            ]
          ) {
            const error = yield* grant.pipe(
              Effect.provideService(HttpClient.HttpClient, client),
              Effect.tapError((e) => Effect.logError("token request failed", e)),
              Effect.tapErrorCause((cause) => Effect.logWarning(cause)),
              Effect.flip,
              Effect.provide(layer)
            )
            expectClean(renderings(error))
          }
        }
        expect(observed.logs.length).toBeGreaterThan(0)
        expect(observed.spans.map((s) => s.name)).toContain("auth_pipeline.token_request")
        expectClean(observed.text())
      }))
  }

  it.effect("failure path: invalid_grant echoing the refresh token it was sent", () =>
    Effect.gen(function*() {
      const { observed, layer } = observe()
      const { client } = yield* _fakeHttp(() =>
        Effect.succeed({
          status: 400,
          json: { error: "invalid_grant", error_description: `${REFRESH_TOKEN} is revoked` }
        })
      )
      const error = yield* Grant.refreshToken(endpoints[0]!, Redacted.make(REFRESH_TOKEN)).pipe(
        Effect.provideService(HttpClient.HttpClient, client),
        Effect.tapErrorCause((cause) => Effect.logError(cause)),
        Effect.flip,
        Effect.provide(layer)
      )
      expect(error.message).toContain("<redacted> is revoked")
      expectClean(renderings(error))
      expectClean(observed.text())
    }))

  it.effect("failure path: timeout", () =>
    Effect.gen(function*() {
      const { observed, layer } = observe()
      const { client } = yield* _fakeHttp(() => Effect.never)
      const fiber = yield* Grant.refreshToken(endpoints[0]!, Redacted.make(REFRESH_TOKEN)).pipe(
        Effect.provideService(HttpClient.HttpClient, client),
        Effect.tapErrorCause((cause) => Effect.logError(cause)),
        Effect.flip,
        Effect.provide(layer),
        Effect.fork
      )
      yield* TestClock.adjust("30 seconds")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("TokenRequestError")
      expectClean(renderings(error))
      expectClean(observed.text())
    }))

  it.effect("credentials among a token response's unknown members are redacted when printed", () =>
    Effect.gen(function*() {
      const { client } = yield* _fakeHttp(() =>
        Effect.succeed({
          json: _tokenBody({
            authed_user: { access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN },
            signed_id_token: ACCESS_TOKEN,
            refresh_expires_in: 0
          })
        })
      )
      const token = yield* Grant.clientCredentials(endpoints[0]!).pipe(
        Effect.provideService(HttpClient.HttpClient, client)
      )
      expect(token.extra).toMatchObject({ authed_user: { access_token: ACCESS_TOKEN } }) // kept, not lost
      expectClean(renderings(token))
      expect(JSON.stringify(token)).toContain(`"refresh_expires_in":0`)
    }))

  it.effect("a successful token prints no secret and its span carries none", () =>
    Effect.gen(function*() {
      const { observed, layer } = observe()
      const { client } = yield* _fakeHttp(() =>
        Effect.succeed({
          json: _tokenBody({ access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN, id_token: ACCESS_TOKEN })
        })
      )
      for (const endpoint of endpoints) {
        const token = yield* Grant.clientCredentials(endpoint).pipe(
          Effect.provideService(HttpClient.HttpClient, client),
          Effect.tap((token) => Effect.log("got", token)),
          Effect.provide(layer)
        )
        expect(Redacted.value(token.value)).toBe(ACCESS_TOKEN)
        expectClean(renderings(token))
      }
      const span = observed.spans.find((s) => s.name === "auth_pipeline.token_request")!
      expect(span.attributes.get("auth_pipeline.outcome")).toBe("success")
      expect(span.attributes.get("auth_pipeline.grant_type")).toBe("client_credentials")
      expect(observed.spans.some((s) => s.name.startsWith("http.client"))).toBe(true)
      expectClean(observed.text())
    }))
})
