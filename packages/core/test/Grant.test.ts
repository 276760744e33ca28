import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Logger, Option, Redacted, TestClock } from "effect"
import * as AccessToken from "../src/AccessToken.js"
import * as ClientAuthentication from "../src/ClientAuthentication.js"
import * as Grant from "../src/Grant.js"
import * as TokenEndpoint from "../src/TokenEndpoint.js"
import * as TokenError from "../src/TokenError.js"
import * as TokenResponse from "../src/TokenResponse.js"
import { _fakeHttp, _tokenBody, type Reply } from "./_fakeHttp.js"

const url = "https://auth.example.com/oauth/token"
const secret = Redacted.make("s3cr:t+/=%&! é")

const basic = TokenEndpoint.make({
  url,
  clientAuthentication: ClientAuthentication.clientSecretBasic("client 1", secret)
})
const post = TokenEndpoint.make({
  url,
  clientAuthentication: ClientAuthentication.clientSecretPost("client 1", secret)
})
const json = TokenEndpoint.make({
  url,
  clientAuthentication: ClientAuthentication.clientSecretPost("client 1", secret),
  bodyEncoding: "json"
})

const replying = (reply: Reply) => _fakeHttp(() => Effect.succeed(reply))

const form = (body: string) => [...new URLSearchParams(body).entries()]

describe("Grant.clientCredentials wire format", () => {
  it.effect("client_secret_basic: Basic header, grant_type only in the body", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* replying({ json: _tokenBody() })
      yield* Grant.clientCredentials(basic).pipe(Effect.provideService(HttpClient.HttpClient, client))
      const [req] = yield* requests
      expect(req!.method).toBe("POST")
      expect(req!.url).toBe(url)
      expect(req!.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(req!.headers["accept"]).toBe("application/json")
      expect(req!.headers["authorization"]).toBe(
        "Basic " + Buffer.from("client+1:s3cr%3At%2B%2F%3D%25%26%21+%C3%A9").toString("base64")
      )
      expect(req!.body).toBe("grant_type=client_credentials")
    }))

  it.effect("client_secret_post: id and secret form-encoded in the body, no Authorization", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* replying({ json: _tokenBody() })
      yield* Grant.clientCredentials(post, { scope: ["read", "write"] }).pipe(
        Effect.provideService(HttpClient.HttpClient, client)
      )
      const [req] = yield* requests
      expect(req!.headers["authorization"]).toBeUndefined()
      expect(req!.body).toBe(
        "grant_type=client_credentials&scope=read+write&client_id=client+1&client_secret=s3cr%3At%2B%2F%3D%25%26%21+%C3%A9"
      )
      expect(form(req!.body)).toContainEqual(["client_secret", "s3cr:t+/=%&! é"])
    }))

  it.effect("JSON body: every parameter as a JSON member with application/json", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* replying({ json: _tokenBody() })
      yield* Grant.clientCredentials(json, { audience: "https://api.autopay.io" }).pipe(
        Effect.provideService(HttpClient.HttpClient, client)
      )
      const [req] = yield* requests
      expect(req!.headers["content-type"]).toBe("application/json")
      expect(JSON.parse(req!.body)).toEqual({
        grant_type: "client_credentials",
        audience: "https://api.autopay.io",
        client_id: "client 1",
        client_secret: "s3cr:t+/=%&! é"
      })
    }))

  it.effect("sends scope, audience and resource only when set: never an empty scope=", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* replying({ json: _tokenBody() })
      const run = (options?: Grant.RequestOptions) =>
        Grant.clientCredentials(basic, options).pipe(Effect.provideService(HttpClient.HttpClient, client))
      yield* run()
      yield* run({ scope: [], audience: "", resource: [], extra: { foo: "" } })
      yield* run({ scope: ["", "a"], resource: ["https://r1", "https://r2"], extra: { foo: "bar" } })
      const bodies = (yield* requests).map((r) => r.body)
      expect(bodies[0]).toBe("grant_type=client_credentials")
      expect(bodies[1]).toBe("grant_type=client_credentials")
      expect(bodies[2]).toBe(
        "grant_type=client_credentials&scope=a&resource=https%3A%2F%2Fr1&resource=https%3A%2F%2Fr2&foo=bar"
      )
    }))

  it.effect("refresh_token grant sends the refresh token and keeps it when the response omits one", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* replying({ json: _tokenBody({ access_token: "at-2" }) })
      const token = yield* Grant.refreshToken(post, Redacted.make("rt-1")).pipe(
        Effect.provideService(HttpClient.HttpClient, client)
      )
      const [req] = yield* requests
      expect(form(req!.body)).toEqual([
        ["grant_type", "refresh_token"],
        ["refresh_token", "rt-1"],
        ["client_id", "client 1"],
        ["client_secret", "s3cr:t+/=%&! é"]
      ])
      expect(Redacted.value(token.value)).toBe("at-2")
      expect(Option.map(token.refreshToken, Redacted.value)).toEqual(Option.some("rt-1"))
    }))

  it.effect("refresh_token grant takes a rotated refresh token", () =>
    Effect.gen(function*() {
      const { client } = yield* replying({ json: _tokenBody({ refresh_token: "rt-2" }) })
      const token = yield* Grant.refreshToken(post, Redacted.make("rt-1")).pipe(
        Effect.provideService(HttpClient.HttpClient, client)
      )
      expect(Option.map(token.refreshToken, Redacted.value)).toEqual(Option.some("rt-2"))
    }))

  it.effect("authorization_code grant sends code, redirect_uri and the PKCE verifier", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* replying({ json: _tokenBody({ id_token: "h.p.s" }) })
      const token = yield* Grant.authorizationCode(
        TokenEndpoint.make({ url, clientAuthentication: ClientAuthentication.none("app") }),
        {
          code: Redacted.make("code-1"),
          redirectUri: "com.example.app://cb",
          codeVerifier: Redacted.make("v".repeat(43))
        }
      ).pipe(Effect.provideService(HttpClient.HttpClient, client))
      const [req] = yield* requests
      expect(form(req!.body)).toEqual([
        ["grant_type", "authorization_code"],
        ["code", "code-1"],
        ["redirect_uri", "com.example.app://cb"],
        ["code_verifier", "v".repeat(43)],
        ["client_id", "app"]
      ])
      expect(Option.map(token.idToken, Redacted.value)).toEqual(Option.some("h.p.s"))
    }))
})

