/**
 * Token, revocation, discovery and JWKS requests never follow a redirect, over real loopback HTTP
 * with both `fetch` (FetchHttpClient, which follows unless told `redirect: "manual"`) and undici
 * (NodeHttpClient.layerUndici): the redirecting server sends a 302 or 307 to a second server that
 * would hand out its own token, keys or metadata, and that second server is never asked.
 */
import { Fault, Paysera, Server } from "@auth-pipeline/sandbox"
import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import * as ClientAuthentication from "../src/ClientAuthentication.js"
import * as Grant from "../src/Grant.js"
import * as Jwks from "../src/Jwks.js"
import * as OidcDiscovery from "../src/OidcDiscovery.js"
import * as ProviderAuth from "../src/ProviderAuth.js"
import * as Revocation from "../src/Revocation.js"
import * as TokenEndpoint from "../src/TokenEndpoint.js"
import { _serve } from "./_loopback.js"

const clients = [
  { name: "FetchHttpClient", layer: FetchHttpClient.layer },
  { name: "NodeHttpClient.layerUndici", layer: NodeHttpClient.layerUndici }
] as const

const secret = "sandbox-secret"

/** The outcome as a short string, so a test that fails (a token accepted) fails fast and plainly. */
const outcome = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(
    Effect.either(effect),
    (r) => r._tag === "Right" ? "success" : `${r.left._tag}: ${(r.left as { readonly reason?: string }).reason}`
  )

/** Answers ANY request with its own token (what a hostile redirect target would do). */
const otherHost = _serve(() => ({
  status: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ access_token: "other-host-token", token_type: "Bearer", expires_in: 3600 })
}))

/** A server answering every request with `status` and `Location: {target}{path}`. */
const redirecting = (status: number, target: string) =>
  _serve((hit) => ({ status, headers: { location: `${target}${hit.path}` } }))

