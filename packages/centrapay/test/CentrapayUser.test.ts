import { AccessToken, CredentialScheme, FileTokenStore, IdToken, Pkce } from "@auth-pipeline/core"
import { NodeLoopbackRedirect } from "@auth-pipeline/platform-node"
import { CentrapayOidc } from "@auth-pipeline/sandbox"
import { observe, renderings } from "@auth-pipeline/testing/Observe"
import { FetchHttpClient, FileSystem, HttpClient, HttpClientError } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option, Redacted, Ref } from "effect"
import { CentrapayUser } from "../src/index.js"
import { _centrapay, appRedirectUri } from "./_centrapay.js"

const memberships = "/api/account-memberships"

describe("CentrapayUser against the sandbox OpenID Provider", () => {
  it.scoped("logs in with code + PKCE: verified claims, token in the cache, raw Authorization on API calls", () =>
    Effect.gen(function*() {
      const { emulator, user, login } = yield* _centrapay()
      const session = yield* login()
      expect(session.claims).toEqual(CentrapayOidc.defaultUser)
      expect(Option.isSome(session.token.refreshToken)).toBe(true)
      expect(Option.isSome(session.token.idToken)).toBe(true)
      expect(AccessToken.sameValue(yield* user.token, session.token)).toBe(true)
      expect(yield* user.claims).toEqual(Option.some(CentrapayOidc.defaultUser))

      const response = yield* user.client.get(memberships)
      expect(response.status).toBe(200)
      expect(((yield* response.json) as { sub: string }).sub).toBe("user-1")
      const counters = yield* emulator.counters
      expect(counters.tokenRequestsByGrantType).toEqual({ authorization_code: 1 })
      expect(counters.resourceRequestsByOutcome.access_token).toBe(1)
    }))

  it.scoped("the authorization URL asks for openid with S256 PKCE, state, nonce and the phone prefill", () =>
    Effect.gen(function*() {
      const { emulator, user } = yield* _centrapay({}, { phoneNumber: "+6421234567890" })
      const request = yield* user.authorize()
      const params = request.url.searchParams
      expect(request.url.origin + request.url.pathname).toBe((yield* user.metadata).authorization_endpoint)
      expect(params.get("response_type")).toBe("code")
      expect(params.get("client_id")).toBe(emulator.clientId)
      expect(params.get("scope")).toBe("openid")
      expect(params.get("redirect_uri")).toBe(appRedirectUri)
      expect(params.get("code_challenge_method")).toBe("S256")
      expect(params.get("code_challenge")).toBe(yield* Pkce.challengeOf(request.codeVerifier))
      expect(params.get("state")).toBe(request.state)
      expect(params.get("nonce")).toBe(request.nonce)
      expect(params.get("u")).toBe("+6421234567890")
      expect(params.has("code_verifier")).toBe(false)
    }))

  it.scoped("never calls the userinfo endpoint: only discovery, JWKS, token and API", () =>
    Effect.gen(function*() {
      const { user, login, urls } = yield* _centrapay()
      yield* login()
      yield* user.client.get(memberships)
      yield* user.cache.refresh
      const paths = (yield* urls).map((u) => new URL(u).pathname)
      expect(paths.some((p) => p.includes("userinfo") || p === "/me")).toBe(false)
      expect(new Set(paths)).toEqual(new Set(["/.well-known/openid-configuration", "/jwks", "/token", memberships]))
      // discovery and the JWKS were fetched once each and cached
      expect(paths.filter((p) => p === "/.well-known/openid-configuration").length).toBe(1)
      expect(paths.filter((p) => p === "/jwks").length).toBe(1)
    }))

  it.scoped("a callback with another request's state is refused before any code exchange", () =>
    Effect.gen(function*() {
      const { emulator, user } = yield* _centrapay()
      const first = yield* user.authorize()
      const other = yield* user.authorize()
      const callback = yield* emulator.login(first.url.href)
      const error = yield* Effect.flip(user.callback(other, callback))
      expect(error._tag).toBe("AuthorizationError")
      expect(error._tag === "AuthorizationError" && error.reason).toBe("StateMismatch")
      expect((yield* emulator.counters).tokenRequests).toBe(0)
      expect(Option.isNone(yield* user.cache.current)).toBe(true)
    }))

  it.scoped("a replayed authorization code is refused with invalid_grant", () =>
    Effect.gen(function*() {
      const { emulator, user } = yield* _centrapay()
      const request = yield* user.authorize()
      const callback = yield* emulator.login(request.url.href)
      yield* user.callback(request, callback)
      const error = yield* Effect.flip(user.callback(request, callback))
      expect(error._tag).toBe("OAuthError")
      expect(error._tag === "OAuthError" && error.error).toBe("invalid_grant")
    }))

  it.scoped("a tampered PKCE verifier is refused with invalid_grant", () =>
    Effect.gen(function*() {
      const { emulator, user } = yield* _centrapay()
      const request = yield* user.authorize()
      const callback = yield* emulator.login(request.url.href)
      const tampered = {
        ...request,
        codeVerifier: Redacted.make(Redacted.value(request.codeVerifier).replace(/^./, (c) => (c === "A" ? "B" : "A")))
      }
      const error = yield* Effect.flip(user.callback(tampered, callback))
      expect(error._tag === "OAuthError" && error.error).toBe("invalid_grant")
      expect(Option.isNone(yield* user.cache.current)).toBe(true)
    }))

  it.scoped("a refresh rotates the refresh token, verifies the new ID token for the same user and keeps the claims", () =>
    Effect.gen(function*() {
      const { emulator, user, login } = yield* _centrapay()
      const session = yield* login()
      const refreshed = yield* user.cache.refresh
      expect(AccessToken.sameValue(refreshed, session.token)).toBe(false)
      const [before, after] = [session.token.refreshToken, refreshed.refreshToken].map((o) =>
        Redacted.value(Option.getOrThrow(o))
      )
      expect(after).not.toBe(before)
      const claims = yield* IdToken.unverifiedClaims(Option.getOrThrow(refreshed.idToken))
      expect(claims.sub).toBe("user-1")
      expect(yield* user.claims).toEqual(Option.some(CentrapayOidc.defaultUser))
      expect((yield* emulator.counters).tokenRequestsByGrantType).toEqual({ authorization_code: 1, refresh_token: 1 })
    }))

  it.scoped("401 from the API: one refresh, the request re-sent once with the new token", () =>
    Effect.gen(function*() {
      const { emulator, user, login } = yield* _centrapay()
      const session = yield* login()
      yield* emulator.revokeAccessTokens
      const response = yield* user.client.get(memberships)
      expect(response.status).toBe(200)
      const counters = yield* emulator.counters
      expect(counters.tokenRequestsByGrantType).toEqual({ authorization_code: 1, refresh_token: 1 })
      expect(counters.resourceRequestsByOutcome).toMatchObject({ access_token: 1, unauthorized: 1 })
      expect(AccessToken.sameValue(yield* user.token, session.token)).toBe(false)
    }))

  it.scoped("a refresh token the server no longer accepts means login required (ReauthenticationRequired)", () =>
    Effect.gen(function*() {
      const { user, login } = yield* _centrapay()
      const session = yield* login()
      yield* user.cache.refresh // rotates: the session's refresh token is now used up
      // Put back the old token set, expired, as a stale copy would be.
      yield* user.cache.set(new AccessToken.AccessToken({ ...session.token, expiresAt: Option.some(0) }))
      const error = yield* Effect.flip(user.token)
      expect(error._tag).toBe("ReauthenticationRequired")
      expect(error._tag === "ReauthenticationRequired" && error.reason).toBe("RefreshRejected")
      const current = yield* user.cache.current
      expect(Option.isNone(Option.flatMap(current, (t) => t.refreshToken))).toBe(true)
    }))

  it.scoped("logout forgets the token set, revokes the refresh token and yields the end-session URL with post_logout_redirect_uri and state", () =>
    Effect.gen(function*() {
      const { emulator, user, login } = yield* _centrapay()
      const session = yield* login()
      const { endSession, revoked } = yield* user.logout({ postLogoutRedirectUri: "com.example.yourapp://oidc-logout" })
      const request = Option.getOrThrow(endSession)
      expect(request.url.href.startsWith(`${emulator.issuer}/`)).toBe(true)
      expect(request.url.searchParams.get("post_logout_redirect_uri")).toBe("com.example.yourapp://oidc-logout")
      expect(request.url.searchParams.get("state")).toBe(request.state)
      expect(request.url.searchParams.get("client_id")).toBe(emulator.clientId)
      // The ID token is personal data: not in the URL unless asked for.
      expect(request.url.searchParams.has("id_token_hint")).toBe(false)
      expect(Option.isNone(yield* user.cache.current)).toBe(true)
      const error = yield* Effect.flip(user.token)
      expect(error._tag === "ReauthenticationRequired" && error.reason).toBe("NoToken")
      // The provider accepts the logout request (it answers with its confirmation page).
      const response = yield* Effect.promise(() => fetch(request.url, { redirect: "manual" }))
      expect(response.status).toBe(200)

      // The refresh token is dead at the provider: a copy of the old token set cannot be refreshed.
      expect(revoked).toBe(true)
      yield* user.cache.set(new AccessToken.AccessToken({ ...session.token, expiresAt: Option.some(0) }))
      const afterRevocation = yield* Effect.flip(user.token)
      expect(afterRevocation._tag === "ReauthenticationRequired" && afterRevocation.reason).toBe("RefreshRejected")
    }))

  it.scoped("logout with idTokenHint puts the ID token in the URL; with revoke: false the refresh token stays valid", () =>
    Effect.gen(function*() {
      const { user, login } = yield* _centrapay()
      const session = yield* login()
      const { endSession, revoked } = yield* user.logout({ idTokenHint: true, revoke: false })
      expect(Option.getOrThrow(endSession).url.searchParams.get("id_token_hint")).toBe(
        Redacted.value(Option.getOrThrow(session.token.idToken))
      )
      expect(revoked).toBe(false)
      yield* user.cache.set(new AccessToken.AccessToken({ ...session.token, expiresAt: Option.some(0) }))
      expect((yield* user.token).tokenType).toBe("Bearer")
    }))

  it.scoped("loginLoopback: a one-shot listener on 127.0.0.1 with a random port receives the code", () =>
    Effect.gen(function*() {
      const { emulator, user } = yield* _centrapay()
      let redirectUri = ""
      const session = yield* user.loginLoopback({
        open: (url) =>
          Effect.gen(function*() {
            redirectUri = url.searchParams.get("redirect_uri") ?? ""
            // The "browser" signs in and follows the redirect to the loopback listener.
            yield* Effect.orDie(emulator.signIn(url.href))
          })
      })
      expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oidc-callback$/)
      expect(session.claims.sub).toBe("user-1")
      // The listener is closed afterwards.
      const refused = yield* Effect.promise(() => fetch(redirectUri).then(() => false, () => true))
      expect(refused).toBe(true)
    }).pipe(Effect.provide(NodeLoopbackRedirect.layer)))

  it.scoped("a FileTokenStore keeps the login across restarts: the next client is signed in without a login", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/centrapay/token.json`
      const first = yield* _centrapay({}, { store: yield* FileTokenStore.make({ path }) })
      yield* first.login()
      const second = yield* CentrapayUser.make({
        clientId: first.emulator.clientId,
        issuer: first.emulator.issuer,
        baseUrl: first.emulator.apiBaseUrl,
        store: yield* FileTokenStore.make({ path })
      }).pipe(Effect.provide(FetchHttpClient.layer))
      expect(yield* second.claims).toEqual(Option.some(CentrapayOidc.defaultUser))
      const response = yield* second.client.get(memberships)
      expect(response.status).toBe(200)
      expect((yield* first.emulator.counters).tokenRequestsByGrantType).toEqual({ authorization_code: 1 })
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("tokens and the PKCE verifier never reach logs, spans or errors", () =>
    Effect.gen(function*() {
      const { observed, layer } = observe()
      const secrets = yield* Effect.gen(function*() {
        const { emulator, user } = yield* _centrapay()
        const request = yield* user.authorize()
        const callback = yield* emulator.login(request.url.href)
        const session = yield* user.callback(request, callback)
        yield* Effect.logInfo("session", session, session.token)
        yield* user.client.get(memberships)
        yield* emulator.revokeAccessTokens
        yield* user.client.get(memberships)
        const replay = yield* Effect.flip(user.callback(request, callback))
        yield* Effect.logError("replay", replay)
        return {
          texts: [renderings(session.token), renderings(replay), renderings(request)],
          values: [
            Redacted.value(session.token.value),
            Redacted.value(Option.getOrThrow(session.token.refreshToken)),
            Redacted.value(Option.getOrThrow(session.token.idToken)),
            Redacted.value(request.codeVerifier),
            callback.searchParams.get("code")!
          ]
        }
      }).pipe(Effect.provide(layer))
      const text = [observed.text(), ...secrets.texts].join("\n")
      expect(observed.spans.length).toBeGreaterThan(0)
      for (const value of secrets.values) expect(text).not.toContain(value)
    }))
})

describe("CentrapayUser configuration", () => {
  it.effect("fromConfig reads CENTRAPAY_CLIENT_ID, CENTRAPAY_ISSUER, CENTRAPAY_REDIRECT_URI and CENTRAPAY_BASE_URL", () =>
    Effect.gen(function*() {
      const options = yield* CentrapayUser.fromConfig().pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(
          new Map([
            ["CENTRAPAY_CLIENT_ID", "7mapl0nqonkgl5vfeb3cf86miu"],
            ["CENTRAPAY_ISSUER", "http://127.0.0.1:4000"],
            ["CENTRAPAY_REDIRECT_URI", "com.example.yourapp://oidc-callback"],
            ["CENTRAPAY_BASE_URL", ""]
          ])
        ))
      )
      expect(options).toEqual({
        clientId: "7mapl0nqonkgl5vfeb3cf86miu",
        issuer: "http://127.0.0.1:4000",
        redirectUri: "com.example.yourapp://oidc-callback",
        baseUrl: undefined
      })
    }))

  it.effect("layerConfig without CENTRAPAY_CLIENT_ID is a ConfigError naming it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Layer.build(CentrapayUser.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))).pipe(
          Effect.scoped,
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
        )
      )
      expect(String(error)).toContain("CENTRAPAY_CLIENT_ID")
    }))

  it.scoped("the layer defaults to Centrapay's issuer and API, and fetches nothing until needed", () =>
    Effect.gen(function*() {
      const requests = yield* Ref.make(0)
      const offline = HttpClient.make((request) =>
        Effect.zipRight(
          Ref.update(requests, (n) => n + 1),
          Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", description: "offline" }))
        )
      )
      const user = yield* CentrapayUser.CentrapayUser.pipe(
        Effect.provide(CentrapayUser.layer({ clientId: "7mapl0nqonkgl5vfeb3cf86miu" })),
        Effect.provideService(HttpClient.HttpClient, offline)
      )
      expect(yield* Ref.get(requests)).toBe(0)
      const error = yield* Effect.flip(user.metadata)
      expect(error.url).toBe("https://auth.centrapay.com/.well-known/openid-configuration")
      expect(CentrapayUser.issuer).toBe("https://auth.centrapay.com")
      expect(CentrapayUser.defaultScheme).toBe(CredentialScheme.raw)
    }))
})