describe("Grant token response", () => {
  it.effect("expiresAt is measured from the moment the request was SENT", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_000_000)
      const { client } = yield* _fakeHttp(() => Effect.as(Effect.sleep("10 seconds"), { json: _tokenBody() }))
      const fiber = yield* Grant.clientCredentials(basic).pipe(
        Effect.provideService(HttpClient.HttpClient, client),
        Effect.fork
      )
      yield* TestClock.adjust(Duration.seconds(10))
      const token = yield* Fiber.join(fiber)
      expect(token.issuedAt).toBe(1_000_000)
      expect(token.expiresAt).toEqual(Option.some(1_000_000 + 3_600_000))
    }))

  it.effect("accepts token_type in any case, expires_in as a numeric string, and keeps unknown fields", () =>
    Effect.gen(function*() {
      const { client } = yield* replying({
        json: {
          access_token: "at-1",
          token_type: "bEaReR",
          expires_in: "3600",
          refresh_expires_in: 0,
          "not-before-policy": 0,
          scope: "profile email"
        }
      })
      const token = yield* Grant.clientCredentials(basic).pipe(Effect.provideService(HttpClient.HttpClient, client))
      expect(token.tokenType).toBe("Bearer")
      expect(token.expiresAt).toEqual(Option.some(3_600_000))
      expect(token.scopes).toEqual(["profile", "email"])
      expect(token.extra).toEqual({ refresh_expires_in: 0, "not-before-policy": 0 })
    }))

  it.effect("a response without expires_in is representable (no expiry), scopes default to the requested ones", () =>
    Effect.gen(function*() {
      const { client } = yield* replying({ json: { access_token: "at-1", token_type: "bearer" } })
      const token = yield* Grant.clientCredentials(basic, { scope: ["read", "write"] }).pipe(
        Effect.provideService(HttpClient.HttpClient, client)
      )
      expect(token.expiresAt).toEqual(Option.none())
      expect(token.scopes).toEqual(["read", "write"])
      expect(token.refreshToken).toEqual(Option.none())
    }))

  it.effect("expires_in: 0 counts as absent, so the cache's default lifetime applies", () =>
    Effect.gen(function*() {
      const { client } = yield* replying({ json: _tokenBody({ expires_in: 0 }) })
      const token = yield* Grant.clientCredentials(basic).pipe(Effect.provideService(HttpClient.HttpClient, client))
      expect(token.expiresAt).toEqual(Option.none())
    }))

  it.effect("refuses a token type it does not understand (RFC 6749 §7.1): mac, DPoP, N_A are typed errors", () =>
    Effect.gen(function*() {
      for (const tokenType of ["mac", "DPoP", "N_A", "bearer-ish", "Bearer "]) {
        const { client } = yield* replying({ json: _tokenBody({ token_type: tokenType }) })
        const error = yield* Effect.flip(
          Grant.clientCredentials(basic).pipe(Effect.provideService(HttpClient.HttpClient, client))
        )
        expect(error).toMatchObject({ _tag: "TokenResponseError", reason: "UnsupportedTokenType", status: 200 })
        expect(error.message).toContain(JSON.stringify(tokenType))
        expect(error.message).not.toContain("at-1")
        expect(TokenError.isTransient(error)).toBe(false)
      }
    }))

  it.effect("a token type the endpoint opts in to (tokenTypes, any case) is accepted and kept as sent", () =>
    Effect.gen(function*() {
      const optedIn = TokenEndpoint.make({ url, clientAuthentication: basic.clientAuthentication, tokenTypes: ["n_a"] })
      const { client } = yield* replying({ json: _tokenBody({ token_type: "N_A" }) })
      const token = yield* Grant.clientCredentials(optedIn).pipe(Effect.provideService(HttpClient.HttpClient, client))
      expect(token.tokenType).toBe("N_A")
      // Bearer is then no longer accepted: the list is exactly what the endpoint names.
      const bearer = yield* replying({ json: _tokenBody() })
      const error = yield* Effect.flip(
        Grant.clientCredentials(optedIn).pipe(Effect.provideService(HttpClient.HttpClient, bearer.client))
      )
      expect(error).toMatchObject({ _tag: "TokenResponseError", reason: "UnsupportedTokenType" })
    }))

  it.effect("a huge expires_in is clamped to a year: the token prints, serializes and logs", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      for (const expiresIn of [1e13, 1e300, "1e308", Number.MAX_SAFE_INTEGER, TokenResponse.maxExpiresIn + 1]) {
        const { client } = yield* replying({ json: _tokenBody({ expires_in: expiresIn }) })
        const token = yield* Grant.clientCredentials(basic).pipe(Effect.provideService(HttpClient.HttpClient, client))
        expect(token.expiresAt).toEqual(Option.some(1_700_000_000_000 + TokenResponse.maxExpiresIn * 1000))
        expect(String(token)).toContain("2024-11-13T22:13:20.000Z")
        expect(JSON.stringify(token)).toContain("2024-11-13T22:13:20.000Z")
        const lines: Array<string> = []
        yield* Effect.log(token).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, Logger.map(Logger.logfmtLogger, (l) => lines.push(l))))
        )
        expect(lines.join("\n")).toContain("2024-11-13T22:13:20.000Z")
      }
    }))

  it.effect("an expires_in up to a year is kept as sent", () =>
    Effect.gen(function*() {
      const { client } = yield* replying({ json: _tokenBody({ expires_in: TokenResponse.maxExpiresIn }) })
      const token = yield* Grant.clientCredentials(basic).pipe(Effect.provideService(HttpClient.HttpClient, client))
      expect(token.expiresAt).toEqual(Option.some(TokenResponse.maxExpiresIn * 1000))
    }))

  it.effect("a 503's Retry-After (seconds or an HTTP date) is carried by the error, as a 429's is", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2025-01-01T00:00:00Z"))
      const replies: ReadonlyArray<Reply> = [
        { status: 503, text: "down for maintenance", headers: { "retry-after": "7" } },
        { status: 503, json: { error: "temporarily_unavailable" }, headers: { "retry-after": "7" } },
        { status: 503, json: { message: "busy" }, headers: { "retry-after": "Wed, 01 Jan 2025 00:00:07 GMT" } }
      ]
      for (const reply of replies) {
        const { client } = yield* replying(reply)
        const error = yield* Effect.flip(
          Grant.clientCredentials(basic).pipe(Effect.provideService(HttpClient.HttpClient, client))
        )
        expect(TokenError.isTransient(error)).toBe(true)
        expect(TokenError.retryAfter(error)).toEqual(Option.some(Duration.seconds(7)))
      }
      const { client } = yield* replying({ status: 503, text: "down" })
      const error = yield* Effect.flip(
        Grant.clientCredentials(basic).pipe(Effect.provideService(HttpClient.HttpClient, client))
      )
      expect(TokenError.retryAfter(error)).toEqual(Option.none())
    }))
})

describe("AccessToken", () => {
  it("a token whose expiresAt is past the range of Date still prints and serializes", () => {
    const token = AccessToken.make({
      value: Redacted.make("at-secret"),
      issuedAt: 0,
      expiresAt: Option.some(1e16)
    })
    expect(String(token)).toContain("10000000000000000")
    expect(JSON.stringify(token)).toContain("10000000000000000")
    expect(String(token)).not.toContain("at-secret")
  })
})
