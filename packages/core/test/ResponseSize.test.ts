/**
 * Token, revocation, discovery and JWKS responses are read up to a cap (1 MiB by default,
 * `maxResponseBytes`), as a stream that stops at the cap; a larger body is a typed error.
 */
import { Fault, Paysera, Server } from "@auth-pipeline/sandbox"
import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as ClientAuthentication from "../src/ClientAuthentication.js"
import * as Grant from "../src/Grant.js"
import * as Jwks from "../src/Jwks.js"
import * as OidcDiscovery from "../src/OidcDiscovery.js"
import * as Revocation from "../src/Revocation.js"
import * as TokenEndpoint from "../src/TokenEndpoint.js"

const MiB = 1024 * 1024
const chunkSize = 64 * 1024

/**
 * A fake network answering every request with a streamed JSON body of about `size` bytes
 * (`members` plus a padding member), without Content-Length unless `declare`; `pulled` counts the
 * bytes the client actually read.
 */
const streaming = (size: number, members: Record<string, unknown>, options: { readonly declare?: boolean } = {}) => {
  let pulled = 0
  const client = HttpClient.make((request) =>
    Effect.sync(() => {
      const head = new TextEncoder().encode(JSON.stringify(members).slice(0, -1) + `,"padding":"`)
      const tail = new TextEncoder().encode(`"}`)
      const total = Math.max(size, head.length + tail.length)
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= total) return controller.close()
          const n = Math.min(chunkSize, total - sent)
          const chunk = new Uint8Array(n).fill(0x78)
          if (sent === 0) chunk.set(head.subarray(0, Math.min(n, head.length)))
          if (sent + n === total) chunk.set(tail, n - tail.length)
          sent += n
          pulled += n
          controller.enqueue(chunk)
        }
      })
      const headers: Record<string, string> = { "content-type": "application/json" }
      if (options.declare) headers["content-length"] = String(total)
      return HttpClientResponse.fromWeb(request, new Response(body, { headers }))
    })
  )
  return { client, pulled: () => pulled }
}

/** The outcome as a short string, so a test that fails (say, an 8 MiB token accepted) fails fast. */
const outcome = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(
    Effect.either(effect),
    (r) => r._tag === "Right" ? "success" : `${r.left._tag}: ${(r.left as { readonly reason?: string }).reason}`
  )

const tokenMembers = { access_token: "at-big", token_type: "Bearer", expires_in: 3600 }

const endpoint = (maxResponseBytes?: number) =>
  TokenEndpoint.make({
    url: "https://auth.test/token",
    clientAuthentication: ClientAuthentication.clientSecretPost("client", Redacted.make("client-secret")),
    maxResponseBytes
  })

const tokenVia = (client: HttpClient.HttpClient, maxResponseBytes?: number) =>
  Grant.clientCredentials(endpoint(maxResponseBytes)).pipe(Effect.provideService(HttpClient.HttpClient, client))

describe("response size cap", () => {
  it.effect("an 8 MiB token response is TokenResponseError (TooLarge); reading stops at 1 MiB", () =>
    Effect.gen(function*() {
      const { client, pulled } = streaming(8 * MiB, tokenMembers)
      const result = yield* Effect.either(tokenVia(client))
      expect(result._tag === "Left" && [result.left._tag, result.left.message]).toEqual([
        "TokenResponseError",
        "Token endpoint https://auth.test/token gave an unusable response (TooLarge, HTTP 200): " +
        `the body is larger than ${MiB} bytes`
      ])
      expect(pulled()).toBeLessThanOrEqual(MiB + 2 * chunkSize)
    }))

  it.effect("a declared Content-Length over the cap is refused before the body is read", () =>
    Effect.gen(function*() {
      const { client, pulled } = streaming(8 * MiB, tokenMembers, { declare: true })
      expect(yield* outcome(tokenVia(client))).toBe("TokenResponseError: TooLarge")
      expect(pulled()).toBeLessThanOrEqual(2 * chunkSize)
    }))

  it.effect("the cap is the endpoint's maxResponseBytes: 1 MiB by default, configurable", () =>
    Effect.gen(function*() {
      expect(endpoint().maxResponseBytes).toBe(MiB)
      expect(TokenEndpoint.defaultMaxResponseBytes).toBe(MiB)
      const token = yield* tokenVia(streaming(MiB, tokenMembers).client)
      expect(Redacted.value(token.value)).toBe("at-big")
      expect(yield* outcome(tokenVia(streaming(200, tokenMembers).client, 100))).toBe("TokenResponseError: TooLarge")
    }))

  it.effect("discovery and JWKS documents over the cap are DiscoveryError (TooLarge)", () =>
    Effect.gen(function*() {
      const discovery = streaming(2 * MiB, { issuer: "https://idp.test" })
      expect(
        yield* outcome(
          OidcDiscovery.discover("https://idp.test").pipe(
            Effect.provideService(HttpClient.HttpClient, discovery.client)
          )
        )
      ).toBe("DiscoveryError: TooLarge")
      expect(discovery.pulled()).toBeLessThanOrEqual(MiB + 2 * chunkSize)

      const keys = streaming(2 * MiB, { keys: [] })
      const jwks = yield* Jwks.remote("https://idp.test/jwks").pipe(
        Effect.provideService(HttpClient.HttpClient, keys.client)
      )
      expect(yield* outcome(jwks.get)).toBe("DiscoveryError: TooLarge")

      const smallCap = streaming(4096, { keys: [] })
      const capped = yield* Jwks.remote("https://idp.test/jwks", { maxResponseBytes: 1024 }).pipe(
        Effect.provideService(HttpClient.HttpClient, smallCap.client)
      )
      expect(yield* outcome(capped.get)).toBe("DiscoveryError: TooLarge")
    }))

  it.effect("a revocation answer over the cap is RevocationError (TooLarge)", () =>
    Effect.gen(function*() {
      const { client } = streaming(2 * MiB, {})
      const revoke = Revocation.revoke({
        url: "https://auth.test/revoke",
        clientAuthentication: ClientAuthentication.none("client"),
        token: Redacted.make("rt-1")
      })
      expect(yield* outcome(revoke.pipe(Effect.provideService(HttpClient.HttpClient, client)))).toBe(
        "RevocationError: TooLarge"
      )
    }))

  for (
    const { layer, name } of [
      { name: "FetchHttpClient", layer: FetchHttpClient.layer },
      { name: "NodeHttpClient.layerUndici", layer: NodeHttpClient.layerUndici }
    ]
  ) {
    it.scoped(`over loopback HTTP (${name}): the sandbox's 8 MiB token response is refused`, () =>
      Effect.gen(function*() {
        const paysera = yield* Paysera.make()
        const baseUrl = yield* Server.serve(paysera)
        const sandboxEndpoint = TokenEndpoint.make({
          url: `${baseUrl}${Paysera.tokenPath}`,
          clientAuthentication: ClientAuthentication.clientSecretPost("sandbox-client", Redacted.make("sandbox-secret"))
        })
        yield* paysera.failNext(Fault.status(200, { body: { ...tokenMembers, padding: "x".repeat(8 * MiB) } }))
        expect(yield* outcome(Grant.clientCredentials(sandboxEndpoint))).toBe("TokenResponseError: TooLarge")
        // the next token request works as usual
        expect(yield* outcome(Grant.clientCredentials(sandboxEndpoint))).toBe("success")
      }).pipe(Effect.provide(layer)))
  }
})
