/**
 * The grants against a real authorization server: oidc-provider on 127.0.0.1.
 */
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import * as ClientAuthentication from "../../src/ClientAuthentication.js"
import * as Grant from "../../src/Grant.js"
import * as TokenEndpoint from "../../src/TokenEndpoint.js"
import { BASIC_CLIENT, POST_CLIENT, startOidcProvider } from "../_oidcProvider.js"

describe("client_credentials against oidc-provider", () => {
  it.scopedLive("client_secret_basic with a secret full of special characters", () =>
    Effect.gen(function*() {
      const server = yield* startOidcProvider()
      expect(BASIC_CLIENT.clientSecret).toMatch(/[:+/=%&! ]/)
      const endpoint = TokenEndpoint.make({
        url: server.tokenEndpoint,
        clientAuthentication: ClientAuthentication.clientSecretBasic(
          BASIC_CLIENT.clientId,
          Redacted.make(BASIC_CLIENT.clientSecret)
        )
      })
      const before = Date.now()
      const token = yield* Grant.clientCredentials(endpoint, { scope: ["api:read", "api:write"] })
      expect(Redacted.value(token.value).length).toBeGreaterThan(10)
      expect(token.tokenType).toBe("Bearer")
      expect(token.scopes).toEqual(["api:read", "api:write"])
      const expiresAt = Option.getOrThrow(token.expiresAt)
      expect(expiresAt - token.issuedAt).toBe(600_000)
      expect(token.issuedAt).toBeGreaterThanOrEqual(before)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("client_secret_post", () =>
    Effect.gen(function*() {
      const server = yield* startOidcProvider()
      const endpoint = TokenEndpoint.make({
        url: server.tokenEndpoint,
        clientAuthentication: ClientAuthentication.clientSecretPost(
          POST_CLIENT.clientId,
          Redacted.make(POST_CLIENT.clientSecret)
        )
      })
      const token = yield* Grant.clientCredentials(endpoint, { scope: ["api:read"] })
      expect(token.scopes).toEqual(["api:read"])
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("a wrong secret is the typed invalid_client error, for both methods", () =>
    Effect.gen(function*() {
      const server = yield* startOidcProvider()
      for (
        const auth of [
          ClientAuthentication.clientSecretBasic(BASIC_CLIENT.clientId, Redacted.make("wrong-secret")),
          ClientAuthentication.clientSecretPost(POST_CLIENT.clientId, Redacted.make("wrong-secret"))
        ]
      ) {
        const error = yield* Grant.clientCredentials(
          TokenEndpoint.make({ url: server.tokenEndpoint, clientAuthentication: auth })
        ).pipe(
          Effect.flip
        )
        expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_client", status: 401 })
        expect(error.message).not.toContain("wrong-secret")
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
