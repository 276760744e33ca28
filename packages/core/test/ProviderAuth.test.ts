import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as ClientAuthentication from "../src/ClientAuthentication.js"
import * as ProviderAuth from "../src/ProviderAuth.js"
import * as TokenEndpoint from "../src/TokenEndpoint.js"
import { _fakeHttp } from "./_fakeHttp.js"

const endpoint = (url: string) =>
  TokenEndpoint.make({
    url,
    clientAuthentication: ClientAuthentication.clientSecretPost("id", Redacted.make("secret"))
  })

describe("ProviderAuth.clientCredentials", () => {
  it.scoped("resolves relative URLs against the base URL and authenticates them", () =>
    Effect.gen(function*() {
      let issued = 0
      const { client, requests } = yield* _fakeHttp((req) =>
        Effect.succeed(
          req.url.endsWith("/token")
            ? { json: { access_token: `t${++issued}`, token_type: "Bearer", expires_in: 60, scope: "read" } }
            : { json: { ok: true } }
        )
      )
      const auth = yield* ProviderAuth.clientCredentials({
        name: "test",
        endpoint: endpoint("https://auth.test/token"),
        request: { scope: ["read"] },
        baseUrl: "https://api.test/v1/"
      }).pipe(Effect.provideService(HttpClient.HttpClient, client))
      yield* auth.client.get("/things")
      const token = yield* auth.token
      expect(token.scopes).toEqual(["read"])
      const [tokenRequest, apiRequest] = yield* requests
      expect(tokenRequest!.body).toContain("scope=read")
      expect([apiRequest!.url, apiRequest!.headers["authorization"]]).toEqual([
        "https://api.test/v1/things",
        "Bearer t1"
      ])
      expect(issued).toBe(1)
    }))

  it.scoped("refuses a plain-http token URL at build time with a typed error", () =>
    Effect.gen(function*() {
      const { client } = yield* _fakeHttp(() => Effect.succeed({}))
      const error = yield* ProviderAuth.clientCredentials({
        name: "x",
        endpoint: endpoint("http://auth.example.com/token")
      }).pipe(
        Effect.provideService(HttpClient.HttpClient, client),
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "TokenRequestError", reason: "InvalidUrl" })
    }))

  it.scoped("invalidTokenInBody: a 400 carrying invalid_token is retried once with a new token", () =>
    Effect.gen(function*() {
      let issued = 0
      const { client, requests } = yield* _fakeHttp((req) =>
        Effect.succeed(
          req.url.endsWith("/token")
            ? { json: { access_token: `t${++issued}`, token_type: "Bearer", expires_in: 3600 } }
            : req.headers["authorization"] === "Bearer t1"
            ? { status: 400, json: { error: "invalid_token", error_description: "Token is expired" } }
            : { json: { ok: true } }
        )
      )
      const auth = yield* ProviderAuth.clientCredentials({
        name: "body",
        endpoint: endpoint("https://auth.test/token"),
        baseUrl: "https://api.test",
        invalidTokenInBody: true
      }).pipe(Effect.provideService(HttpClient.HttpClient, client))
      const response = yield* auth.client.get("https://api.test/x")
      expect(response.status).toBe(200)
      expect(issued).toBe(2)
      expect((yield* requests).filter((r) => !r.url.endsWith("/token")).length).toBe(2)
    }))
})

describe("ProviderAuth: where the credential goes", () => {
  const tokenIssuing = () =>
    _fakeHttp((req) =>
      Effect.succeed(
        req.url.endsWith("/token")
          ? { json: { access_token: "t1", token_type: "Bearer", expires_in: 3600 } }
          : { json: { ok: true } }
      )
    )

  it.scoped("a plain-http API base URL or allowed origin is a typed error at build time; nothing is sent", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* tokenIssuing()
      for (
        const options of [
          { baseUrl: "http://api.example.com" },
          { baseUrl: "https://api.example.com", allowedOrigins: ["http://files.example.com"] }
        ]
      ) {
        const error = yield* ProviderAuth.clientCredentials({
          name: "x",
          endpoint: endpoint("https://auth.test/token"),
          ...options
        }).pipe(Effect.provideService(HttpClient.HttpClient, client), Effect.flip)
        expect(error).toMatchObject({ _tag: "TokenRequestError", reason: "InvalidUrl" })
      }
      expect(yield* requests).toEqual([])
    }))

  it.scoped("a request to another origin fails with DisallowedUrl and no token is fetched for it", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* tokenIssuing()
      const auth = yield* ProviderAuth.clientCredentials({
        name: "x",
        endpoint: endpoint("https://auth.test/token"),
        baseUrl: "https://api.test/v1"
      }).pipe(Effect.provideService(HttpClient.HttpClient, client))
      const foreign = yield* Effect.flip(auth.client.get("https://evil.test/collect"))
      const insecure = yield* Effect.flip(auth.client.get("http://api.test/v1/things"))
      expect(foreign).toMatchObject({ _tag: "DisallowedUrl", reason: "ForeignOrigin" })
      expect(insecure).toMatchObject({ _tag: "DisallowedUrl", reason: "Insecure" })
      expect(yield* requests).toEqual([])
    }))

  it.scoped("an absolute URL is used as is: one token, the request goes where it says", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* tokenIssuing()
      const auth = yield* ProviderAuth.clientCredentials({
        name: "x",
        endpoint: endpoint("https://auth.test/token"),
        baseUrl: "https://api.test/v1",
        rateLimit: {}
      }).pipe(Effect.provideService(HttpClient.HttpClient, client))
      yield* auth.client.get("https://api.test/v2/things")
      expect((yield* requests).map((r) => r.url)).toEqual(["https://auth.test/token", "https://api.test/v2/things"])
    }))

  it.scoped("without a base URL or allowed origins a provider's credential goes nowhere", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* tokenIssuing()
      const auth = yield* ProviderAuth.clientCredentials({ name: "x", endpoint: endpoint("https://auth.test/token") })
        .pipe(Effect.provideService(HttpClient.HttpClient, client))
      expect(yield* Effect.flip(auth.client.get("https://api.test/x"))).toMatchObject({
        _tag: "DisallowedUrl",
        reason: "ForeignOrigin"
      })
      const allowed = yield* ProviderAuth.clientCredentials({
        name: "y",
        endpoint: endpoint("https://auth.test/token"),
        allowedOrigins: ["https://api.test"]
      }).pipe(Effect.provideService(HttpClient.HttpClient, client))
      yield* allowed.client.get("https://api.test/x")
      expect((yield* requests).map((r) => [r.url, r.headers["authorization"]])).toEqual([
        ["https://auth.test/token", undefined],
        ["https://api.test/x", "Bearer t1"]
      ])
    }))
})
