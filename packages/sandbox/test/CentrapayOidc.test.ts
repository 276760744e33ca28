import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as jose from "jose"
import * as crypto from "node:crypto"
import * as nodeHttp from "node:http"
import * as Centrapay from "../src/Centrapay.js"
import * as CentrapayOidc from "../src/CentrapayOidc.js"
import { postForm, send } from "./_helpers.js"

/** A PKCE pair (RFC 7636): a random verifier and its S256 challenge. */
const pkce = () => {
  const verifier = crypto.randomBytes(32).toString("base64url")
  return { verifier, challenge: crypto.createHash("sha256").update(verifier).digest("base64url") }
}

const callback = "http://127.0.0.1:43123/oidc-callback"

/** The authorization URL a client would build (code flow, PKCE S256, scope openid). */
const authorizationUrl = (
  oidc: CentrapayOidc.CentrapayOidc,
  params: Record<string, string | undefined> = {}
): { readonly url: string; readonly verifier: string } => {
  const { challenge, verifier } = pkce()
  const all: Record<string, string | undefined> = {
    client_id: oidc.clientId,
    response_type: "code",
    scope: "openid",
    redirect_uri: callback,
    state: "state-1",
    nonce: "nonce-1",
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...params
  }
  const url = new URL(`${oidc.issuer}/auth`)
  for (const [key, value] of Object.entries(all)) if (value !== undefined) url.searchParams.set(key, value)
  return { url: url.href, verifier }
}

/** Logs in and returns the code and the verifier that goes with it. */
const loginForCode = (oidc: CentrapayOidc.CentrapayOidc, options: CentrapayOidc.LoginOptions = {}) =>
  Effect.gen(function*() {
    const { url, verifier } = authorizationUrl(oidc)
    const redirect = yield* oidc.login(url, options)
    const code = redirect.searchParams.get("code")
    expect(code, redirect.href).not.toBeNull()
    return { code: code ?? "", verifier }
  })

const tokenRequest = (oidc: CentrapayOidc.CentrapayOidc, params: Record<string, string>) =>
  send(postForm(`${oidc.issuer}/token`, { client_id: oidc.clientId, ...params }))

const exchangeCode = (oidc: CentrapayOidc.CentrapayOidc, code: string, verifier: string) =>
  tokenRequest(oidc, { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: callback })

const tokens = (oidc: CentrapayOidc.CentrapayOidc, options: CentrapayOidc.LoginOptions = {}) =>
  Effect.gen(function*() {
    const { code, verifier } = yield* loginForCode(oidc, options)
    const reply = yield* exchangeCode(oidc, code, verifier)
    expect(reply.status, reply.text).toBe(200)
    return reply.body as { access_token: string; refresh_token: string; id_token: string; expires_in: number }
  })

const memberships = (oidc: CentrapayOidc.CentrapayOidc, headers: Record<string, string>) =>
  send(HttpClientRequest.get(`${oidc.apiBaseUrl}${Centrapay.resourcePath}`).pipe(HttpClientRequest.setHeaders(headers)))

const http = Effect.provide(FetchHttpClient.layer)

