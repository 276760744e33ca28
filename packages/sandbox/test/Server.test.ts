import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Cryptofuse from "../src/Cryptofuse.js"
import * as Paysera from "../src/Paysera.js"
import * as Server from "../src/Server.js"
import { basic, getWithBearer, postForm, send } from "./_helpers.js"

const secret = "s3:cr+t/=%&! ünï"

describe("Server", () => {
  it.scoped("serves an emulator on 127.0.0.1 over real HTTP, dropped connections included", () =>
    Effect.gen(function*() {
      const cryptofuse = yield* Cryptofuse.make({ clients: [{ clientId: "app", clientSecret: secret }] })
      const baseUrl = yield* Server.serve(cryptofuse)
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const tokenRequest = postForm(`${baseUrl}${Cryptofuse.tokenPath}`, { grant_type: "client_credentials" }, {
        authorization: basic("app", secret)
      })

      const token = yield* send(tokenRequest)
      expect(token.status).toBe(200)
      expect(token.body).toMatchObject({ token_type: "Bearer", expires_in: 36000, scope: "read write" })
      const api = yield* send(getWithBearer(`${baseUrl}${Cryptofuse.resourcePath}`, token.body.access_token))
      expect(api.status).toBe(200)
      expect(api.body.client_id).toBe("app")

      yield* cryptofuse.dropNext()
      const dropped = yield* Effect.either(send(tokenRequest))
      expect(Either.isLeft(dropped) && dropped.left._tag === "RequestError" && dropped.left.reason === "Transport")
        .toBe(true)
      expect((yield* send(tokenRequest)).status).toBe(200)
      expect(yield* cryptofuse.counters).toMatchObject({ tokenRequests: 3, tokensIssued: 2, dropped: 1 })
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("stops serving when its scope closes", () =>
    Effect.gen(function*() {
      const paysera = yield* Paysera.make()
      const scope = yield* Scope.make()
      const baseUrl = yield* Server.serve(paysera).pipe(Scope.extend(scope))
      const request = HttpClientRequest.get(`${baseUrl}${Paysera.resourcePath}`)
      expect((yield* send(request)).status).toBe(401)
      yield* Scope.close(scope, Exit.void)
      const after = yield* Effect.either(send(request))
      expect(Either.isLeft(after)).toBe(true)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("provides the served emulator as a Layer", () =>
    Effect.gen(function*() {
      const paysera = yield* Paysera.make()
      yield* Effect.gen(function*() {
        const served = yield* Server.Served
        expect(served.emulator).toBe(paysera)
        expect(served.baseUrl).toBe(`http://127.0.0.1:${served.port}`)
        const reply = yield* send(postForm(`${served.baseUrl}${Paysera.tokenPath}`, {
          grant_type: "client_credentials",
          client_id: "sandbox-client",
          client_secret: "sandbox-secret"
        }))
        expect(reply.body.expires_in).toBe(3600)
      }).pipe(Effect.provide(Server.layer(paysera)))
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
