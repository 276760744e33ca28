import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as OidcServer from "../src/OidcServer.js"
import { send } from "./_helpers.js"

const http = Effect.provide(FetchHttpClient.layer)

describe("OidcServer", () => {
  it.scoped("serves oidc-provider on 127.0.0.1 with a fresh RS256 key, public half at jwks_uri", () =>
    Effect.gen(function*() {
      const server = yield* OidcServer.start({ configuration: {} })
      expect(server.issuer).toBe(`http://127.0.0.1:${server.port}`)
      const discovery = yield* send(HttpClientRequest.get(`${server.issuer}/.well-known/openid-configuration`))
      expect(discovery.body).toMatchObject({ issuer: server.issuer, jwks_uri: `${server.issuer}/jwks` })
      const jwks = yield* send(HttpClientRequest.get(`${server.issuer}/jwks`))
      expect(jwks.body.keys).toHaveLength(1)
      expect(jwks.body.keys[0]).toMatchObject({
        kty: "RSA",
        alg: "RS256",
        use: "sig",
        kid: server.publicJwks.keys[0]?.kid
      })
      expect(jwks.body.keys[0]).not.toHaveProperty("d")
      expect(server.publicJwks.keys[0]).not.toHaveProperty("d")
    }).pipe(http))

  it.scoped("builds the configuration from the module, runs setup before serving, lets intercept answer first", () =>
    Effect.gen(function*() {
      let seenRequests = 0
      const server = yield* OidcServer.start({
        configuration: (oidc) => ({ interactions: { policy: oidc.interactionPolicy.base() } }),
        setup: (provider) => {
          provider.use(async (_ctx, next) => {
            seenRequests++
            await next()
          })
        },
        intercept: (request, response) => {
          if (request.url !== "/hello") return false
          response.writeHead(200, { "content-type": "text/plain" })
          response.end("hi")
          return true
        }
      })
      expect((yield* send(HttpClientRequest.get(`${server.issuer}/hello`))).text).toBe("hi")
      expect(seenRequests).toBe(0)
      expect((yield* send(HttpClientRequest.get(`${server.issuer}/jwks`))).status).toBe(200)
      expect(seenRequests).toBe(1)
    }).pipe(http))

  it.scoped("fails at start with the real reason when oidc-provider rejects a static client", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(OidcServer.start({
        configuration: {
          clients: [{
            client_id: "bad",
            client_secret: "sécrét",
            redirect_uris: [],
            response_types: [],
            grant_types: ["client_credentials"]
          }]
        }
      }))
      expect(error).toMatchObject({ _tag: "OidcServerError", reason: "InvalidClient" })
      expect(error.message).toMatch(/"bad".*invalid client_secret value/)
    }))

  it.effect("quiet drops oidc-provider's notices and nothing else, until its scope closes", () =>
    Effect.gen(function*() {
      const original = console.warn
      const seen: Array<ReadonlyArray<unknown>> = []
      const recorder = (...args: Array<unknown>) => {
        seen.push(args)
      }
      console.warn = recorder
      try {
        yield* Effect.scoped(Effect.gen(function*() {
          yield* OidcServer.quiet
          console.warn("oidc-provider WARNING: a development-only feature")
          console.warn("\u001b[33moidc-provider NOTICE: coloured\u001b[0m")
          console.warn("something else")
        }))
        expect(console.warn).toBe(recorder)
        console.warn("oidc-provider WARNING: after the scope")
      } finally {
        console.warn = original
      }
      expect(seen).toEqual([["something else"], ["oidc-provider WARNING: after the scope"]])
    }))

  it.effect("closing the scope closes the server", () =>
    Effect.gen(function*() {
      const issuer = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* OidcServer.start({ configuration: {} })
        yield* send(HttpClientRequest.get(`${server.issuer}/jwks`)) // a keep-alive connection
        return server.issuer
      }))
      const result = yield* Effect.either(Effect.tryPromise(() => fetch(`${issuer}/jwks`)))
      expect(result._tag).toBe("Left")
    }).pipe(http))
})
