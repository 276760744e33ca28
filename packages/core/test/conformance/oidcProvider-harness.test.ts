/**
 * Checks the oidc-provider harness itself with plain `fetch` on loopback (no client library).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { BASIC_CLIENT, DEFAULT_CLIENT_CREDENTIALS_TTL, POST_CLIENT, startOidcProvider } from "../_oidcProvider.js"

/** application/x-www-form-urlencoded encoding of one value (RFC 6749 Appendix B). */
const formEncode = (s: string): string => new URLSearchParams({ a: s }).toString().slice(2)

/** `Basic base64(urlencode(id) ":" urlencode(secret))` per RFC 6749 §2.3.1. */
const basicAuth = (id: string, secret: string): string =>
  "Basic " + Buffer.from(`${formEncode(id)}:${formEncode(secret)}`, "utf8").toString("base64")

interface TokenResponse {
  readonly status: number
  readonly contentType: string | null
  readonly body: Record<string, unknown>
}

const postToken = (
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {}
): Effect.Effect<TokenResponse> =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
        ...headers
      },
      body: new URLSearchParams(params).toString()
    })
    const body = (await response.json()) as Record<string, unknown>
    return { status: response.status, contentType: response.headers.get("content-type"), body }
  })

const expectBearerToken = (response: TokenResponse, scope: string) => {
  expect(response.status).toBe(200)
  expect(response.contentType).toMatch(/^application\/json/)
  expect(typeof response.body["access_token"]).toBe("string")
  expect((response.body["access_token"] as string).length).toBeGreaterThan(0)
  expect(response.body["token_type"]).toBe("Bearer")
  expect(typeof response.body["expires_in"]).toBe("number")
  expect(response.body["expires_in"]).toBeGreaterThan(DEFAULT_CLIENT_CREDENTIALS_TTL - 5)
  expect(response.body["expires_in"]).toBeLessThanOrEqual(DEFAULT_CLIENT_CREDENTIALS_TTL)
  expect(response.body["scope"]).toBe(scope)
  expect(response.body).not.toHaveProperty("refresh_token")
}

