import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted, Schema } from "effect"
import * as AuthorizationCode from "../src/AuthorizationCode.js"
import * as Pkce from "../src/Pkce.js"

const authorizationEndpoint = "https://auth.example.com/oauth/authorize"
const clientId = "client-1"
const webRedirect = "https://yourapp.example.com/oidc-callback"
const appRedirect = "com.example.yourapp://oidc-callback"
const loopbackRedirect = "http://127.0.0.1:51234/oidc-callback"
const issuer = "https://auth.example.com"

const request = (options: Partial<AuthorizationCode.AuthorizationUrlOptions> = {}) =>
  AuthorizationCode.authorizationUrl({ authorizationEndpoint, clientId, redirectUri: webRedirect, ...options })

/** Every value of every parameter, to check none appears twice. */
const all = (url: URL) => [...url.searchParams.entries()]

describe("AuthorizationCode.authorizationUrl", () => {
  it.effect("uses a state chosen in advance (a loopback listener must know it) and still a fresh nonce", () =>
    Effect.gen(function*() {
      const req = yield* request({ state: "chosen-state-1" })
      expect(req.state).toBe("chosen-state-1")
      expect(req.url.searchParams.get("state")).toBe("chosen-state-1")
      expect(req.nonce).not.toBe("chosen-state-1")
      expect(req.nonce.length).toBe(43)
    }))

  it.effect("carries response_type=code, client_id, redirect_uri, scope, state, nonce and an S256 challenge", () =>
    Effect.gen(function*() {
      const req = yield* request({ scope: ["profile", "email"] })
      const params = req.url.searchParams
      expect(`${req.url.origin}${req.url.pathname}`).toBe(authorizationEndpoint)
      expect(params.get("response_type")).toBe("code")
      expect(params.get("client_id")).toBe(clientId)
      expect(params.get("redirect_uri")).toBe(webRedirect)
      expect(params.get("scope")).toBe("openid profile email")
      expect(params.get("state")).toBe(req.state)
      expect(params.get("nonce")).toBe(req.nonce)
      expect(params.get("code_challenge_method")).toBe("S256")
      expect(params.get("code_challenge")).toBe(yield* Pkce.challengeOf(req.codeVerifier))
      expect(req.redirectUri).toBe(webRedirect)
      expect(req.scopes).toEqual(["openid", "profile", "email"])
    }))

  it.effect("draws state, nonce and verifier of 256 random bits, fresh for every request", () =>
    Effect.gen(function*() {
      const a = yield* request()
      const b = yield* request()
      for (const req of [a, b]) {
        expect(req.state).toMatch(/^[A-Za-z0-9_-]{43}$/)
        expect(req.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/)
        expect(Pkce.isValidVerifier(Redacted.value(req.codeVerifier))).toBe(true)
        expect(req.state).not.toBe(req.nonce)
      }
      expect(a.state).not.toBe(b.state)
      expect(a.nonce).not.toBe(b.nonce)
      expect(Redacted.value(a.codeVerifier)).not.toBe(Redacted.value(b.codeVerifier))
    }))

  it.effect("never puts the PKCE verifier in the URL", () =>
    Effect.gen(function*() {
      const req = yield* request()
      expect(req.url.href).not.toContain(Redacted.value(req.codeVerifier))
    }))

  it.effect("sends a web URL, an app scheme and a loopback redirect URI as given, percent-encoded", () =>
    Effect.gen(function*() {
      for (const redirectUri of [webRedirect, appRedirect, loopbackRedirect]) {
        const req = yield* request({ redirectUri })
        expect(req.url.searchParams.get("redirect_uri")).toBe(redirectUri)
        expect(req.url.search).toContain(`redirect_uri=${encodeURIComponent(redirectUri)}`)
        expect(req.redirectUri).toBe(redirectUri)
      }
    }))

  it.effect("asks for openid alone when no scope is given", () =>
    Effect.gen(function*() {
      const req = yield* request()
      expect(req.url.searchParams.get("scope")).toBe("openid")
      expect(req.scopes).toEqual(["openid"])
    }))

  it.effect("puts openid first and drops duplicate and empty scopes, in the URL and in the request", () =>
    Effect.gen(function*() {
      const req = yield* request({ scope: ["profile", "openid", "", "email", "profile", "openid"] })
      expect(req.url.searchParams.get("scope")).toBe("openid profile email")
      expect(req.scopes).toEqual(["openid", "profile", "email"])
    }))

  it.effect("adds the Centrapay phone prefill u=+6421234567890, with the + percent-encoded", () =>
    Effect.gen(function*() {
      const req = yield* request({ redirectUri: appRedirect, extraParams: { u: "+6421234567890" } })
      expect(req.url.searchParams.get("u")).toBe("+6421234567890")
      expect(req.url.search).toContain("u=%2B6421234567890")
    }))

  it.effect("leaves empty extra parameters out", () =>
    Effect.gen(function*() {
      const req = yield* request({ extraParams: { prompt: "", login_hint: "jane@example.com", u: "" } })
      expect(req.url.searchParams.has("prompt")).toBe(false)
      expect(req.url.searchParams.has("u")).toBe(false)
      expect(req.url.searchParams.get("login_hint")).toBe("jane@example.com")
      expect(req.url.search).not.toMatch(/=(&|$)/)
    }))

  it.effect("does not let extra parameters override the ones it sets", () =>
    Effect.gen(function*() {
      const req = yield* request({
        extraParams: {
          response_type: "token",
          client_id: "evil",
          redirect_uri: "https://evil.example/cb",
          scope: "admin",
          state: "fixed-state",
          nonce: "fixed-nonce",
          code_challenge: "attacker-challenge",
          code_challenge_method: "plain",
          prompt: "login"
        }
      })
      const params = req.url.searchParams
      expect(params.get("response_type")).toBe("code")
      expect(params.get("client_id")).toBe(clientId)
      expect(params.get("redirect_uri")).toBe(webRedirect)
      expect(params.get("scope")).toBe("openid")
      expect(params.get("state")).toBe(req.state)
      expect(params.get("nonce")).toBe(req.nonce)
      expect(params.get("code_challenge")).toBe(yield* Pkce.challengeOf(req.codeVerifier))
      expect(params.get("code_challenge_method")).toBe("S256")
      expect(params.get("prompt")).toBe("login")
      const names = all(req.url).map(([name]) => name)
      expect(names.length).toBe(new Set(names).size)
    }))

  it.effect("keeps the endpoint's own query parameters and replaces any reserved one it carries", () =>
    Effect.gen(function*() {
      const req = yield* request({
        authorizationEndpoint: "https://login.example.com/tenant/authorize?p=b2c_1_signin&response_type=token"
      })
      expect(req.url.searchParams.get("p")).toBe("b2c_1_signin")
      expect(req.url.searchParams.getAll("response_type")).toEqual(["code"])
      expect(req.url.pathname).toBe("/tenant/authorize")
    }))
})

