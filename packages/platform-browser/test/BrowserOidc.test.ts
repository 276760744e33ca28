import { AccessToken, Pkce } from "@auth-pipeline/core"
import { CentrapayOidc } from "@auth-pipeline/sandbox"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Option, Redacted, Stream, TestClock } from "effect"
import { _web, origin, postLogoutRedirectUri, redirectUri } from "./_web.js"

const sessionKey = `auth-pipeline:centrapay-user:${CentrapayOidc.webClientId}:session`
const _settle = Effect.repeatN(Effect.yieldNow(), 20)

describe("BrowserOidc sign-in", () => {
  it.scoped("signinRedirect: S256, state, nonce and the u prefill in the URL; verifier and nonce in sessionStorage only", () =>
    Effect.gen(function*() {
      const { emulator, localStorage, openTab } = yield* _web()
      const tab = yield* openTab("/account")
      yield* tab.app.signinRedirect({ state: `${origin}/account`, extraQueryParams: { u: "+6421234567890" } })
      const url = yield* tab.navigation.url
      expect(url.origin).toBe(emulator.issuer)
      const params = url.searchParams
      expect(params.get("client_id")).toBe(CentrapayOidc.webClientId)
      expect(params.get("redirect_uri")).toBe(redirectUri)
      expect(params.get("code_challenge_method")).toBe("S256")
      expect(params.get("u")).toBe("+6421234567890")
      const state = params.get("state")!
      expect(state.length).toBeGreaterThanOrEqual(43)
      expect(params.get("nonce")!.length).toBeGreaterThanOrEqual(43)
      expect(params.has("code_verifier")).toBe(false)
      // The transaction waits in this tab's sessionStorage, under the state; nothing in localStorage.
      const key = `auth-pipeline:centrapay-user:${CentrapayOidc.webClientId}:signin:${state}`
      const stored = JSON.parse(Option.getOrThrow(yield* tab.sessionStorage.get(key)))
      expect(stored.appState).toBe(`${origin}/account`)
      expect(stored.request.nonce).toBe(params.get("nonce"))
      expect(yield* Pkce.challengeOf(stored.request.codeVerifier)).toBe(params.get("code_challenge"))
      expect(yield* localStorage.size).toBe(0)
      // The history: the app page, then the provider.
      expect(yield* tab.navigation.entries).toEqual([`${origin}/account`, url.href])
    }))

  it.scoped("handleCallback: the code and state leave the address bar and history, the session is stored, the app state comes back", () =>
    Effect.gen(function*() {
      const { emulator, localStorage, openTab, signIn } = yield* _web()
      const tab = yield* openTab()
      expect(yield* tab.app.isSigninCallback).toBe(false)
      const { callback, result } = yield* signIn(tab, "/account")
      expect(callback.searchParams.has("code")).toBe(true)
      expect(result.state).toEqual(Option.some("/account"))
      expect(result.session.claims).toEqual(CentrapayOidc.defaultUser)
      expect((yield* tab.navigation.url).href).toBe(redirectUri)
      // No entry of the app's origin keeps the code or the state (the provider's URL has its state).
      const appEntries = (yield* tab.navigation.entries).filter((entry) => entry.startsWith(origin))
      expect(appEntries).toEqual([`${origin}/`, redirectUri])
      expect(yield* tab.sessionStorage.size).toBe(0) // the transaction is spent
      const stored = JSON.parse(Option.getOrThrow(yield* localStorage.get(sessionKey)))
      expect(stored.token.refreshToken).toBe(Redacted.value(Option.getOrThrow(result.session.token.refreshToken)))
      // A reload (a new client over the same localStorage) has the session without a login.
      const reloaded = yield* openTab()
      const session = Option.getOrThrow(yield* reloaded.app.session)
      expect(session.claims).toEqual(CentrapayOidc.defaultUser)
      const response = yield* reloaded.app.client.get("/api/account-memberships")
      expect(response.status).toBe(200)
      expect((yield* emulator.counters).tokenRequestsByGrantType).toEqual({ authorization_code: 1 })
    }))

  it.scoped("a replayed callback URL and a foreign state are refused before any code exchange", () =>
    Effect.gen(function*() {
      const { emulator, openTab, signIn } = yield* _web()
      const tab = yield* openTab()
      const { callback } = yield* signIn(tab)
      yield* tab.navigation.visit(callback)
      expect(yield* tab.app.isSigninCallback).toBe(true)
      const replayed = yield* Effect.flip(tab.app.handleCallback)
      expect(replayed._tag === "AuthorizationError" && replayed.reason).toBe("StateMismatch")
      expect((yield* tab.navigation.url).search).toBe("")

      yield* tab.app.signinRedirect()
      const forged = new URL(redirectUri)
      forged.search = new URLSearchParams({ code: "stolen", state: "forged", iss: emulator.issuer }).toString()
      yield* tab.navigation.visit(forged)
      const foreign = yield* Effect.flip(tab.app.handleCallback)
      expect(foreign._tag === "AuthorizationError" && foreign.reason).toBe("StateMismatch")
      expect((yield* emulator.counters).tokenRequestsByGrantType).toEqual({ authorization_code: 1 })
    }))
})

