import { observe, renderings } from "@auth-pipeline/testing/Observe"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Redacted } from "effect"
import * as AuthenticatedClient from "../src/AuthenticatedClient.js"
import * as ClientAuthentication from "../src/ClientAuthentication.js"
import * as CredentialScheme from "../src/CredentialScheme.js"
import * as Grant from "../src/Grant.js"
import * as TokenCache from "../src/TokenCache.js"
import * as TokenEndpoint from "../src/TokenEndpoint.js"
import { _fakeHttp, type Recorded } from "./_fakeHttp.js"
import { _settle } from "./_source.js"

const endpoint = TokenEndpoint.make({
  url: "https://auth.test/token",
  clientAuthentication: ClientAuthentication.clientSecretBasic("client", Redacted.make("client-secret"))
})

/** A token endpoint issuing tok-1, tok-2, ... and an API accepting the valid ones. */
const world = (options: { readonly alwaysReject?: boolean; readonly challengeOnly?: boolean } = {}) =>
  Effect.gen(function*() {
    const valid = new Set<string>()
    let issued = 0
    const api: Array<Recorded> = []
    const { client } = yield* _fakeHttp((req) => {
      if (req.url.startsWith("https://auth.test/token")) {
        const token = `tok-${++issued}`
        valid.add(token)
        return Effect.succeed({ json: { access_token: token, token_type: "Bearer", expires_in: 3600 } })
      }
      api.push(req)
      const credential = Object.values(req.headers).map((v) => v.replace(/^Bearer /, "")).find((v) => valid.has(v))
      if (!options.alwaysReject && credential !== undefined) return Effect.succeed({ json: { ok: true, credential } })
      return Effect.succeed(
        options.challengeOnly
          ? { status: 403, headers: { "www-authenticate": `Bearer error="invalid_token"` }, json: {} }
          : { status: 401, headers: { "www-authenticate": `Bearer realm="api", error="invalid_token"` }, json: {} }
      )
    })
    const cache = yield* TokenCache.make({
      acquire: Grant.clientCredentials(endpoint).pipe(Effect.provideService(HttpClient.HttpClient, client))
    })
    return {
      client,
      cache,
      api,
      issued: () => issued,
      revoke: (token: string) => valid.delete(token)
    }
  })

const getJson = (client: HttpClient.HttpClient.With<any, never>, url = "https://api.test/things?q=1") =>
  Effect.flatMap(client.execute(HttpClientRequest.get(url)), (r) => r.json) as Effect.Effect<any, any>

