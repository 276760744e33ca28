/**
 * An authenticated client never lets the transport follow a redirect (fetch would re-send a
 * custom credential header such as X-Api-Key to the Location's host): a redirect within the
 * API's origin is followed with the credential, a redirect anywhere else comes back unfollowed and
 * the other host is never contacted. Over real loopback HTTP with FetchHttpClient (which follows
 * by default) and NodeHttpClient.layerUndici.
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as AccessToken from "../src/AccessToken.js"
import * as AuthenticatedClient from "../src/AuthenticatedClient.js"
import * as CredentialScheme from "../src/CredentialScheme.js"
import * as TokenCache from "../src/TokenCache.js"
import { _serve } from "./_loopback.js"

const clients = [
  { name: "FetchHttpClient", layer: FetchHttpClient.layer },
  { name: "NodeHttpClient.layerUndici", layer: NodeHttpClient.layerUndici }
] as const

const TOKEN = "api-token-7f3a"
const KEY = "api-key-91bc"

describe("redirects of authenticated API requests", () => {
  for (const { layer, name } of clients) {
    it.scoped(`${name}: a redirect to another origin is returned unfollowed; the credential stays home`, () =>
      Effect.gen(function*() {
        const other = yield* _serve(() => ({ status: 200, body: "stolen" }))
        const api = yield* _serve((hit) =>
          hit.path === "/pay" ? { status: 302, headers: { location: `${other.url}/collect` } } : { status: 404 }
        )
        const http = yield* HttpClient.HttpClient
        const cache = yield* TokenCache.make({
          acquire: Effect.succeed(AccessToken.make({ value: Redacted.make(TOKEN), issuedAt: 0 }))
        })
        const flavours = [
          AuthenticatedClient.make(http, cache, { baseUrl: api.url }),
          AuthenticatedClient.make(http, cache, { baseUrl: api.url, scheme: CredentialScheme.header("X-Token") }),
          AuthenticatedClient.apiKey(http, { key: Redacted.make(KEY), baseUrl: api.url })
        ]
        for (const client of flavours) {
          const response = yield* client.execute(HttpClientRequest.get("/pay"))
          expect(response.status).toBe(302)
          expect(response.headers["location"]).toBe(`${other.url}/collect`)
        }
        expect(other.hits).toEqual([])
        expect(api.hits.length).toBe(3)
      }).pipe(Effect.provide(layer)))

    it.scoped(`${name}: a redirect within the API's origin is followed, with the credential, as fetch would`, () =>
      Effect.gen(function*() {
        const api = yield* _serve((hit) =>
          hit.path === "/old"
            ? { status: 301, headers: { location: "/new" } }
            : hit.path === "/form"
            ? { status: 303, headers: { location: "/done" } }
            : { status: 200, body: `${hit.method} ${hit.path}` }
        )
        const http = yield* HttpClient.HttpClient
        const client = AuthenticatedClient.apiKey(http, { key: Redacted.make(KEY), baseUrl: api.url })
        const moved = yield* client.execute(HttpClientRequest.get("/old"))
        expect([moved.status, yield* moved.text]).toEqual([200, "GET /new"])
        const posted = yield* client.execute(HttpClientRequest.post("/form").pipe(HttpClientRequest.bodyText("a=1")))
        expect([posted.status, yield* posted.text]).toEqual([200, "GET /done"]) // 303: see other, with GET
        expect(api.hits.map((h) => `${h.method} ${h.path} ${h.headers["x-api-key"]}`)).toEqual([
          `GET /old ${KEY}`,
          `GET /new ${KEY}`,
          `POST /form ${KEY}`,
          `GET /done ${KEY}`
        ])
      }).pipe(Effect.provide(layer)))

    it.scoped(`${name}: a redirect loop ends after ${5} hops with the last redirect as the response`, () =>
      Effect.gen(function*() {
        const api = yield* _serve((hit) => ({ status: 302, headers: { location: `${hit.path}x` } }))
        const http = yield* HttpClient.HttpClient
        const client = AuthenticatedClient.apiKey(http, { key: Redacted.make(KEY), baseUrl: api.url })
        const response = yield* client.execute(HttpClientRequest.get("/a"))
        expect(response.status).toBe(302)
        expect(api.hits.length).toBe(6)
      }).pipe(Effect.provide(layer)))
  }
})