describe("AuthorizationCode.validateCallback", () => {
  const callbackFor = (req: AuthorizationCode.AuthorizationRequest, params: Record<string, string>) => {
    const url = new URL(req.redirectUri)
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
    return url
  }

  const refused = (
    req: AuthorizationCode.AuthorizationRequest,
    callback: string | URL | URLSearchParams,
    options?: { readonly issuer?: string; readonly requireIss?: boolean }
  ) => Effect.flip(AuthorizationCode.validateCallback(req, callback, options))

  it.effect("yields the code, Redacted, when the state matches", () =>
    Effect.gen(function*() {
      const req = yield* request()
      const code = yield* AuthorizationCode.validateCallback(
        req,
        callbackFor(req, { code: "c0de-1", state: req.state })
      )
      expect(Redacted.value(code)).toBe("c0de-1")
      expect(String(code)).not.toContain("c0de-1")
      expect(JSON.stringify(code)).not.toContain("c0de-1")
    }))

  it.effect("accepts a URL, a string URL, a request target, a query string with or without ? and URLSearchParams", () =>
    Effect.gen(function*() {
      const req = yield* request()
      const url = callbackFor(req, { code: "c0de-1", state: req.state })
      const forms: ReadonlyArray<string | URL | URLSearchParams> = [
        url,
        url.href,
        `${url.pathname}${url.search}`,
        url.search,
        url.search.slice(1),
        new URLSearchParams(url.search)
      ]
      for (const form of forms) {
        const code = yield* AuthorizationCode.validateCallback(req, form)
        expect(Redacted.value(code), String(form)).toBe("c0de-1")
      }
    }))

  it.effect("accepts a callback on an app scheme redirect URI", () =>
    Effect.gen(function*() {
      const req = yield* request({ redirectUri: appRedirect })
      const callback = `${appRedirect}?code=app-code&state=${req.state}`
      expect(Redacted.value(yield* AuthorizationCode.validateCallback(req, callback))).toBe("app-code")
    }))

  it.effect("refuses a callback with another state as StateMismatch", () =>
    Effect.gen(function*() {
      const req = yield* request()
      const other = yield* Pkce.randomToken()
      for (const state of [other, req.state.slice(1), req.state + "x", ""]) {
        const error = yield* refused(req, callbackFor(req, { code: "c", state }))
        expect(error._tag).toBe("AuthorizationError")
        expect(error.reason).toBe("StateMismatch")
      }
    }))

  it.effect("refuses a callback without state as StateMismatch", () =>
    Effect.gen(function*() {
      const req = yield* request()
      const error = yield* refused(req, callbackFor(req, { code: "c" }))
      expect(error.reason).toBe("StateMismatch")
      expect(error.message).toContain("state")
    }))

  it.effect("checks the state before reporting an error response: a forged error is StateMismatch", () =>
    Effect.gen(function*() {
      const req = yield* request()
      const error = yield* refused(
        req,
        callbackFor(req, { error: "access_denied", error_description: "forged", state: "not-the-state" })
      )
      expect(error.reason).toBe("StateMismatch")
      expect(error.error).toEqual(Option.none())
      expect(error.errorDescription).toEqual(Option.none())
      const noState = yield* refused(req, callbackFor(req, { error: "access_denied" }))
      expect(noState.reason).toBe("StateMismatch")
    }))

  it.effect("refuses an iss naming another issuer as IssuerMismatch (RFC 9207)", () =>
    Effect.gen(function*() {
      const req = yield* request()
      const callback = callbackFor(req, { code: "c", state: req.state, iss: "https://evil.example.com" })
      const error = yield* refused(req, callback, { issuer })
      expect(error.reason).toBe("IssuerMismatch")
      const trailing = callbackFor(req, { code: "c", state: req.state, iss: issuer + "/" })
      expect((yield* refused(req, trailing, { issuer })).reason).toBe("IssuerMismatch")
    }))

  it.effect("accepts the expected iss, and a missing iss unless it is required", () =>
    Effect.gen(function*() {
      const req = yield* request()
      const withIss = callbackFor(req, { code: "c", state: req.state, iss: issuer })
      expect(Redacted.value(yield* AuthorizationCode.validateCallback(req, withIss, { issuer, requireIss: true })))
        .toBe("c")
      const withoutIss = callbackFor(req, { code: "c", state: req.state })
      expect(Redacted.value(yield* AuthorizationCode.validateCallback(req, withoutIss, { issuer }))).toBe("c")
    }))

  it.effect("refuses a missing iss when the provider advertises it (requireIss) as IssuerMismatch", () =>
    Effect.gen(function*() {
      const req = yield* request()
      const error = yield* refused(req, callbackFor(req, { code: "c", state: req.state }), { issuer, requireIss: true })
      expect(error.reason).toBe("IssuerMismatch")
    }))

  it.effect("checks iss before reporting an error response", () =>
    Effect.gen(function*() {
      const req = yield* request()
      const callback = callbackFor(req, { error: "access_denied", state: req.state, iss: "https://evil.example.com" })
      expect((yield* refused(req, callback, { issuer })).reason).toBe("IssuerMismatch")
    }))

  it.effect("turns error=access_denied with a description into ErrorResponse carrying both", () =>
    Effect.gen(function*() {
      const req = yield* request()
      const callback =
        `${webRedirect}?error=access_denied&error_description=The+user+cancelled+the+login&state=${req.state}`
      const error = yield* refused(req, callback)
      expect(error.reason).toBe("ErrorResponse")
      expect(error.error).toEqual(Option.some("access_denied"))
      expect(error.errorDescription).toEqual(Option.some("The user cancelled the login"))
      expect(error.message).toBe("Authorization failed: access_denied: The user cancelled the login")
    }))

  it.effect("reports an error response without description with its error code alone", () =>
    Effect.gen(function*() {
      const req = yield* request()
      const error = yield* refused(req, callbackFor(req, { error: "login_required", state: req.state, iss: issuer }), {
        issuer
      })
      expect(error.reason).toBe("ErrorResponse")
      expect(error.error).toEqual(Option.some("login_required"))
      expect(error.errorDescription).toEqual(Option.none())
      expect(error.message).toBe("Authorization failed: login_required")
    }))

  it.effect("prefers the error response over a code sent alongside it", () =>
    Effect.gen(function*() {
      const req = yield* request()
      const error = yield* refused(req, callbackFor(req, { error: "server_error", code: "c", state: req.state }))
      expect(error.reason).toBe("ErrorResponse")
    }))

  it.effect("refuses a callback without a code, or with an empty one, as MissingCode", () =>
    Effect.gen(function*() {
      const req = yield* request()
      expect((yield* refused(req, callbackFor(req, { state: req.state }))).reason).toBe("MissingCode")
      expect((yield* refused(req, callbackFor(req, { code: "", state: req.state }))).reason).toBe("MissingCode")
    }))

  it.effect("never puts the code or the state in a refusal", () =>
    Effect.gen(function*() {
      const req = yield* request()
      const error = yield* refused(req, callbackFor(req, { code: "secret-code-123", state: "wrong-state-456" }))
      const text = `${error.message} ${JSON.stringify(error)} ${String(error)}`
      expect(text).not.toContain("secret-code-123")
      expect(text).not.toContain("wrong-state-456")
      expect(text).not.toContain(req.state)
    }))
})

