/**
 * No credential escapes: every failure path of every provider package and of the OIDC client,
 * run with Debug logs and a recording tracer; every error rendered in every way a user prints it
 * (`String`, `.message`, `JSON.stringify`, `util.inspect`, `Cause.pretty`) and everything logged or
 * traced is searched for every secret configured and every token, code and verifier issued in the
 * run, as written and percent-, form- and JSON-encoded (and the Basic credential in base64).
 */
import { AutopayAuth } from "@auth-pipeline/autopay"
import { CentrapayApiKey, CentrapayUser } from "@auth-pipeline/centrapay"
import { type AccessToken, AuthenticatedClient, type ProviderAuth } from "@auth-pipeline/core"
import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
import { PayseraAuth } from "@auth-pipeline/paysera"
import {
  Autopay,
  Centrapay,
  CentrapayOidc,
  Cryptofuse,
  type Emulator,
  Fault,
  InMemory,
  Paysera
} from "@auth-pipeline/sandbox"
import { observe, type Observed, renderings } from "@auth-pipeline/testing/Observe"
import { basicCredentials, leaks } from "@auth-pipeline/testing/Secrets"
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import type { Layer } from "effect"
import { Cause, Effect, Exit, Option, Redacted, TestClock } from "effect"
import { inspect } from "node:util"

const CLIENT_ID = "shop:1"
const SECRET = "Sécret \"q\\uo\"/+=%&: x"
const API_KEY = "f32c5497297084e5354b47c40d5ccacb109ce483"

const configured: ReadonlyArray<readonly [string, string]> = [
  ["client secret", SECRET],
  ["API key", API_KEY],
  ...basicCredentials(CLIENT_ID, SECRET).map((b, i) => [`Basic credential ${i}`, b] as const)
]

/** How the failures are rendered: everything a user may print, and everything logged or traced. */
const renderAll = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return inspect(exit.value, { depth: 30 }) + JSON.stringify(exit.value)
  const error = Cause.squash(exit.cause)
  return [
    renderings(error),
    inspect(error, { depth: 30, showHidden: true }),
    Cause.pretty(exit.cause, { renderErrorCause: true }),
    inspect(exit.cause, { depth: 30 }),
    JSON.stringify(exit.cause)
  ].join("\n")
}

/** Runs `effect` with Debug logs and the recording tracer, logging its failure as an app would. */
const attempt = <A, E>(layer: Layer.Layer<never>, label: string, effect: Effect.Effect<A, E>) =>
  effect.pipe(
    Effect.tapErrorCause((cause) => Effect.logDebug(`${label} failed`, cause)),
    Effect.tapError((error) => Effect.logError(error)),
    Effect.withSpan(`test.${label}`),
    Effect.provide(layer),
    Effect.exit
  )

interface Provider {
  readonly name: string
  readonly emulator: Emulator.Emulator
  readonly client: HttpClient.HttpClient.With<unknown>
  readonly token: Option.Option<Effect.Effect<unknown, unknown>>
}

const noRetries = { retry: { maxRetries: 0 }, backgroundRefresh: false } as const

const providers = Effect.gen(function*() {
  const paysera = yield* Paysera.make({ clients: [{ clientId: CLIENT_ID, clientSecret: SECRET }], rateLimit: false })
  const autopay = yield* Autopay.make({
    clients: [{ clientId: CLIENT_ID, clientSecret: SECRET, scope: "customer_club" }]
  })
  const cryptofuse = yield* Cryptofuse.make({
    clients: [{ clientId: CLIENT_ID, clientSecret: SECRET, scopes: ["read", "write"] }]
  })
  const centrapay = yield* Centrapay.make({ apiKeys: [{ key: API_KEY, name: "pos-1" }] })
  const http = InMemory.make([paysera, autopay, cryptofuse, centrapay])
  const options = { clientId: CLIENT_ID, clientSecret: Redacted.make(SECRET), cache: noRetries }
  const withHttp = Effect.provideService(HttpClient.HttpClient, http)
  const auth = (p: ProviderAuth.ProviderAuth) => ({ client: p.client, token: Option.some(p.token) })
  const list: Array<Provider> = [
    { name: "paysera", emulator: paysera, ...auth(yield* withHttp(PayseraAuth.make(options))) },
    { name: "autopay", emulator: autopay, ...auth(yield* withHttp(AutopayAuth.make({ ...options, budget: false }))) },
    {
      name: "cryptofuse",
      emulator: cryptofuse,
      ...auth(yield* withHttp(CryptofuseAuth.make({ ...options, baseUrl: "https://cryptofuse.sandbox.local" })))
    },
    {
      name: "centrapay API key",
      emulator: centrapay,
      client: (yield* withHttp(CentrapayApiKey.make({ apiKey: Redacted.make(API_KEY) }))).client,
      token: Option.none()
    }
  ]
  return list
})