describe("BrowserOidc across tabs", () => {
  it.scoped("two tabs refreshing at once spend the refresh token once and share the result", () =>
    Effect.gen(function*() {
      const { emulator, openTab, signIn } = yield* _web()
      const a = yield* openTab()
      const { result } = yield* signIn(a)
      const b = yield* openTab()
      const [fromA, fromB] = yield* Effect.all([a.app.refresh, b.app.refresh], { concurrency: "unbounded" })
      const counters = yield* emulator.counters
      expect(counters.tokenRequestsByGrantType["refresh_token"]).toBe(1)
      expect(counters.tokenErrors).toEqual({})
      expect(AccessToken.sameValue(fromA.token, fromB.token)).toBe(true)
      expect(AccessToken.sameValue(fromA.token, result.session.token)).toBe(false)
    }))

  it.scoped("silent renew: both tabs due at the same moment send one grant; the other tab hears the new session", () =>
    Effect.gen(function*() {
      const { emulator, openTab, signIn } = yield* _web()
      const a = yield* openTab()
      const { result } = yield* signIn(a)
      const b = yield* openTab() // built over the stored session: its renewal is scheduled too
      const heard = yield* Effect.fork(Stream.runCollect(Stream.take(b.app.sessions, 2)))
      yield* _settle
      // 1 h tokens, 60 s buffer: both renew at 59 min.
      yield* TestClock.adjust("59 minutes")
      const [initial, renewed] = Chunk.toReadonlyArray(yield* Fiber.join(heard))
      expect(Option.map(initial!, (s) => AccessToken.sameValue(s.token, result.session.token))).toEqual(
        Option.some(true)
      )
      const fresh = Option.getOrThrow(renewed!)
      expect(AccessToken.sameValue(fresh.token, result.session.token)).toBe(false)
      expect(fresh.claims).toEqual(CentrapayOidc.defaultUser)
      // Wait until the second tab's renewal, queued behind the first on the lock, is done.
      yield* Effect.flatMap(a.app.cache.current, () => _settle)
      yield* b.app.token
      const counters = yield* emulator.counters
      expect(counters.tokenRequestsByGrantType["refresh_token"]).toBe(1)
      expect(counters.tokenErrors).toEqual({})
    }))
})

describe("BrowserOidc sign-out", () => {
  it.scoped("signoutRedirect forgets the session in every tab and goes to the end-session endpoint; the callback returns the state", () =>
    Effect.gen(function*() {
      const { emulator, localStorage, openTab, signIn } = yield* _web()
      const a = yield* openTab()
      yield* signIn(a)
      const b = yield* openTab()
      const copy = Option.getOrThrow(yield* localStorage.get(sessionKey)) // say, taken by a script
      yield* a.app.signoutRedirect({ state: "/goodbye" })
      const url = yield* a.navigation.url
      expect(url.origin + url.pathname).toBe(`${emulator.issuer}/session/end`)
      expect(url.searchParams.get("post_logout_redirect_uri")).toBe(postLogoutRedirectUri)
      expect(url.searchParams.get("client_id")).toBe(CentrapayOidc.webClientId)
      expect(url.searchParams.has("id_token_hint")).toBe(false)
      const state = url.searchParams.get("state")!
      expect(yield* localStorage.get(sessionKey)).toEqual(Option.none())
      expect(yield* b.app.session).toEqual(Option.none())
      const reauth = yield* Effect.flip(b.app.token)
      expect(reauth._tag).toBe("ReauthenticationRequired")
      // The refresh token was revoked at the provider: a copy of the session is worth nothing.
      yield* localStorage.set(sessionKey, copy)
      const revoked = yield* Effect.flip(b.app.refresh)
      expect(revoked._tag === "ReauthenticationRequired" && revoked.reason).toBe("RefreshRejected")
      yield* localStorage.remove(sessionKey)

      yield* a.navigation.visit(`${postLogoutRedirectUri}?state=${state}`)
      expect(yield* a.app.isSignoutCallback).toBe(true)
      expect(yield* a.app.handleSignoutCallback).toEqual(Option.some("/goodbye"))
      expect((yield* a.navigation.url).href).toBe(postLogoutRedirectUri)
      expect(yield* a.sessionStorage.size).toBe(0)
      // The same callback again is refused.
      yield* a.navigation.visit(`${postLogoutRedirectUri}?state=${state}`)
      const again = yield* Effect.flip(a.app.handleSignoutCallback)
      expect(again._tag === "AuthorizationError" && again.reason).toBe("StateMismatch")
    }))

  it.scoped("signoutRedirect with idTokenHint puts the ID token in the URL", () =>
    Effect.gen(function*() {
      const { openTab, signIn } = yield* _web()
      const a = yield* openTab()
      const { result } = yield* signIn(a)
      yield* a.app.signoutRedirect({ idTokenHint: true })
      expect((yield* a.navigation.url).searchParams.get("id_token_hint")).toBe(
        Redacted.value(Option.getOrThrow(result.session.token.idToken))
      )
    }))
})
