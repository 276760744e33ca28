import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, Redacted, TestClock } from "effect"
import * as ClientAuthentication from "../src/ClientAuthentication.js"
import * as Grant from "../src/Grant.js"
import * as TokenEndpoint from "../src/TokenEndpoint.js"
import * as TokenError from "../src/TokenError.js"
import { _fakeHttp, _tokenBody, type Reply } from "./_fakeHttp.js"

const url = "https://auth.example.com/token"
const endpoint = TokenEndpoint.make({
  url,
  clientAuthentication: ClientAuthentication.clientSecretBasic("client", Redacted.make("secret"))
})

const failWith = (reply: Reply, target: TokenEndpoint.TokenEndpoint = endpoint) =>
  Effect.gen(function*() {
    const { client } = yield* _fakeHttp(() => Effect.succeed(reply))
    return yield* Grant.clientCredentials(target).pipe(
      Effect.provideService(HttpClient.HttpClient, client),
      Effect.flip
    )
  })

describe("token endpoint errors", () => {
  it.effect("invalid_client (401) is an OAuthError with description and uri", () =>
    Effect.gen(function*() {
      const error = yield* failWith({
        status: 401,
        json: {
          error: "invalid_client",
          error_description: "Client authentication failed",
          error_uri: "https://docs/e"
        }
      })
      expect(error).toBeInstanceOf(TokenError.OAuthError)
      const e = error as TokenError.OAuthError
      expect(e.status).toBe(401)
      expect(e.error).toBe("invalid_client")
      expect(e.errorDescription).toEqual(Option.some("Client authentication failed"))
      expect(e.errorUri).toEqual(Option.some("https://docs/e"))
      expect(e.message).toBe(
        "Token endpoint https://auth.example.com/token answered invalid_client (HTTP 401): Client authentication failed (see https://docs/e)"
      )
      expect(TokenError.isTransient(e)).toBe(false)
    }))

  it.effect("invalid_grant (400) without a description", () =>
    Effect.gen(function*() {
      const error = yield* failWith({ status: 400, json: { error: "invalid_grant" } })
      expect(error._tag).toBe("OAuthError")
      expect(error.message).toBe("Token endpoint https://auth.example.com/token answered invalid_grant (HTTP 400)")
    }))

  it.effect("a 200 carrying `error` is an OAuthError, not a token", () =>
    Effect.gen(function*() {
      const error = yield* failWith({
        status: 200,
        json: { error: "access_denied", error_description: "Unauthorized" }
      })
      expect(error).toMatchObject({ _tag: "OAuthError", status: 200, error: "access_denied" })
    }))

  it.effect("an `error` member that is not a string is an InvalidBody", () =>
    Effect.gen(function*() {
      const error = yield* failWith({ status: 400, json: { error: 42 } })
      expect(error).toMatchObject({ _tag: "TokenResponseError", reason: "InvalidBody", status: 400 })
    }))

  it.effect("a 200 that is not JSON is NotJson with a short excerpt", () =>
    Effect.gen(function*() {
      const error = yield* failWith({ status: 200, text: "<html>" + "x".repeat(500) + "</html>" })
      expect(error).toMatchObject({ _tag: "TokenResponseError", reason: "NotJson", status: 200 })
      const e = error as TokenError.TokenResponseError
      expect(e.excerpt.startsWith("<html>xxx")).toBe(true)
      expect(e.excerpt.length).toBeLessThanOrEqual(201)
    }))

  it.effect("a 5xx page is a Status error and is transient", () =>
    Effect.gen(function*() {
      const error = yield* failWith({ status: 502, text: "Bad Gateway" })
      expect(error).toMatchObject({ _tag: "TokenResponseError", reason: "Status", status: 502, excerpt: "Bad Gateway" })
      expect(TokenError.isTransient(error)).toBe(true)
    }))

  it.effect("a 4xx JSON body without `error` is a Status error, not transient", () =>
    Effect.gen(function*() {
      const error = yield* failWith({ status: 403, json: { message: "forbidden" } })
      expect(error).toMatchObject({ _tag: "TokenResponseError", reason: "Status", status: 403 })
      expect(TokenError.isTransient(error)).toBe(false)
    }))

  it.effect("schema-invalid success bodies name the offending members", () =>
    Effect.gen(function*() {
      const cases: Array<[unknown, string]> = [
        [{ token_type: "Bearer" }, "access_token"],
        [{ access_token: "", token_type: "Bearer" }, "access_token"],
        [{ access_token: "at" }, "token_type"],
        [_tokenBody({ expires_in: "soon" }), "expires_in"],
        [_tokenBody({ expires_in: -5 }), "expires_in"],
        [_tokenBody({ expires_in: null }), "expires_in"],
        [_tokenBody({ scope: 7 }), "scope"],
        [[1, 2], "(body)"],
        ["just a string", "(body)"]
      ]
      for (const [json, field] of cases) {
        const error = yield* failWith({ status: 200, json })
        expect(error).toMatchObject({ _tag: "TokenResponseError", reason: "InvalidBody" })
        expect((error as TokenError.TokenResponseError).detail).toContain(field)
      }
    }))

  it.effect("429 is RateLimited with Retry-After in seconds", () =>
    Effect.gen(function*() {
      const error = yield* failWith({ status: 429, headers: { "retry-after": "120" }, json: { error: "slow_down" } })
      expect(error).toMatchObject({ _tag: "RateLimitedError", status: 429 })
      expect(TokenError.retryAfter(error)).toEqual(Option.some(Duration.seconds(120)))
      expect(TokenError.isTransient(error)).toBe(true)
      expect(error.message).toContain("retry after 2m")
    }))

  it.effect("429 with Retry-After as an HTTP date is measured against the Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-01-01T00:00:00Z"))
      const error = yield* failWith({ status: 429, headers: { "retry-after": "Thu, 01 Jan 2026 00:00:45 GMT" } })
      expect(TokenError.retryAfter(error)).toEqual(Option.some(Duration.millis(45_000)))
      const noHeader = yield* failWith({ status: 429 })
      expect(TokenError.retryAfter(noHeader)).toEqual(Option.none())
    }))

  it.effect("a dropped connection is a transient Transport error", () =>
    Effect.gen(function*() {
      const error = yield* failWith({ drop: "socket hang up" })
      expect(error).toMatchObject({ _tag: "TokenRequestError", reason: "Transport", url })
      expect(error.message).toContain("socket hang up")
      expect(TokenError.isTransient(error)).toBe(true)
    }))

  it.effect("no answer within the endpoint timeout is a Timeout error", () =>
    Effect.gen(function*() {
      const { client } = yield* _fakeHttp(() => Effect.never)
      const fiber = yield* Grant.clientCredentials(TokenEndpoint.make({ ...endpoint, timeout: "5 seconds" })).pipe(
        Effect.provideService(HttpClient.HttpClient, client),
        Effect.flip,
        Effect.fork
      )
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "TokenRequestError", reason: "Timeout" })
      expect(error.message).toContain("no response within 5s")
      expect(TokenError.isTransient(error)).toBe(true)
    }))

  it.effect("token endpoints must be https except on loopback hosts", () =>
    Effect.gen(function*() {
      const at = (u: string) => TokenEndpoint.make({ ...endpoint, url: u })
      for (const bad of ["http://auth.example.com/token", "ftp://127.0.0.1/x", "not a url", "http://10.0.0.1/token"]) {
        const error = yield* failWith({ json: _tokenBody() }, at(bad))
        expect(error).toMatchObject({ _tag: "TokenRequestError", reason: "InvalidUrl" })
        expect(TokenError.isTransient(error)).toBe(false)
      }
      for (
        const ok of ["https://auth.example.com/t", "http://127.0.0.1:8080/t", "http://localhost/t", "http://[::1]:9/t"]
      ) {
        const { client } = yield* _fakeHttp(() => Effect.succeed({ json: _tokenBody() }))
        yield* Grant.clientCredentials(at(ok)).pipe(Effect.provideService(HttpClient.HttpClient, client))
      }
    }))

  it.effect("credentials embedded in the URL are refused and not echoed", () =>
    Effect.gen(function*() {
      const error = yield* failWith(
        { json: _tokenBody() },
        TokenEndpoint.make({ ...endpoint, url: "https://u:pw-secret@auth.example.com/t" })
      )
      expect(error).toMatchObject({ _tag: "TokenRequestError", reason: "InvalidUrl" })
      expect(error.message).not.toContain("pw-secret")
    }))

  it("classifies OAuth error codes for retrying", () => {
    const oauth = (status: number, error: string) =>
      new TokenError.OAuthError({ url, status, error, errorDescription: Option.none(), errorUri: Option.none() })
    expect(TokenError.isTransient(oauth(400, "invalid_grant"))).toBe(false)
    expect(TokenError.isTransient(oauth(400, "temporarily_unavailable"))).toBe(true)
    expect(TokenError.isTransient(oauth(503, "whatever"))).toBe(true)
  })
})