/** Token endpoint faults: servers that echo the request, error pages, broken bodies, no answer. */
const tokenFaults: Record<string, Fault.Fault> = {
  "invalid_client echoing the request in every encoding": Fault.status(401, {
    body: {
      error: "invalid_client",
      error_description: `bad secret ${SECRET} / ${encodeURIComponent(SECRET)} / ${new URLSearchParams([[
        "client_secret",
        SECRET
      ]])} / ${JSON.stringify(SECRET)} / Basic ${basicCredentials(CLIENT_ID, SECRET).join(" ")}`,
      error_uri: `https://errors.example/${encodeURIComponent(SECRET)}`
    }
  }),
  "a 500 HTML page echoing the form body": Fault.status(500, {
    body: `<html><pre>client_id=shop%3A1&amp;${new URLSearchParams([["client_secret", SECRET]])}</pre></html>`
  }),
  "a 200 with an error member echoing the secret": Fault.errorIn200("access_denied", `secret was ${SECRET}`),
  "malformed JSON": Fault.malformedJson(),
  "a 429 with Retry-After": Fault.status(429, { headers: { "Retry-After": "30" } }),
  "a dropped connection": Fault.drop
}

/** API faults: what the caller meets once it has a credential on the request. */
const apiFaults: Record<
  string,
  {
    readonly fault: Fault.Fault
    readonly times?: number
    readonly use: (client: HttpClient.HttpClient.With<unknown>, path: string) => Effect.Effect<unknown, unknown>
  }
> = {
  "a dropped connection": { fault: Fault.drop, use: (c, path) => c.get(path) },
  "a 500 through the caller's filterStatusOk": {
    fault: Fault.status(500),
    use: (c, path) => HttpClient.filterStatusOk(c).get(path)
  },
  "a 401 twice (Unauthorized)": { fault: Fault.status(401), times: 2, use: (c, path) => c.get(path) },
  "a 429 (RateLimited or the caller's filterStatusOk)": {
    fault: Fault.status(429, { headers: { "Retry-After": "3600" } }),
    use: (c, path) => HttpClient.filterStatusOk(c).get(path)
  },
  "a body that is not JSON, read by the caller": {
    fault: Fault.malformedJson(),
    use: (c, path) => Effect.scoped(Effect.flatMap(c.get(path), (r) => r.json))
  }
}

const expectNoLeak = (text: string, secrets: ReadonlyArray<readonly [string, string]>, context: string) =>
  expect(leaks(text, secrets), `${context}\n${text.slice(0, 4000)}`).toEqual([])

const issuedBy = (emulator: Emulator.Emulator) =>
  Effect.map(emulator.credentials, (cs) => cs.map((c) => [`${emulator.name} ${c.kind} #${c.number}`, c.value] as const))

const scan = (
  observed: Observed,
  rendered: ReadonlyArray<string>,
  secrets: ReadonlyArray<readonly [string, string]>
) => {
  for (const text of rendered) expectNoLeak(text, secrets, "an error rendering")
  expectNoLeak(observed.text(), secrets, "logs and spans")
}

describe("no credential escapes, provider by provider", () => {
  it.scoped("token endpoint failures of every client-credentials provider", () =>
    Effect.gen(function*() {
      const { observed, layer } = observe()
      const rendered: Array<string> = []
      const all = yield* providers
      for (const p of all) {
        if (Option.isNone(p.token)) continue
        for (const [name, fault] of Object.entries(tokenFaults)) {
          yield* p.emulator.failNext(fault, { times: 2 })
          const viaToken = yield* attempt(layer, `${p.name}.token`, p.token.value)
          const viaClient = yield* attempt(layer, `${p.name}.client`, p.client.get(p.emulator.resourcePath))
          expect(Exit.isFailure(viaToken), `${p.name}: ${name}`).toBe(true)
          expect(Exit.isFailure(viaClient), `${p.name}: ${name}`).toBe(true)
          rendered.push(renderAll(viaToken), renderAll(viaClient))
        }
      }
      const issued = (yield* Effect.forEach(all, (p) => issuedBy(p.emulator))).flat()
      expect(observed.logs.length).toBeGreaterThan(0)
      expect(observed.spans.some((s) => s.name === "auth_pipeline.token_request")).toBe(true)
      scan(observed, rendered, [...configured, ...issued])
    }))

  it.scoped("API failures with a credential on the request, every provider", () =>
    Effect.gen(function*() {
      const { observed, layer } = observe()
      const rendered: Array<string> = []
      let failures = 0
      const all = yield* providers
      for (const p of all) {
        // a token first, so every fault below meets a request carrying it
        expect(Exit.isSuccess(yield* attempt(layer, `${p.name}.first`, p.client.get(p.emulator.resourcePath)))).toBe(
          true
        )
        for (const [name, { fault, times, use }] of Object.entries(apiFaults)) {
          yield* p.emulator.failNext(fault, { endpoint: "resource", times: times ?? 1 })
          const exit = yield* attempt(layer, `${p.name}.api`, use(p.client, p.emulator.resourcePath))
          if (Exit.isFailure(exit)) failures++
          else yield* p.emulator.clearFaults
          rendered.push(renderAll(exit), `${p.name}: ${name}`)
        }
        // a successful response, printed by the caller
        rendered.push(renderAll(yield* Effect.exit(p.client.get(p.emulator.resourcePath))))
      }
      const issued = (yield* Effect.forEach(all, (p) => issuedBy(p.emulator))).flat()
      expect(issued.length).toBeGreaterThan(3)
      expect(failures).toBeGreaterThanOrEqual(all.length * (Object.keys(apiFaults).length - 1))
      scan(observed, rendered, [...configured, ...issued])
    }))
})

