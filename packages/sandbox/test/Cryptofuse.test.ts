import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Cryptofuse from "../src/Cryptofuse.js"
import { basic, getWithBearer, naiveBasic, postForm, send, using } from "./_helpers.js"

const baseUrl = "https://cryptofuse.sandbox.local"
const tokenUrl = `${baseUrl}${Cryptofuse.tokenPath}`
const resourceUrl = `${baseUrl}${Cryptofuse.resourcePath}`
const specialSecret = "s3:cr+t/=%&! ünï €"

describe("Cryptofuse", () => {
  it.effect("accepts Basic credentials with : + / = % & ! spaces and non-ASCII, encoded per RFC 6749 Appendix B", () =>
    using(
      Cryptofuse.make({ clients: [{ clientId: "app:1 é", clientSecret: Redacted.make(specialSecret) }] }),
      () =>
        Effect.gen(function*() {
          const reply = yield* send(
            HttpClientRequest.post(tokenUrl).pipe(
              HttpClientRequest.setHeader("authorization", basic("app:1 é", specialSecret)),
              HttpClientRequest.bodyText(
                "grant_type=client_credentials&scope=read write",
                "application/x-www-form-urlencoded"
              )
            )
          )
          expect(reply.status).toBe(200)
          expect(Object.keys(reply.body)).toEqual(["access_token", "token_type", "expires_in", "scope"])
          expect(reply.body).toMatchObject({ token_type: "Bearer", expires_in: 36000, scope: "read write" })
          expect(reply.body.access_token).toMatch(/^[A-Za-z0-9]{30}$/)
        })
    ))

  it.effect("rejects Basic credentials that were not form-encoded before base64", () =>
    using(Cryptofuse.make({ clients: [{ clientId: "app", clientSecret: "a+b c" }] }), () =>
      Effect.gen(function*() {
        const reply = yield* send(postForm(tokenUrl, { grant_type: "client_credentials" }, {
          authorization: naiveBasic("app", "a+b c")
        }))
        expect(reply.status).toBe(401)
        expect(reply.body.error).toBe("invalid_client")
        expect(reply.headers["www-authenticate"]).toBe(`Basic realm="Cryptofuse"`)
      })))

  it.effect("accepts credentials in the body, the doc's curl body byte for byte, and read write admin", () =>
    using(
      Cryptofuse.make({ clients: [{ clientId: "your_client_id", clientSecret: "your_client_secret" }] }),
      () =>
        Effect.gen(function*() {
          const curl = yield* send(
            HttpClientRequest.post(tokenUrl).pipe(HttpClientRequest.bodyText(
              "grant_type=client_credentials&client_id=your_client_id&client_secret=your_client_secret&scope=read write",
              "application/x-www-form-urlencoded"
            ))
          )
          expect(curl.status).toBe(200)
          expect(curl.body.scope).toBe("read write")
          const admin = yield* send(postForm(tokenUrl, {
            grant_type: "client_credentials",
            client_id: "your_client_id",
            client_secret: "your_client_secret",
            scope: "read write admin"
          }))
          expect(admin.status).toBe(200)
          expect(admin.body.scope).toBe("read write admin")
          const noScope = yield* send(postForm(tokenUrl, {
            grant_type: "client_credentials",
            client_id: "your_client_id",
            client_secret: "your_client_secret"
          }))
          expect(noScope.body.scope).toBe("read write")
        })
    ))

  it.effect("answers the documented errors: invalid_request, invalid_client, and RFC 6749's others", () =>
    using(
      Cryptofuse.make({
        clients: [{ clientId: "app", clientSecret: "pw" }, {
          clientId: "reader",
          clientSecret: "pw",
          scopes: ["read", "write"]
        }]
      }),
      () =>
        Effect.gen(function*() {
          const missingGrant = yield* send(postForm(tokenUrl, { client_id: "app", client_secret: "pw" }))
          expect(missingGrant.status).toBe(400)
          expect(missingGrant.body.error).toBe("invalid_request")
          const badClient = yield* send(
            postForm(tokenUrl, { grant_type: "client_credentials", client_id: "app", client_secret: "no" })
          )
          expect(badClient.status).toBe(401)
          expect(badClient.body).toEqual({
            error: "invalid_client",
            error_description: "Client authentication failed (invalid client_id or client_secret)"
          })
          expect(badClient.headers["www-authenticate"]).toBeUndefined()
          const grant = yield* send(
            postForm(tokenUrl, { grant_type: "password", client_id: "app", client_secret: "pw" })
          )
          expect(grant.status).toBe(400)
          expect(grant.body.error).toBe("unsupported_grant_type")
          const unknownScope = yield* send(
            postForm(tokenUrl, {
              grant_type: "client_credentials",
              client_id: "app",
              client_secret: "pw",
              scope: "read delete"
            })
          )
          expect(unknownScope.status).toBe(400)
          expect(unknownScope.body.error).toBe("invalid_scope")
          const notAllowed = yield* send(
            postForm(tokenUrl, {
              grant_type: "client_credentials",
              client_id: "reader",
              client_secret: "pw",
              scope: "read write admin"
            })
          )
          expect(notAllowed.status).toBe(400)
          expect(notAllowed.body.error).toBe("invalid_scope")
          const twoMethods = yield* send(postForm(tokenUrl, { grant_type: "client_credentials", client_secret: "pw" }, {
            authorization: basic("app", "pw")
          }))
          expect(twoMethods.status).toBe(400)
          expect(twoMethods.body.error).toBe("invalid_request")
          const repeated = yield* send(
            HttpClientRequest.post(tokenUrl).pipe(HttpClientRequest.bodyText(
              "grant_type=client_credentials&grant_type=client_credentials&client_id=app&client_secret=pw",
              "application/x-www-form-urlencoded"
            ))
          )
          expect(repeated.status).toBe(400)
          expect(repeated.body.error).toBe("invalid_request")
        })
    ))

  it.effect("serves /o/token/ only with its trailing slash", () =>
    using(Cryptofuse.make(), () =>
      Effect.gen(function*() {
        const reply = yield* send(postForm(`${baseUrl}/o/token`, { grant_type: "client_credentials" }))
        expect(reply.status).toBe(404)
      })))

  it.effect("serves /payments/ to a token with the read scope until it expires after 36000 s", () =>
    using(Cryptofuse.make(), () =>
      Effect.gen(function*() {
        const token = (yield* send(postForm(tokenUrl, { grant_type: "client_credentials" }, {
          authorization: basic("sandbox-client", "sandbox-secret")
        }))).body.access_token
        const ok = yield* send(getWithBearer(resourceUrl, token))
        expect(ok.status).toBe(200)
        expect(ok.body).toMatchObject({ provider: "cryptofuse", client_id: "sandbox-client", scope: "read write" })
        yield* TestClock.adjust("36000 seconds")
        const expired = yield* send(getWithBearer(resourceUrl, token))
        expect(expired.status).toBe(401)
        expect(expired.headers["www-authenticate"]).toContain(`error="invalid_token"`)
      })))

  it.effect("answers 403 insufficient_scope to a token without read", () =>
    using(Cryptofuse.make(), () =>
      Effect.gen(function*() {
        const token = (yield* send(postForm(tokenUrl, {
          grant_type: "client_credentials",
          client_id: "sandbox-client",
          client_secret: "sandbox-secret",
          scope: "write"
        }))).body.access_token
        const reply = yield* send(getWithBearer(resourceUrl, token))
        expect(reply.status).toBe(403)
        expect(reply.body.error).toBe("insufficient_scope")
      })))
})
