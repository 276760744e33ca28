/**
 * The README's CentrapayOidc example, run as it is written there (through the package entry point).
 */
import { CentrapayOidc } from "@auth-pipeline/sandbox"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"

describe("README: CentrapayOidc", () => {
  it.scoped("logs in with code + PKCE and calls the API with the raw access token", () =>
    Effect.gen(function*() {
      const centrapay = yield* CentrapayOidc.start() // user "user-1", client "7mapl0nqonkgl5vfeb3cf86miu"
      const verifier = "a-verifier-of-at-least-43-characters-0123456789"
      const authorize = new URL(`${centrapay.issuer}/auth`)
      authorize.search = new URLSearchParams({
        client_id: centrapay.clientId,
        response_type: "code",
        scope: "openid",
        state: "s-1",
        redirect_uri: "http://127.0.0.1:8765/oidc-callback", // native client: any loopback port
        code_challenge: createHash("sha256").update(verifier).digest("base64url"),
        code_challenge_method: "S256"
      }).toString()
      const callback = yield* centrapay.login(authorize.href) // fills in the dev login + consent forms
      const tokens = yield* HttpClient.execute(
        HttpClientRequest.post(`${centrapay.issuer}/token`).pipe(
          HttpClientRequest.bodyUrlParams({
            grant_type: "authorization_code",
            client_id: centrapay.clientId,
            code_verifier: verifier,
            code: callback.searchParams.get("code") ?? "",
            redirect_uri: "http://127.0.0.1:8765/oidc-callback"
          })
        )
      ).pipe(Effect.flatMap((response) => response.json), Effect.map((body) => body as { access_token: string })) // + id_token, refresh_token, expires_in: 3600
      const api = yield* HttpClient.execute(
        HttpClientRequest.get(`${centrapay.apiBaseUrl}/api/account-memberships`).pipe(
          HttpClientRequest.setHeader("authorization", tokens.access_token) // raw, no "Bearer"
        )
      )
      expect(yield* api.json).toMatchObject({ sub: "user-1", auth: "jwt" })
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("CentrapayOidc.layer provides the running emulator as a service", () =>
    Effect.gen(function*() {
      const centrapay = yield* CentrapayOidc.Service
      expect(centrapay.clientId).toBe(CentrapayOidc.defaultClientId)
      expect(centrapay.users).toEqual([CentrapayOidc.defaultUser])
      expect(CentrapayOidc.defaultTtls).toEqual({ accessToken: 3600, idToken: 3600, refreshToken: 5_184_000 })
    }).pipe(Effect.provide(CentrapayOidc.layer())))
})
