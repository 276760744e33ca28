/**
 * The generic OIDC client against a real OpenID Provider (the sandbox's `CentrapayOidc`,
 * oidc-provider on 127.0.0.1). Centrapay's own behaviour is tested in packages/centrapay; these
 * are the parts any provider shares.
 */
import { CentrapayOidc } from "@auth-pipeline/sandbox"
import { FetchHttpClient, HttpClient, HttpClientError, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted, Ref, Schema, TestClock } from "effect"
import * as CredentialScheme from "../src/CredentialScheme.js"
import * as OidcClient from "../src/OidcClient.js"

const Claims = Schema.Struct({ sub: Schema.String, email: Schema.optional(Schema.String) })

/** The emulator and a client over fetch; `failDiscovery` makes the next N discovery requests fail. */
const setup = (options: Partial<OidcClient.Options<typeof Claims.Type, typeof Claims.Encoded>> = {}) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(Date.now())
    const emulator = yield* CentrapayOidc.start()
    const failures = yield* Ref.make(0)
    const fetchClient = yield* Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer)
    const flaky = HttpClient.make((request, url) =>
      Effect.gen(function*() {
        if (
          url.pathname === "/.well-known/openid-configuration" &&
          (yield* Ref.getAndUpdate(failures, (n) => Math.max(0, n - 1))) > 0
        ) {
          return yield* new HttpClientError.RequestError({
            request,
            reason: "Transport",
            description: "connection refused"
          })
        }
        return yield* fetchClient.execute(request)
      })
    )
    const client = yield* OidcClient.make({
      name: "test-idp",
      issuer: emulator.issuer,
      clientId: emulator.clientId,
      redirectUri: "com.example.yourapp://oidc-callback",
      claims: Claims,
      baseUrl: emulator.apiBaseUrl,
      ...options
    }).pipe(Effect.provideService(HttpClient.HttpClient, flaky))
    const login = Effect.gen(function*() {
      const request = yield* client.authorize()
      return yield* client.callback(request, yield* emulator.login(request.url.href))
    })
    return { emulator, client, login, failDiscovery: (n: number) => Ref.set(failures, n) }
  })

describe("OidcClient", () => {
  it.scoped("a discovery failure is not kept: the next login fetches the document again and succeeds", () =>
    Effect.gen(function*() {
      const { client, login, failDiscovery } = yield* setup()
      yield* failDiscovery(1)
      const error = yield* Effect.flip(client.authorize())
      expect(error._tag).toBe("DiscoveryError")
      expect(error.reason).toBe("Transport")
      const session = yield* login
      expect(session.claims.sub).toBe("user-1")
    }))

  it.scoped("decodes the claims with the client's Schema, and sends the token with the configured scheme", () =>
    Effect.gen(function*() {
      const { emulator, client, login } = yield* setup({ scheme: CredentialScheme.bearer })
      const session = yield* login
      expect(session.claims).toEqual({ sub: "user-1", email: "jane.doe@example.com" })
      expect(yield* client.claims).toEqual(Option.some(session.claims))
      // The sandbox's API wants the raw token (Centrapay's docs): "Bearer <token>" is refused, even
      // after the one refresh and re-send.
      const error = yield* Effect.flip(client.client.execute(HttpClientRequest.get("/api/account-memberships")))
      expect(error._tag).toBe("Unauthorized")
      const counters = yield* emulator.counters
      expect(counters.unauthorizedByReason).toEqual({ malformed: 2 })
      expect(counters.tokenRequestsByGrantType).toEqual({ authorization_code: 1, refresh_token: 1 })
    }))

  it.scoped("a refreshed ID token that fails its checks keeps the rotated refresh token: the next refresh works", () =>
    Effect.gen(function*() {
      const { emulator, client, login } = yield* setup()
      const session = yield* login
      const now = yield* TestClock.currentTimeMillis
      // Our clock two minutes behind the provider's: the new ID token looks issued in the future.
      yield* TestClock.setTime(now - 120_000)
      const error = yield* Effect.flip(client.cache.refresh)
      expect(error).toMatchObject({ _tag: "IdTokenError", reason: "IssuedInFuture" })
      // The session still holds its tokens, with the refresh token the provider rotated to.
      const kept = Option.getOrThrow(yield* client.cache.current)
      expect(Redacted.value(kept.value)).toBe(Redacted.value(session.token.value))
      expect(Redacted.value(Option.getOrThrow(kept.refreshToken))).not.toBe(
        Redacted.value(Option.getOrThrow(session.token.refreshToken))
      )
      yield* TestClock.setTime(now)
      const refreshed = yield* client.cache.refresh
      expect(Redacted.value(refreshed.value)).not.toBe(Redacted.value(session.token.value))
      const counters = yield* emulator.counters
      expect(counters.tokenRequestsByGrantType).toEqual({ authorization_code: 1, refresh_token: 2 })
      expect(counters.tokenErrors).toEqual({})
    }))

  it.scoped("without a session, token fails with ReauthenticationRequired (NoToken) and sends nothing", () =>
    Effect.gen(function*() {
      const { emulator, client } = yield* setup()
      const error = yield* Effect.flip(client.token)
      expect(error._tag === "ReauthenticationRequired" && error.reason).toBe("NoToken")
      expect((yield* emulator.counters).tokenRequests).toBe(0)
      expect(yield* client.claims).toEqual(Option.none())
    }))
})