describe("AuthenticatedClient", () => {
  it.scoped("puts `Authorization: Bearer <token>` on each request, one token for many requests", () =>
    Effect.gen(function*() {
      const w = yield* world()
      const client = AuthenticatedClient.make(w.client, w.cache)
      for (let i = 0; i < 5; i++) expect(yield* getJson(client)).toEqual({ ok: true, credential: "tok-1" })
      expect(w.api.map((r) => r.headers["authorization"])).toEqual(Array(5).fill("Bearer tok-1"))
      expect(w.issued()).toBe(1)
    }))

  it.scoped("a raw scheme sends `Authorization: <token>`; a header scheme uses the named header", () =>
    Effect.gen(function*() {
      const w = yield* world()
      yield* getJson(AuthenticatedClient.make(w.client, w.cache, { scheme: CredentialScheme.raw })).pipe(Effect.ignore)
      yield* getJson(AuthenticatedClient.make(w.client, w.cache, { scheme: CredentialScheme.header("X-Api-Key") }))
      expect(w.api[0]!.headers["authorization"]).toBe("tok-1")
      expect(w.api[1]!.headers["x-api-key"]).toBe("tok-1")
      expect(w.api[1]!.headers["authorization"]).toBeUndefined()
    }))

  it.scoped("401: invalidates the token sent, gets exactly one new token and re-sends once", () =>
    Effect.gen(function*() {
      const w = yield* world()
      const client = AuthenticatedClient.make(w.client, w.cache)
      yield* getJson(client)
      w.revoke("tok-1")
      expect(yield* getJson(client, "https://api.test/pay")).toEqual({ ok: true, credential: "tok-2" })
      expect(w.issued()).toBe(2)
      expect(w.api.slice(1).map((r) => [r.url, r.headers["authorization"]])).toEqual([
        ["https://api.test/pay", "Bearer tok-1"],
        ["https://api.test/pay", "Bearer tok-2"]
      ])
    }))

  it.scoped("re-sends the same request, body included", () =>
    Effect.gen(function*() {
      const w = yield* world()
      const client = AuthenticatedClient.make(w.client, w.cache)
      yield* getJson(client)
      w.revoke("tok-1")
      yield* client.execute(
        HttpClientRequest.post("https://api.test/pay").pipe(HttpClientRequest.bodyUnsafeJson({ amount: 5 }))
      )
      const [first, second] = w.api.slice(1)
      expect([first!.method, first!.body]).toEqual(["POST", `{"amount":5}`])
      expect([second!.method, second!.body]).toEqual(["POST", `{"amount":5}`])
    }))

  it.scoped("a second 401 is a typed Unauthorized without the token; no loop", () =>
    Effect.gen(function*() {
      const w = yield* world({ alwaysReject: true })
      const error = yield* Effect.flip(getJson(AuthenticatedClient.make(w.client, w.cache)))
      expect(error).toBeInstanceOf(AuthenticatedClient.Unauthorized)
      expect(error).toMatchObject({
        method: "GET",
        url: "https://api.test/things",
        status: 401,
        challengeError: Option.some("invalid_token"),
        retried: true
      })
      expect(w.api.length).toBe(2)
      expect(w.issued()).toBe(2)
      expect(renderings(error)).not.toMatch(/tok-\d/)
    }))

  it.scoped("WWW-Authenticate error=\"invalid_token\" counts as a rejection whatever the status", () =>
    Effect.gen(function*() {
      const w = yield* world({ alwaysReject: true, challengeOnly: true })
      const error = yield* Effect.flip(getJson(AuthenticatedClient.make(w.client, w.cache)))
      expect(error).toMatchObject({ _tag: "Unauthorized", status: 403 })
      expect(w.issued()).toBe(2)
    }))

  it.scoped("N concurrent requests rejected with the same token cause ONE new token request", () =>
    Effect.gen(function*() {
      const w = yield* world()
      const client = AuthenticatedClient.make(w.client, w.cache)
      yield* getJson(client)
      w.revoke("tok-1")
      const results = yield* Effect.forEach(Array.from({ length: 50 }), () => getJson(client), {
        concurrency: "unbounded"
      })
      expect(results.every((r) => r.credential === "tok-2")).toBe(true)
      expect(w.issued()).toBe(2)
    }))

  it.scoped("a request with its own Authorization header passes through untouched", () =>
    Effect.gen(function*() {
      const w = yield* world()
      const client = AuthenticatedClient.make(w.client, w.cache)
      const response = yield* client.execute(
        HttpClientRequest.get("https://api.test/x").pipe(HttpClientRequest.setHeader("Authorization", "Bearer mine"))
      )
      expect(response.status).toBe(401)
      expect(w.api.map((r) => r.headers["authorization"])).toEqual(["Bearer mine"])
      expect(w.issued()).toBe(0)
    }))

  it.scoped("an API key cannot be refreshed: a 401 surfaces at once", () =>
    Effect.gen(function*() {
      const w = yield* world()
      const client = AuthenticatedClient.apiKey(w.client, { key: Redacted.make("key-123") })
      const error = yield* Effect.flip(getJson(client))
      expect(error).toMatchObject({ _tag: "Unauthorized", status: 401, retried: false })
      expect(w.api.map((r) => r.headers["x-api-key"])).toEqual(["key-123"])
      expect(renderings(error)).not.toContain("key-123")
    }))

  it.scoped("the credential header is redacted in logs and spans", () =>
    Effect.gen(function*() {
      const { observed, layer } = observe()
      const w = yield* world()
      const client = AuthenticatedClient.make(w.client, w.cache, { scheme: CredentialScheme.header("X-Custom-Token") })
      yield* client.execute(HttpClientRequest.get("https://api.test/x")).pipe(
        Effect.tap((response) => Effect.log("request", response.request)),
        Effect.provide(Layer.merge(layer, AuthenticatedClient.layerRedactHeader("X-Custom-Token")))
      )
      // without the layer, the spans the middleware causes still redact its header
      const apiKey = AuthenticatedClient.apiKey(w.client, { key: Redacted.make("key-123"), header: "X-Secret-Key" })
      yield* apiKey.execute(HttpClientRequest.get("https://api.test/y")).pipe(Effect.ignore, Effect.provide(layer))
      expect(w.api[1]!.headers["x-secret-key"]).toBe("key-123")
      expect(observed.spans.some((s) => [...s.attributes.keys()].some((k) => k.includes("x-secret-key")))).toBe(true)
      expect(w.api[0]!.headers["x-custom-token"]).toBe("tok-1")
      expect(observed.spans.some((s) => [...s.attributes.keys()].some((k) => k.includes("x-custom-token")))).toBe(true)
      expect(observed.text()).not.toContain("tok-1")
      expect(observed.text()).not.toContain("key-123")
    }))

  it.scoped("concurrent first requests share one token", () =>
    Effect.gen(function*() {
      const w = yield* world()
      const client = AuthenticatedClient.make(w.client, w.cache)
      const fiber = yield* Effect.fork(
        Effect.forEach(Array.from({ length: 20 }), () => getJson(client), { concurrency: "unbounded" })
      )
      yield* _settle
      const results = yield* Fiber.join(fiber)
      expect(new Set(results.map((r) => r.credential))).toEqual(new Set(["tok-1"]))
      expect(w.issued()).toBe(1)
    }))
})