describe("CentrapayOidc", () => {
  it.scoped("publishes discovery like Centrapay's server: code + PKCE S256, no userinfo, end_session", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      expect(oidc.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(oidc.apiBaseUrl).toBe(oidc.issuer)
      expect(oidc.clientId).toBe("7mapl0nqonkgl5vfeb3cf86miu")
      const reply = yield* send(HttpClientRequest.get(`${oidc.issuer}/.well-known/openid-configuration`))
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({
        issuer: oidc.issuer,
        authorization_endpoint: `${oidc.issuer}/auth`,
        token_endpoint: `${oidc.issuer}/token`,
        jwks_uri: `${oidc.issuer}/jwks`,
        end_session_endpoint: `${oidc.issuer}/session/end`,
        revocation_endpoint: `${oidc.issuer}/token/revocation`,
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
        grant_types_supported: expect.arrayContaining(["authorization_code", "refresh_token"]),
        scopes_supported: expect.arrayContaining(["openid"]),
        claims_supported: expect.arrayContaining([
          "sub",
          "email",
          "email_verified",
          "phone_number",
          "phone_number_verified",
          "given_name",
          "family_name",
          "preferred_username"
        ])
      })
      expect(reply.body).not.toHaveProperty("userinfo_endpoint")
      expect((yield* send(HttpClientRequest.get(`${oidc.issuer}/me`))).status).toBe(404)
    }).pipe(http))

  it.scoped("logs in with code + PKCE and issues access, refresh and ID tokens for scope openid", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      const { url, verifier } = authorizationUrl(oidc)
      const redirect = yield* oidc.login(url)
      expect(`${redirect.origin}${redirect.pathname}`).toBe(callback)
      expect(redirect.searchParams.get("state")).toBe("state-1")
      expect(redirect.searchParams.get("iss")).toBe(oidc.issuer)

      const reply = yield* exchangeCode(oidc, redirect.searchParams.get("code") ?? "", verifier)
      expect(reply.status, reply.text).toBe(200)
      expect(reply.body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "openid" })
      const body = reply.body as { access_token: string; refresh_token: string; id_token: string }
      expect(typeof body.refresh_token).toBe("string")

      const keys = jose.createRemoteJWKSet(new URL(`${oidc.issuer}/jwks`))
      const idToken = yield* Effect.promise(() =>
        jose.jwtVerify(body.id_token, keys, { issuer: oidc.issuer, audience: oidc.clientId })
      )
      expect(idToken.payload).toMatchObject({
        sub: "user-1",
        nonce: "nonce-1",
        email: "jane.doe@example.com",
        email_verified: true,
        phone_number: "+6421234567890",
        phone_number_verified: true,
        given_name: "Jane",
        family_name: "Doe",
        preferred_username: "janedoe"
      })
      expect((idToken.payload.exp ?? 0) - (idToken.payload.iat ?? 0)).toBe(3600)

      const accessToken = yield* Effect.promise(() =>
        jose.jwtVerify(body.access_token, keys, { issuer: oidc.issuer, audience: oidc.resource, typ: "at+jwt" })
      )
      expect(accessToken.payload).toMatchObject({
        sub: "user-1",
        client_id: oidc.clientId,
        aud: "https://service.centrapay.com",
        scope: "openid"
      })
      expect((accessToken.payload.exp ?? 0) - (accessToken.payload.iat ?? 0)).toBe(3600)
    }).pipe(http))

  it.scoped("accepts the access token RAW in Authorization, and refuses it with a Bearer prefix", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      const { access_token } = yield* tokens(oidc)
      const ok = yield* memberships(oidc, { authorization: access_token })
      expect(ok.status).toBe(200)
      expect(ok.body).toMatchObject({ sub: "user-1", auth: "jwt", client_id: oidc.clientId })
      expect(ok.body.items).toHaveLength(1)

      const bearer = yield* memberships(oidc, { authorization: `Bearer ${access_token}` })
      expect(bearer.status).toBe(401)
      expect(bearer.body).toEqual({ message: "Unauthorized" })
      expect((yield* memberships(oidc, {})).status).toBe(401)
      // A valid-looking JWT with a broken signature.
      const [header, payload] = access_token.split(".")
      expect((yield* memberships(oidc, { authorization: `${header}.${payload}.c2lnbmF0dXJl` })).status).toBe(401)
      expect((yield* oidc.counters).unauthorizedByReason).toEqual({ malformed: 1, missing: 1, invalid: 1 })
    }).pipe(http))

  it.scoped("requires PKCE at /auth: no code_challenge, or method plain, is an error redirect", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      const missing = yield* oidc.login(
        authorizationUrl(oidc, { code_challenge: undefined, code_challenge_method: undefined }).url
      )
      expect(missing.searchParams.get("error")).toBe("invalid_request")
      expect(missing.searchParams.get("error_description")).toMatch(/PKCE/)
      expect(missing.searchParams.has("code")).toBe(false)
      const plain = yield* oidc.login(authorizationUrl(oidc, { code_challenge_method: "plain" }).url)
      expect(plain.searchParams.get("error")).toBe("invalid_request")
    }).pipe(http))

  it.scoped("refuses a wrong code_verifier and a replayed code with invalid_grant", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      const first = yield* loginForCode(oidc)
      const wrong = yield* exchangeCode(oidc, first.code, pkce().verifier)
      expect(wrong.status).toBe(400)
      expect(wrong.body.error).toBe("invalid_grant")
      const missing = yield* tokenRequest(oidc, {
        grant_type: "authorization_code",
        code: first.code,
        redirect_uri: callback
      })
      expect(missing.body.error).toBe("invalid_grant")

      const second = yield* loginForCode(oidc)
      expect((yield* exchangeCode(oidc, second.code, second.verifier)).status).toBe(200)
      const replay = yield* exchangeCode(oidc, second.code, second.verifier)
      expect(replay.status).toBe(400)
      expect(replay.body.error).toBe("invalid_grant")
    }).pipe(http))

  it.scoped("rotates the refresh token on every use; replaying a used one is invalid_grant and revokes the grant", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      const first = yield* tokens(oidc)
      const refreshed = yield* tokenRequest(oidc, { grant_type: "refresh_token", refresh_token: first.refresh_token })
      expect(refreshed.status, refreshed.text).toBe(200)
      expect(refreshed.body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "openid" })
      expect(refreshed.body.refresh_token).not.toBe(first.refresh_token)
      expect(typeof refreshed.body.id_token).toBe("string")
      expect((yield* memberships(oidc, { authorization: refreshed.body.access_token })).status).toBe(200)

      const replay = yield* tokenRequest(oidc, { grant_type: "refresh_token", refresh_token: first.refresh_token })
      expect(replay.status).toBe(400)
      expect(replay.body.error).toBe("invalid_grant")
      // Reuse detection revokes the grant: the rotated token and the grant's access tokens die too.
      const next = yield* tokenRequest(oidc, {
        grant_type: "refresh_token",
        refresh_token: refreshed.body.refresh_token
      })
      expect(next.body.error).toBe("invalid_grant")
      const api = yield* memberships(oidc, { authorization: refreshed.body.access_token })
      expect(api.status).toBe(401)
      expect((yield* oidc.counters).unauthorizedByReason).toEqual({ revoked: 1 })
    }).pipe(http))

  it.scoped("rotateRefreshToken: false keeps one refresh token for the grant", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start({ rotateRefreshToken: false })
      const first = yield* tokens(oidc)
      for (let i = 0; i < 2; i++) {
        const reply = yield* tokenRequest(oidc, { grant_type: "refresh_token", refresh_token: first.refresh_token })
        expect(reply.status, reply.text).toBe(200)
        expect(reply.body.refresh_token).toBe(first.refresh_token)
      }
    }).pipe(http))

  it.scoped("takes TTLs as seconds or durations", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start({
        accessTokenTtl: 5,
        idTokenTtl: "7 seconds",
        refreshTokenTtl: "1 minute"
      })
      const body = yield* tokens(oidc)
      expect(body.expires_in).toBe(5)
      const id = jose.decodeJwt(body.id_token)
      expect((id.exp ?? 0) - (id.iat ?? 0)).toBe(7)
      const at = jose.decodeJwt(body.access_token)
      expect((at.exp ?? 0) - (at.iat ?? 0)).toBe(5)
      const exit = yield* Effect.exit(CentrapayOidc.start({ accessTokenTtl: 0 }))
      expect(Exit.isFailure(exit)).toBe(true)
    }).pipe(http))

  it.scoped("accepts loopback redirect URIs on any port and the app scheme for the native client", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      for (
        const redirectUri of [
          "http://127.0.0.1:51234/oidc-callback",
          "http://127.0.0.1/oidc-callback",
          "http://localhost:8080/oidc-callback",
          "com.example.yourapp://oidc-callback",
          "https://yourapp.example.com/oidc-callback"
        ]
      ) {
        const redirect = yield* oidc.login(authorizationUrl(oidc, { redirect_uri: redirectUri }).url)
        expect(redirect.href.startsWith(`${redirectUri}?`), redirect.href).toBe(true)
        expect(redirect.searchParams.has("code")).toBe(true)
      }
      // Another path is not registered: the server shows an error page instead of redirecting.
      const wrongPath = yield* Effect.flip(
        oidc.login(authorizationUrl(oidc, { redirect_uri: "http://127.0.0.1:51234/other" }).url)
      )
      expect(wrongPath).toMatchObject({ _tag: "LoginError", reason: "ErrorPage", status: 400 })
      expect(wrongPath.message).toMatch(/redirect_uri/)
    }).pipe(http))

  it.scoped("signIn follows the redirect to the application as a browser would; an app scheme is not fetched", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      const hits: Array<string> = []
      const app = nodeHttp.createServer((req, res) => {
        hits.push(req.url ?? "")
        res.end("signed in")
      })
      yield* Effect.acquireRelease(
        Effect.promise(() => new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve))),
        () => Effect.promise(() => new Promise<void>((resolve) => app.close(() => resolve())))
      )
      const port = (app.address() as { port: number }).port
      const redirect = yield* oidc.signIn(
        authorizationUrl(oidc, { redirect_uri: `http://127.0.0.1:${port}/oidc-callback` }).url
      )
      expect(hits).toEqual([`${redirect.pathname}${redirect.search}`])
      expect(redirect.searchParams.has("code")).toBe(true)
      const app2 = yield* oidc.signIn(
        authorizationUrl(oidc, { redirect_uri: "com.example.yourapp://oidc-callback" }).url
      )
      expect(app2.protocol).toBe("com.example.yourapp:")
      expect(hits).toHaveLength(1)
    }).pipe(http))

  it.scoped("signInAt signs in knowing only the authorization URL (a provider in another process)", () =>
    Effect.gen(function*() {
      const second: CentrapayOidc.User = { sub: "user-2", phone_number: "+6420000000002" }
      const oidc = yield* CentrapayOidc.start({ users: [CentrapayOidc.defaultUser, second] })
      const hits: Array<string> = []
      const app = nodeHttp.createServer((req, res) => {
        hits.push(req.url ?? "")
        res.end("signed in")
      })
      yield* Effect.acquireRelease(
        Effect.promise(() => new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve))),
        () => Effect.promise(() => new Promise<void>((resolve) => app.close(() => resolve())))
      )
      const redirectUri = `http://127.0.0.1:${(app.address() as { port: number }).port}/oidc-callback`
      const { url, verifier } = authorizationUrl(oidc, { redirect_uri: redirectUri })
      const redirect = yield* CentrapayOidc.signInAt(url)
      expect(hits).toEqual([`${redirect.pathname}${redirect.search}`])
      const reply = yield* tokenRequest(oidc, {
        grant_type: "authorization_code",
        code: redirect.searchParams.get("code") ?? "",
        code_verifier: verifier,
        redirect_uri: redirectUri
      })
      expect(reply.status, reply.text).toBe(200)
      expect(jose.decodeJwt(reply.body.id_token).sub).toBe("user-1") // the default user
      const asSecond = yield* CentrapayOidc.signInAt(
        authorizationUrl(oidc, { redirect_uri: redirectUri }).url,
        { user: "user-2" }
      )
      expect(asSecond.searchParams.has("code")).toBe(true)
      expect(hits).toHaveLength(2)

      const unknown = yield* Effect.flip(CentrapayOidc.signInAt(authorizationUrl(oidc).url, { user: "nobody" }))
      expect(unknown).toMatchObject({ _tag: "LoginError", reason: "UnknownUser" })
      const notUrl = yield* Effect.flip(CentrapayOidc.signInAt("not a url"))
      expect(notUrl).toMatchObject({ _tag: "LoginError", reason: "NotIssuer" })
    }).pipe(http))

  it.scoped("starts on a given port; a port already taken fails with reason Listen", () =>
    Effect.gen(function*() {
      const first = yield* CentrapayOidc.start()
      const port = Number(new URL(first.issuer).port)
      const taken = yield* Effect.flip(CentrapayOidc.start({ port }))
      expect(taken).toMatchObject({ _tag: "OidcServerError", reason: "Listen" })
      const free = yield* Effect.promise(() =>
        new Promise<number>((resolve) => {
          const probe = nodeHttp.createServer().listen(0, "127.0.0.1", () => {
            const { port } = probe.address() as { port: number }
            probe.close(() => resolve(port))
          })
        })
      )
      const fixed = yield* CentrapayOidc.start({ port: free })
      expect(fixed.issuer).toBe(`http://127.0.0.1:${free}`)
      const discovery = yield* send(HttpClientRequest.get(`${fixed.issuer}/.well-known/openid-configuration`))
      expect(discovery.body.issuer).toBe(fixed.issuer)
      const invalid = yield* Effect.flip(CentrapayOidc.start({ port: 70000 }))
      expect(invalid).toMatchObject({ _tag: "OidcServerError", reason: "Listen" })
    }).pipe(http))

  it.scoped("matches a web client's redirect URI exactly", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      const web = { client_id: CentrapayOidc.webClientId }
      const ok = yield* oidc.login(
        authorizationUrl(oidc, { ...web, redirect_uri: "https://yourapp.example.com/oidc-callback" }).url
      )
      expect(ok.searchParams.has("code")).toBe(true)
      const other = yield* Effect.flip(
        oidc.login(
          authorizationUrl(oidc, { ...web, redirect_uri: "https://yourapp.example.com:8443/oidc-callback" }).url
        )
      )
      expect(other.reason).toBe("ErrorPage")
    }).pipe(http))

  it.scoped("logs in by sub, email, phone number or the docs' `u` parameter; an unknown user fails loudly", () =>
    Effect.gen(function*() {
      const second: CentrapayOidc.User = { sub: "user-2", phone_number: "+6420000000002" }
      const oidc = yield* CentrapayOidc.start({ users: [CentrapayOidc.defaultUser, second] })
      const subOf = (t: { id_token: string }) => jose.decodeJwt(t.id_token).sub
      expect(subOf(yield* tokens(oidc))).toBe("user-1")
      expect(subOf(yield* tokens(oidc, { user: "user-2" }))).toBe("user-2")
      expect(subOf(yield* tokens(oidc, { user: "JANE.DOE@example.com" }))).toBe("user-1")
      expect(subOf(yield* tokens(oidc, { user: "+6420000000002" }))).toBe("user-2")

      const { url, verifier } = authorizationUrl(oidc, { u: "+6420000000002" })
      const redirect = yield* oidc.login(url)
      const reply = yield* exchangeCode(oidc, redirect.searchParams.get("code") ?? "", verifier)
      const claims = jose.decodeJwt(reply.body.id_token)
      expect(claims.sub).toBe("user-2")
      expect(claims).not.toHaveProperty("email")
      expect(claims.phone_number).toBe("+6420000000002")

      const unknown = yield* Effect.flip(oidc.login(authorizationUrl(oidc).url, { user: "user-3" }))
      expect(unknown).toMatchObject({ _tag: "LoginError", reason: "UnknownUser" })
      expect(unknown.message).toMatch(/"user-3"/)
    }).pipe(http))

  it.scoped("revokeAccessTokens refuses every access token issued so far, not later ones", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      const before = yield* tokens(oidc)
      expect((yield* memberships(oidc, { authorization: before.access_token })).status).toBe(200)
      yield* oidc.revokeAccessTokens
      expect((yield* memberships(oidc, { authorization: before.access_token })).status).toBe(401)
      const refreshed = yield* tokenRequest(oidc, { grant_type: "refresh_token", refresh_token: before.refresh_token })
      expect((yield* memberships(oidc, { authorization: refreshed.body.access_token })).status).toBe(200)
      expect((yield* oidc.counters).unauthorizedByReason).toEqual({ revoked: 1 })
    }).pipe(http))

  it.scoped("revoking the refresh token at the revocation endpoint revokes the grant's access tokens", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      const issued = yield* tokens(oidc)
      const revoked = yield* send(postForm(`${oidc.issuer}/token/revocation`, {
        client_id: oidc.clientId,
        token: issued.refresh_token,
        token_type_hint: "refresh_token"
      }))
      expect(revoked.status).toBe(200)
      const refresh = yield* tokenRequest(oidc, { grant_type: "refresh_token", refresh_token: issued.refresh_token })
      expect(refresh.body.error).toBe("invalid_grant")
      expect((yield* memberships(oidc, { authorization: issued.access_token })).status).toBe(401)
    }).pipe(http))

  it.scoped("accepts the documented test merchant API key in X-Api-Key on the same server", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      const ok = yield* memberships(oidc, { "X-Api-Key": Centrapay.testMerchantApiKey })
      expect(ok.status).toBe(200)
      expect(ok.body).toMatchObject({ auth: "api-key", api_key: Centrapay.testMerchantKeyName })
      const unknown = yield* memberships(oidc, { "X-Api-Key": "nope" })
      expect(unknown.status).toBe(401)
      expect((yield* memberships(oidc, { "X-Api-Key": "f32c5497297084e5354b47c40d5ccacb109ce483" })).status).toBe(200)
      expect((yield* send(HttpClientRequest.get(`${oidc.apiBaseUrl}/api/other`))).status).toBe(404)
    }).pipe(http))

  it.scoped("counts authorization, token and resource requests exactly", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      const issued = yield* tokens(oidc)
      yield* tokenRequest(oidc, { grant_type: "refresh_token", refresh_token: issued.refresh_token })
      yield* tokenRequest(oidc, { grant_type: "refresh_token", refresh_token: "unknown" })
      yield* tokenRequest(oidc, { grant_type: "client_credentials" })
      yield* memberships(oidc, { authorization: issued.access_token })
      yield* memberships(oidc, { "x-api-key": Centrapay.testMerchantApiKey })
      yield* memberships(oidc, { authorization: `Bearer ${issued.access_token}` })
      expect(yield* oidc.counters).toEqual(
        {
          authorizationRequests: 1,
          tokenRequests: 4,
          tokenRequestsByGrantType: { authorization_code: 1, refresh_token: 2, client_credentials: 1 },
          tokensIssued: 2,
          tokenErrors: { invalid_grant: 1, unsupported_grant_type: 1 },
          resourceRequests: 3,
          resourceRequestsByOutcome: { access_token: 1, api_key: 1, unauthorized: 1 },
          unauthorizedByReason: { malformed: 1 }
        } satisfies CentrapayOidc.Counters
      )
      yield* oidc.resetCounters
      expect((yield* oidc.counters).tokenRequests).toBe(0)
    }).pipe(http))

  it.scoped("allows the registered post_logout_redirect_uris at the end_session_endpoint", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      const endSession = (uri: string) =>
        send(
          HttpClientRequest.get(`${oidc.issuer}/session/end`).pipe(HttpClientRequest.setUrlParams({
            client_id: oidc.clientId,
            post_logout_redirect_uri: uri,
            state: "bye"
          }))
        )
      expect((yield* endSession("http://127.0.0.1:50000/oidc-logout")).status).toBe(200)
      expect((yield* endSession("com.example.yourapp://oidc-logout")).status).toBe(200)
      expect((yield* endSession("https://evil.example.com/oidc-logout")).status).toBe(400)
    }).pipe(http))

  it.scoped("answers CORS preflights from a loopback origin of the native client", () =>
    Effect.gen(function*() {
      const oidc = yield* CentrapayOidc.start()
      const preflight = (origin: string) =>
        send(
          HttpClientRequest.make("OPTIONS")(`${oidc.apiBaseUrl}${Centrapay.resourcePath}`).pipe(
            HttpClientRequest.setHeaders({
              origin,
              "access-control-request-method": "GET",
              "access-control-request-headers": "authorization"
            })
          )
        )
      const allowed = yield* preflight("http://127.0.0.1:5173")
      expect(allowed.status).toBe(204)
      expect(allowed.headers["access-control-allow-origin"]).toBe("http://127.0.0.1:5173")
      expect(allowed.headers["access-control-allow-headers"]).toContain("authorization")
      const other = yield* preflight("https://evil.example.com")
      expect(other.headers["access-control-allow-origin"]).toBeUndefined()
    }).pipe(http))

  it.scoped("webOrigins: the web client gets the origin's callback and logout URIs and CORS on token, revocation and API", () =>
    Effect.gen(function*() {
      const app = "http://127.0.0.1:5174"
      const oidc = yield* CentrapayOidc.start({ webOrigins: [app] })
      const web = oidc.clients.find((client) => client.clientId === CentrapayOidc.webClientId)!
      expect(web.applicationType).toBe("web")
      expect(web.redirectUris).toContain(`${app}/oidc-callback`)
      expect(web.postLogoutRedirectUris).toContain(`${app}/oidc-logout`)
      expect(CentrapayOidc.webRedirectUris(`${app}/some/page`)).toEqual({
        redirectUri: `${app}/oidc-callback`,
        postLogoutRedirectUri: `${app}/oidc-logout`
      })
      const preflight = (url: string, origin: string, method: string) =>
        send(
          HttpClientRequest.make("OPTIONS")(url).pipe(
            HttpClientRequest.setHeaders({
              origin,
              "access-control-request-method": method,
              "access-control-request-headers": method === "GET" ? "authorization" : "content-type"
            })
          )
        )
      // oidc-provider answers client-based CORS on the actual request (it needs the client id);
      // a preflight is allowed for any origin, the POST is then checked.
      for (const path of ["/token", "/token/revocation"]) {
        const allowed = yield* send(
          HttpClientRequest.post(`${oidc.issuer}${path}`).pipe(
            HttpClientRequest.setHeaders({ origin: app }),
            HttpClientRequest.bodyUrlParams({ client_id: CentrapayOidc.webClientId, token: "x", grant_type: "x" })
          )
        )
        expect(allowed.headers["access-control-allow-origin"]).toBe(app)
        const foreign = yield* send(
          HttpClientRequest.post(`${oidc.issuer}${path}`).pipe(
            HttpClientRequest.setHeaders({ origin: "https://evil.example.com" }),
            HttpClientRequest.bodyUrlParams({ client_id: CentrapayOidc.webClientId, token: "x", grant_type: "x" })
          )
        )
        expect(foreign.headers["access-control-allow-origin"]).toBeUndefined()
      }
      const api = yield* preflight(`${oidc.apiBaseUrl}${Centrapay.resourcePath}`, app, "GET")
      expect(api.headers["access-control-allow-origin"]).toBe(app)
      const invalid = yield* Effect.flip(CentrapayOidc.start({ webOrigins: ["not a url"] }))
      expect(invalid.message).toMatch(/webOrigins/)
    }).pipe(http))

  it.scoped("refuses users without email and phone number, and duplicate subs", () =>
    Effect.gen(function*() {
      const noContact = yield* Effect.flip(CentrapayOidc.start({ users: [{ sub: "x" }] }))
      expect(noContact.message).toMatch(/email or a phone_number/)
      const duplicate = yield* Effect.flip(CentrapayOidc.start({
        users: [CentrapayOidc.defaultUser, CentrapayOidc.defaultUser]
      }))
      expect(duplicate.message).toMatch(/duplicate/)
    }))

  it.effect("closing the scope closes the server", () =>
    Effect.gen(function*() {
      const issuer = yield* Effect.scoped(Effect.gen(function*() {
        const oidc = yield* CentrapayOidc.start()
        yield* tokens(oidc) // leaves keep-alive connections open
        return oidc.issuer
      }))
      const result = yield* Effect.either(Effect.tryPromise(() => fetch(`${issuer}/.well-known/openid-configuration`)))
      expect(result._tag).toBe("Left")
    }).pipe(http))
})
