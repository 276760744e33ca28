import { renderings } from "@auth-pipeline/testing/Observe"
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as ClientAuthentication from "../src/ClientAuthentication.js"
import * as Revocation from "../src/Revocation.js"
import { _fakeHttp, type Reply } from "./_fakeHttp.js"

const url = "https://auth.example.com/oauth2/revoke"
const token = Redacted.make("rt-secret-123")

const revokeWith = (
  reply: Reply,
  clientAuthentication: ClientAuthentication.ClientAuthentication = ClientAuthentication.none("app-1")
) =>
  Effect.gen(function*() {
    const { client, requests } = yield* _fakeHttp(() => Effect.succeed(reply))
    const result = yield* Effect.either(
      Revocation.revoke({ url, clientAuthentication, token, tokenTypeHint: "refresh_token" }).pipe(
        Effect.provideService(HttpClient.HttpClient, client)
      )
    )
    return { result, requests: yield* requests }
  })

describe("Revocation.revoke (RFC 7009)", () => {
  it.effect("a public client posts token, token_type_hint and client_id as a form", () =>
    Effect.gen(function*() {
      const { result, requests } = yield* revokeWith({ status: 200 })
      expect(result._tag).toBe("Right")
      expect(requests).toHaveLength(1)
      expect(requests[0]!.method).toBe("POST")
      expect(requests[0]!.url).toBe(url)
      expect(requests[0]!.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect([...new URLSearchParams(requests[0]!.body)]).toEqual([
        ["token", "rt-secret-123"],
        ["token_type_hint", "refresh_token"],
        ["client_id", "app-1"]
      ])
    }))

  it.effect("a confidential client authenticates as at the token endpoint (Basic)", () =>
    Effect.gen(function*() {
      const { requests } = yield* revokeWith(
        { status: 200 },
        ClientAuthentication.clientSecretBasic("app 1", Redacted.make("s:1"))
      )
      expect(requests[0]!.headers["authorization"]).toBe(
        Redacted.value(ClientAuthentication.basicAuthorization("app 1", Redacted.make("s:1")))
      )
      expect(new URLSearchParams(requests[0]!.body).has("client_id")).toBe(false)
    }))

  it.effect("a refusal, an outage and a dropped connection are typed and never show the token", () =>
    Effect.gen(function*() {
      for (
        const [reply, reason, status] of [
          [{ status: 400, json: { error: "unsupported_token_type" } }, "Status", 400],
          [{ status: 503, text: "down" }, "Status", 503],
          [{ drop: "connection reset" }, "Transport", undefined]
        ] as const
      ) {
        const { result } = yield* revokeWith(reply)
        expect(result._tag).toBe("Left")
        if (result._tag === "Left") {
          expect(result.left._tag).toBe("RevocationError")
          expect(result.left.reason).toBe(reason)
          expect(result.left.status).toBe(status)
          expect(renderings(result.left)).not.toContain("rt-secret-123")
        }
      }
    }))

  it.effect("refuses a plain-http URL that is not loopback, sending nothing", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* _fakeHttp(() => Effect.succeed<Reply>({ status: 200 }))
      const error = yield* Effect.flip(
        Revocation.revoke({
          url: "http://auth.example.com/revoke",
          clientAuthentication: ClientAuthentication.none("a"),
          token
        })
          .pipe(Effect.provideService(HttpClient.HttpClient, client))
      )
      expect(error.reason).toBe("InvalidUrl")
      expect(yield* requests).toHaveLength(0)
    }))
})