describe("AuthenticatedClient: where the credential goes", () => {
  it.scoped("a plain-http URL off loopback is refused with DisallowedUrl (Insecure) before a token is fetched", () =>
    Effect.gen(function*() {
      const w = yield* world()
      const client = AuthenticatedClient.make(w.client, w.cache)
      const error = yield* Effect.flip(getJson(client, "http://api.test/things?q=1"))
      expect(error).toBeInstanceOf(AuthenticatedClient.DisallowedUrl)
      expect(error).toMatchObject({ reason: "Insecure", method: "GET", url: "http://api.test/things" })
      expect(w.issued()).toBe(0)
      expect(w.api).toEqual([])
      // loopback http stays allowed (sandboxes, tests)
      yield* getJson(client, "http://127.0.0.1:9/x")
      expect(w.api.map((r) => [r.url, r.headers["authorization"]])).toEqual([["http://127.0.0.1:9/x", "Bearer tok-1"]])
    }))

  it.scoped("with a base URL, another origin is refused (ForeignOrigin) and no token is fetched for it", () =>
    Effect.gen(function*() {
      const w = yield* world()
      const client = AuthenticatedClient.make(w.client, w.cache, {
        baseUrl: "https://api.test/v1",
        allowedOrigins: ["https://files.test/anything"]
      })
      for (const url of ["https://evil.test/steal", "https://api.test:8443/x", "https://api.test.evil.test/x"]) {
        const error = yield* Effect.flip(getJson(client, url))
        expect(error).toMatchObject({ _tag: "DisallowedUrl", reason: "ForeignOrigin" })
      }
      expect(w.issued()).toBe(0)
      expect(w.api).toEqual([])
      yield* getJson(client, "/things")
      yield* getJson(client, "https://files.test/doc")
      expect(w.api.map((r) => [r.url, r.headers["authorization"]])).toEqual([
        ["https://api.test/v1/things", "Bearer tok-1"],
        ["https://files.test/doc", "Bearer tok-1"]
      ])
    }))

  it.scoped("an absolute URL on a client with a base URL is used as is, not glued to the base URL", () =>
    Effect.gen(function*() {
      const w = yield* world()
      const client = AuthenticatedClient.make(w.client, w.cache, { baseUrl: "https://api.test/v1/" })
      yield* getJson(client, "https://api.test/v2/other")
      expect(w.api.map((r) => r.url)).toEqual(["https://api.test/v2/other"])
    }))

  it.scoped("an API key goes only to its base URL's origin", () =>
    Effect.gen(function*() {
      const w = yield* world()
      const client = AuthenticatedClient.apiKey(w.client, {
        key: Redacted.make("key-123"),
        baseUrl: "https://api.test"
      })
      const error = yield* Effect.flip(getJson(client, "https://evil.test/x"))
      expect(error).toMatchObject({ _tag: "DisallowedUrl", reason: "ForeignOrigin", url: "https://evil.test/x" })
      expect(renderings(error)).not.toContain("key-123")
      yield* Effect.ignore(getJson(client, "/x"))
      expect(w.api.map((r) => [r.url, r.headers["x-api-key"]])).toEqual([["https://api.test/x", "key-123"]])
    }))
})