describe("oidc-provider harness", () => {
  it.scoped("listens on loopback and advertises its token endpoint", () =>
    Effect.gen(function*() {
      const oidc = yield* startOidcProvider()
      expect(oidc.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const discovery = yield* Effect.promise(async () => {
        const response = await fetch(`${oidc.issuer}/.well-known/openid-configuration`)
        return (await response.json()) as Record<string, unknown>
      })
      expect(discovery["issuer"]).toBe(oidc.issuer)
      expect(discovery["token_endpoint"]).toBe(oidc.tokenEndpoint)
      expect(discovery["grant_types_supported"]).toContain("client_credentials")
      expect(discovery["token_endpoint_auth_methods_supported"]).toEqual(
        expect.arrayContaining(["client_secret_basic", "client_secret_post"])
      )
      expect(discovery["scopes_supported"]).toEqual(expect.arrayContaining(["api:read", "api:write"]))
    }))

  it.scoped("(a) client_secret_basic with form-url-encoded id and secret", () =>
    Effect.gen(function*() {
      const oidc = yield* startOidcProvider()
      const { clientId, clientSecret } = oidc.clients.basic
      for (const c of [":", "+", "/", "=", "%", "&", "!", " "]) {
        expect(clientSecret).toContain(c)
      }
      const response = yield* postToken(
        oidc.tokenEndpoint,
        { grant_type: "client_credentials", scope: "api:read api:write" },
        { authorization: basicAuth(clientId, clientSecret) }
      )
      expectBearerToken(response, "api:read api:write")
    }))

  it.scoped("(a') client_secret_basic WITHOUT form-url-encoding is rejected", () =>
    Effect.gen(function*() {
      const oidc = yield* startOidcProvider()
      const raw = Buffer.from(`${BASIC_CLIENT.clientId}:${BASIC_CLIENT.clientSecret}`).toString("base64")
      const response = yield* postToken(
        oidc.tokenEndpoint,
        { grant_type: "client_credentials", scope: "api:read" },
        { authorization: `Basic ${raw}` }
      )
      expect(response.status).toBeGreaterThanOrEqual(400)
      expect(["invalid_client", "invalid_request"]).toContain(response.body["error"])
    }))

  it.scoped("(b) client_secret_post", () =>
    Effect.gen(function*() {
      const oidc = yield* startOidcProvider()
      const response = yield* postToken(oidc.tokenEndpoint, {
        grant_type: "client_credentials",
        client_id: oidc.clients.post.clientId,
        client_secret: oidc.clients.post.clientSecret,
        scope: "api:read"
      })
      expectBearerToken(response, "api:read")
    }))

  it.scoped("(c) a wrong secret gets 401 invalid_client (basic and post)", () =>
    Effect.gen(function*() {
      const oidc = yield* startOidcProvider()
      const basic = yield* postToken(
        oidc.tokenEndpoint,
        { grant_type: "client_credentials", scope: "api:read" },
        { authorization: basicAuth(BASIC_CLIENT.clientId, BASIC_CLIENT.clientSecret + "x") }
      )
      expect(basic.status).toBe(401)
      expect(basic.contentType).toMatch(/^application\/json/)
      expect(basic.body["error"]).toBe("invalid_client")

      const post = yield* postToken(oidc.tokenEndpoint, {
        grant_type: "client_credentials",
        client_id: POST_CLIENT.clientId,
        client_secret: "wrong",
        scope: "api:read"
      })
      expect(post.status).toBe(401)
      expect(post.body["error"]).toBe("invalid_client")
    }))

  it.scoped("a scope outside the client's allow-list is invalid_scope", () =>
    Effect.gen(function*() {
      const oidc = yield* startOidcProvider()
      const response = yield* postToken(oidc.tokenEndpoint, {
        grant_type: "client_credentials",
        client_id: POST_CLIENT.clientId,
        client_secret: POST_CLIENT.clientSecret,
        scope: "api:write"
      })
      expect(response.status).toBe(400)
      expect(response.body["error"]).toBe("invalid_scope")
    }))

  it.scoped("options add clients, scopes and the token TTL", () =>
    Effect.gen(function*() {
      const oidc = yield* startOidcProvider({
        clients: [{
          client_id: "extra",
          client_secret: "extra-secret",
          token_endpoint_auth_method: "client_secret_post",
          grant_types: ["client_credentials"],
          response_types: [],
          redirect_uris: [],
          scope: "reports:read"
        }],
        scopes: ["reports:read"],
        clientCredentialsTtl: 42
      })
      expect(oidc.clients.extra.map((c) => c.client_id)).toEqual(["extra"])
      const response = yield* postToken(oidc.tokenEndpoint, {
        grant_type: "client_credentials",
        client_id: "extra",
        client_secret: "extra-secret",
        scope: "reports:read"
      })
      expect(response.status).toBe(200)
      expect(response.body["expires_in"]).toBe(42)
      expect(response.body["scope"]).toBe("reports:read")
    }))

  it.scoped("non-ASCII client secrets are rejected by oidc-provider (VSCHAR only)", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(startOidcProvider({
        clients: [{
          client_id: "unicode",
          client_secret: "sécrét-über",
          grant_types: ["client_credentials"],
          response_types: [],
          redirect_uris: []
        }]
      }))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(String(Exit.isFailure(exit) ? exit.cause : "")).toMatch(/invalid client_secret value/)

      // A correctly encoded non-ASCII Basic credential is refused as improperly encoded.
      const oidc = yield* startOidcProvider()
      const response = yield* postToken(
        oidc.tokenEndpoint,
        { grant_type: "client_credentials" },
        { authorization: basicAuth(BASIC_CLIENT.clientId, "sécrét-über") }
      )
      expect(response.status).toBe(400)
      expect(response.body["error"]).toBe("invalid_request")
    }))

  it.effect("closing the scope closes the server", () =>
    Effect.gen(function*() {
      const issuer = yield* Effect.scoped(
        Effect.gen(function*() {
          const oidc = yield* startOidcProvider()
          // Leave a keep-alive connection open: closing must not wait for it.
          yield* postToken(oidc.tokenEndpoint, {
            grant_type: "client_credentials",
            client_id: POST_CLIENT.clientId,
            client_secret: POST_CLIENT.clientSecret
          })
          return oidc.issuer
        })
      )
      const result = yield* Effect.either(
        Effect.tryPromise(() => fetch(`${issuer}/.well-known/openid-configuration`))
      )
      expect(result._tag).toBe("Left")
    }))
})
