/**
 * The README's examples, run as they are written there.
 */
import { Autopay, Cryptofuse, Emulator, InMemory, Paysera, Server } from "@auth-pipeline/sandbox"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"

describe("README", () => {
  it.effect("the opening example runs through the package entry point", () =>
    Effect.gen(function*() {
      const paysera = yield* Paysera.make() // accepts client "sandbox-client", secret "sandbox-secret"
      const response = yield* HttpClient.execute(
        HttpClientRequest.post(`https://api.paysera.com${Paysera.tokenPath}`).pipe(
          HttpClientRequest.bodyUrlParams({
            grant_type: "client_credentials",
            client_id: "sandbox-client",
            client_secret: "sandbox-secret"
          })
        )
      ).pipe(Effect.provide(InMemory.layer(paysera)))
      expect(response.status).toBe(200)
      expect(yield* response.json).toMatchObject({ expires_in: 3600, refresh_expires_in: 0, token_type: "Bearer" })
      expect((yield* paysera.counters).tokensIssued).toBe(1)
      expect([Emulator.defaultClientId, Emulator.defaultClientSecret]).toEqual(["sandbox-client", "sandbox-secret"])
    }))

  it.scoped("serves Cryptofuse over real HTTP", () =>
    Effect.gen(function*() {
      const cryptofuse = yield* Cryptofuse.make()
      const baseUrl = yield* Server.serve(cryptofuse) // http://127.0.0.1:PORT until the scope closes
      const response = yield* HttpClient.execute(
        HttpClientRequest.post(`${baseUrl}${Cryptofuse.tokenPath}`).pipe(
          HttpClientRequest.setHeader("authorization", `Basic ${btoa("sandbox-client:sandbox-secret")}`),
          HttpClientRequest.bodyUrlParams({ grant_type: "client_credentials", scope: "read write admin" })
        )
      )
      expect(yield* response.json).toMatchObject({ expires_in: 36000, scope: "read write admin" })
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.effect("refuses a 60 s token after 60 s of TestClock time", () =>
    Effect.gen(function*() {
      const autopay = yield* Autopay.make()
      const client = InMemory.make([autopay])
      yield* autopay.setExpiresIn(60, { times: 1 })
      const token = yield* client.execute(
        HttpClientRequest.post(`https://api-auth.autopay.io${Autopay.tokenPath}`).pipe(
          HttpClientRequest.bodyUnsafeJson({
            client_id: "sandbox-client",
            client_secret: "sandbox-secret",
            audience: Autopay.audience,
            grant_type: "client_credentials"
          })
        )
      ).pipe(Effect.flatMap((response) => response.json), Effect.map((body: any) => body.access_token as string))
      yield* TestClock.adjust("60 seconds")
      const api = yield* client.execute(
        HttpClientRequest.get(`https://api.autopay.io${Autopay.resourcePath}`).pipe(
          HttpClientRequest.bearerToken(token)
        )
      )
      expect(api.status).toBe(401)
      expect(api.headers["www-authenticate"]).toContain(`error="invalid_token"`)
      expect(yield* autopay.counters).toMatchObject({ tokensIssued: 1, unauthorized: 1 })
    }))
})