for (const { layer, name } of clients) {
  describe(`no redirect is followed (${name})`, () => {
    for (const status of [302, 307]) {
      it.scoped(`token endpoint: a ${status} is TokenResponseError (Redirect); the other host is never asked`, () =>
        Effect.gen(function*() {
          const other = yield* otherHost
          const paysera = yield* Paysera.make()
          const baseUrl = yield* Server.serve(paysera)
          yield* paysera.failNext(Fault.status(status, { headers: { location: `${other.url}/token` } }), { times: 2 })
          const endpoint = TokenEndpoint.make({
            url: `${baseUrl}${Paysera.tokenPath}`,
            clientAuthentication: ClientAuthentication.clientSecretPost("sandbox-client", Redacted.make(secret))
          })
          expect(yield* outcome(Grant.clientCredentials(endpoint))).toBe("TokenResponseError: Redirect")
          expect(other.hits).toEqual([])
          const error = yield* Effect.flip(Grant.clientCredentials(endpoint))
          expect(error).toMatchObject({ _tag: "TokenResponseError", reason: "Redirect", status })
          expect(error.message).toContain(`${other.url}/token`)
          expect(error.message).not.toContain(secret)
          expect(other.hits).toEqual([])
        }).pipe(Effect.provide(layer)))
    }

    it.scoped("a provider's cache keeps no token from a redirect target", () =>
      Effect.gen(function*() {
        const other = yield* otherHost
        const paysera = yield* Paysera.make()
        const baseUrl = yield* Server.serve(paysera)
        yield* paysera.failNext(Fault.status(302, { headers: { location: `${other.url}/token` } }))
        const auth = yield* ProviderAuth.clientCredentials({
          name: "paysera",
          endpoint: TokenEndpoint.make({
            url: `${baseUrl}${Paysera.tokenPath}`,
            clientAuthentication: ClientAuthentication.clientSecretPost("sandbox-client", Redacted.make(secret))
          }),
          baseUrl,
          cache: { retry: { maxRetries: 0 } }
        })
        expect(yield* outcome(auth.token)).toBe("TokenResponseError: Redirect")
        // the next fetch asks the provider again and gets ITS token
        const token = yield* auth.token
        expect(Redacted.value(token.value)).not.toBe("other-host-token")
        expect((yield* paysera.credentials).map((c) => c.value)).toContain(Redacted.value(token.value))
        expect(other.hits).toEqual([])
      }).pipe(Effect.provide(layer)))

    it.scoped("revocation: a 307 is RevocationError (Redirect); the token is not re-sent to the other host", () =>
      Effect.gen(function*() {
        const other = yield* otherHost
        const redirector = yield* redirecting(307, other.url)
        const revoke = Revocation.revoke({
          url: `${redirector.url}/revoke`,
          clientAuthentication: ClientAuthentication.clientSecretPost("client", Redacted.make(secret)),
          token: Redacted.make("refresh-token-1")
        })
        expect(yield* outcome(revoke)).toBe("RevocationError: Redirect")
        expect(other.hits).toEqual([])
        expect(yield* Effect.flip(revoke)).toMatchObject({ _tag: "RevocationError", reason: "Redirect", status: 307 })
        expect(redirector.hits.length).toBe(2)
        expect(other.hits).toEqual([])
      }).pipe(Effect.provide(layer)))

    it.scoped("discovery: a 302 is DiscoveryError (Redirect); the other host's metadata is never read", () =>
      Effect.gen(function*() {
        let issuer = ""
        const other = yield* _serve((_, url) => ({
          status: 200,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            issuer,
            authorization_endpoint: `${url}/authorize`,
            token_endpoint: `${url}/token`,
            jwks_uri: `${url}/jwks`,
            response_types_supported: ["code"]
          })
        }))
        const redirector = yield* redirecting(302, other.url)
        issuer = redirector.url
        expect(yield* outcome(OidcDiscovery.discover(issuer))).toBe("DiscoveryError: Redirect")
        expect(other.hits).toEqual([])
      }).pipe(Effect.provide(layer)))

    it.scoped("JWKS: a 302 is DiscoveryError (Redirect); the other host's keys are never read", () =>
      Effect.gen(function*() {
        const other = yield* _serve(() => ({
          status: 200,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ keys: [{ kty: "oct", k: "aG9zdGlsZQ" }] })
        }))
        const redirector = yield* redirecting(302, other.url)
        const jwks = yield* Jwks.remote(`${redirector.url}/jwks`)
        expect(yield* outcome(jwks.get)).toBe("DiscoveryError: Redirect")
        expect(other.hits).toEqual([])
      }).pipe(Effect.provide(layer)))
  })
}

describe("no redirect is followed (fake HttpClient)", () => {
  it.scoped("an opaque redirect (status 0, fetch with redirect: manual in a browser) is a Redirect too", () =>
    Effect.gen(function*() {
      const client = HttpClient.make((request) =>
        Effect.succeed(
          HttpClientResponse.fromWeb(request, Object.defineProperty(new Response(null), "status", { value: 0 }))
        )
      )
      const endpoint = TokenEndpoint.make({
        url: "https://auth.test/token",
        clientAuthentication: ClientAuthentication.none("client")
      })
      expect(
        yield* outcome(Grant.clientCredentials(endpoint).pipe(Effect.provideService(HttpClient.HttpClient, client)))
      ).toBe("TokenResponseError: Redirect")
    }))

  it.scoped("FetchHttpClient is told redirect: manual; other RequestInit fields in context are kept", () =>
    Effect.gen(function*() {
      const seen: Array<RequestInit | undefined> = []
      const fetchLayer = FetchHttpClient.layer.pipe(
        Layer.provide(Layer.succeed(FetchHttpClient.Fetch, (_input, init) => {
          seen.push(init)
          return Promise.resolve(
            new Response(JSON.stringify({ access_token: "a", token_type: "Bearer" }), {
              headers: { "content-type": "application/json" }
            })
          )
        }))
      )
      const endpoint = TokenEndpoint.make({
        url: "https://auth.test/token",
        clientAuthentication: ClientAuthentication.none("client")
      })
      yield* Grant.clientCredentials(endpoint).pipe(
        Effect.provideService(FetchHttpClient.RequestInit, { credentials: "omit" }),
        Effect.provide(fetchLayer)
      )
      expect(seen.map((init) => [init?.redirect, init?.credentials])).toEqual([["manual", "omit"]])
    }))
})