describe("AuthorizationCode.AuthorizationRequest schema", () => {
  it.effect("keeps a request as JSON between the two halves of a login; the callback still checks out", () =>
    Effect.gen(function*() {
      const req = yield* request({ extraParams: { u: "+6421234567890" } })
      const json = JSON.stringify(yield* Schema.encode(AuthorizationCode.AuthorizationRequest)(req))
      const restored = yield* Schema.decodeUnknown(AuthorizationCode.AuthorizationRequest)(JSON.parse(json))
      expect(restored.url.href).toBe(req.url.href)
      expect(restored.state).toBe(req.state)
      expect(restored.nonce).toBe(req.nonce)
      expect(restored.scopes).toEqual(req.scopes)
      expect(Redacted.value(restored.codeVerifier)).toBe(Redacted.value(req.codeVerifier))
      expect(String(restored.codeVerifier)).not.toContain(Redacted.value(req.codeVerifier))
      const code = yield* AuthorizationCode.validateCallback(restored, `${req.redirectUri}?code=c-1&state=${req.state}`)
      expect(Redacted.value(code)).toBe("c-1")
    }))

  it.effect("refuses a kept request that is not one", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Schema.decodeUnknown(AuthorizationCode.AuthorizationRequest)({ url: "not a url", state: "s" })
      )
      expect(error._tag).toBe("ParseError")
    }))
})