describe("no credential escapes, the OIDC client against a real OpenID Provider", () => {
  it.scoped("login, refresh, API and logout failures", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.now())
      const { observed, layer } = observe()
      const rendered: Array<string> = []
      const secrets: Array<readonly [string, string]> = [...configured]
      const remember = (name: string, value: string | Redacted.Redacted<string> | undefined) => {
        if (value !== undefined) secrets.push([name, typeof value === "string" ? value : Redacted.value(value)])
      }
      const rememberToken = (label: string, t: AccessToken.AccessToken) => {
        remember(`${label} access token`, t.value)
        if (Option.isSome(t.refreshToken)) remember(`${label} refresh token`, t.refreshToken.value)
        if (Option.isSome(t.idToken)) remember(`${label} ID token`, t.idToken.value)
      }
      const emulator = yield* CentrapayOidc.start({})
      const http = yield* Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer)
      const user = yield* CentrapayUser.make({
        clientId: emulator.clientId,
        issuer: emulator.issuer,
        baseUrl: emulator.apiBaseUrl,
        redirectUri: "com.example.yourapp://oidc-callback",
        cache: noRetries
      }).pipe(Effect.provideService(HttpClient.HttpClient, http))
      const record = (exit: Exit.Exit<unknown, unknown>, label: string) => {
        expect(Exit.isFailure(exit), label).toBe(true)
        rendered.push(renderAll(exit))
      }

      // a login
      const request = yield* user.authorize()
      remember("code verifier", request.codeVerifier)
      remember("state", request.state)
      remember("nonce", request.nonce)
      const callback = yield* emulator.login(request.url.href)
      remember("authorization code", callback.searchParams.get("code") ?? undefined)
      const session = yield* user.callback(request, callback)
      rememberToken("login", session.token)
      rememberToken("refreshed", yield* user.cache.refresh)

      // the API: a path that does not exist through the caller's filterStatusOk, then a refused connection
      record(
        yield* attempt(layer, "oidc.api-404", HttpClient.filterStatusOk(user.client).get("/api/no-such-thing")),
        "404 through filterStatusOk"
      )
      // the same credential scheme and cache towards a port nobody listens on: a transport error
      const offline = AuthenticatedClient.make(http, user.cache, { scheme: CentrapayUser.defaultScheme })
      record(
        yield* attempt(layer, "oidc.api-refused", offline.get("http://127.0.0.1:9/api/account-memberships")),
        "refused"
      )

      // every access token revoked: the API's 401 refreshes once and re-sends
      yield* emulator.revokeAccessTokens
      rendered.push(renderAll(yield* attempt(layer, "oidc.revoked", user.client.get("/api/account-memberships"))))
      const current = yield* user.cache.current
      if (Option.isSome(current)) rememberToken("after revocation", current.value)

      // the code replayed: invalid_grant, and the provider revokes the whole grant
      record(yield* attempt(layer, "oidc.replayed-code", user.callback(request, callback)), "replayed code")
      yield* emulator.revokeAccessTokens
      record(
        yield* attempt(layer, "oidc.grant-revoked", user.client.get("/api/account-memberships")),
        "refresh with a revoked grant"
      )

      // a tampered verifier on a fresh code: invalid_grant
      const second = yield* user.authorize()
      remember("code verifier 2", second.codeVerifier)
      const callback2 = yield* emulator.login(second.url.href)
      remember("authorization code 2", callback2.searchParams.get("code") ?? undefined)
      const tampered = { ...second, codeVerifier: Redacted.make(Redacted.value(second.codeVerifier) + "x") }
      record(yield* attempt(layer, "oidc.tampered-verifier", user.callback(tampered, callback2)), "tampered verifier")

      // a fresh session for the logout
      const third = yield* user.authorize()
      remember("code verifier 3", third.codeVerifier)
      const callback3 = yield* emulator.login(third.url.href)
      remember("authorization code 3", callback3.searchParams.get("code") ?? undefined)
      rememberToken("third", (yield* user.callback(third, callback3)).token)

      // logout revokes the refresh token; a refresh after it has nothing to present
      yield* user.logout({})
      record(yield* attempt(layer, "oidc.after-logout", user.token), "token after logout")

      // discovery at an issuer that does not match
      const wrongIssuer = yield* CentrapayUser.make({
        clientId: emulator.clientId,
        issuer: emulator.issuer + "/other",
        baseUrl: emulator.apiBaseUrl,
        redirectUri: "com.example.yourapp://oidc-callback"
      }).pipe(Effect.provideService(HttpClient.HttpClient, http))
      record(yield* attempt(layer, "oidc.discovery", wrongIssuer.authorize()), "discovery")

      expect(secrets.length).toBeGreaterThan(10)
      scan(observed, rendered, secrets)
    }))
})