describe("AuthorizationCode.endSessionUrl", () => {
  const endSessionEndpoint = "https://auth.example.com/oidc/logout"

  it.effect("carries client_id, id_token_hint, post_logout_redirect_uri and the given state", () =>
    Effect.gen(function*() {
      const end = yield* AuthorizationCode.endSessionUrl({
        endSessionEndpoint,
        clientId,
        idTokenHint: Redacted.make("eyJ.id.token"),
        postLogoutRedirectUri: "https://yourapp.example.com/oidc-logout",
        state: "logout-state"
      })
      const params = end.url.searchParams
      expect(`${end.url.origin}${end.url.pathname}`).toBe(endSessionEndpoint)
      expect(params.get("client_id")).toBe(clientId)
      expect(params.get("id_token_hint")).toBe("eyJ.id.token")
      expect(params.get("post_logout_redirect_uri")).toBe("https://yourapp.example.com/oidc-logout")
      expect(params.get("state")).toBe("logout-state")
      expect(end.state).toBe("logout-state")
    }))

  it.effect("draws a fresh state when none is given", () =>
    Effect.gen(function*() {
      const a = yield* AuthorizationCode.endSessionUrl({ endSessionEndpoint, clientId })
      const b = yield* AuthorizationCode.endSessionUrl({ endSessionEndpoint, clientId })
      expect(a.state).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(a.url.searchParams.get("state")).toBe(a.state)
      expect(a.state).not.toBe(b.state)
    }))

  it.effect("leaves id_token_hint and post_logout_redirect_uri out when not given", () =>
    Effect.gen(function*() {
      const end = yield* AuthorizationCode.endSessionUrl({ endSessionEndpoint, clientId })
      expect([...end.url.searchParams.keys()].sort()).toEqual(["client_id", "state"])
    }))
})
