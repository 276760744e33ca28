/**
 * An `HttpClientError` or a response that leaves an authenticated client carries no credential in
 * any rendering: `util.inspect` (what `console.log` prints), `JSON.stringify` outside a fiber,
 * `String`, `.message`, `Cause.pretty`, Effect logs and spans. The request in it keeps its method
 * and URL; its credential headers say `<redacted>` and its body is dropped.
 */
import { observe, renderings } from "@auth-pipeline/testing/Observe"
import { leaks } from "@auth-pipeline/testing/Secrets"
import { HttpClient, HttpClientError, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option, Redacted } from "effect"
import { inspect } from "node:util"
import * as AccessToken from "../src/AccessToken.js"
import * as AuthenticatedClient from "../src/AuthenticatedClient.js"
import * as CredentialScheme from "../src/CredentialScheme.js"
import { _fakeHttp, type Reply } from "./_fakeHttp.js"

const TOKEN = "ACCESS-TOKEN-q7Rf/+=\"é"
const API_KEY = "API-KEY-c4Lw%&x"
const OWN = "OWN-CREDENTIAL-m1Zt"
const secrets = [["access token", TOKEN], ["API key", API_KEY], ["own credential", OWN]] as const

const source: AuthenticatedClient.TokenSource<never> = {
  get: Effect.succeed(AccessToken.make({ value: Redacted.make(TOKEN), issuedAt: 0, expiresAt: Option.none() })),
  invalidate: () => Effect.succeed(true)
}

const clients = (base: HttpClient.HttpClient) => ({
  bearer: AuthenticatedClient.make(base, source),
  raw: AuthenticatedClient.make(base, source, { scheme: CredentialScheme.raw }),
  "custom header": AuthenticatedClient.make(base, source, { scheme: CredentialScheme.header("X-Token") }),
  "API key": AuthenticatedClient.apiKey(base, { key: Redacted.make(API_KEY) }),
  "API key in a custom header": AuthenticatedClient.apiKey(base, { key: Redacted.make(API_KEY), header: "X-Secret" })
})

/** Every rendering; Effect redacts headers only while it writes a log line, so none here. */
const rendered = (u: unknown): string => {
  const e = u as { request?: unknown; response?: { request?: unknown }; cause?: unknown }
  return [
    renderings(u),
    inspect(u, { depth: 30, showHidden: true }),
    JSON.stringify(e.request),
    inspect(e.request, { depth: 30 }),
    JSON.stringify(e.response?.request),
    inspect(e.response, { depth: 30 }),
    String(e.cause)
  ].join("\n")
}

const expectClean = (text: string) => expect(leaks(text, secrets)).toEqual([])

const failures: Record<
  string,
  {
    readonly reply: Reply
    readonly request?: HttpClientRequest.HttpClientRequest
    /** What the caller does with the client and the response. */
    readonly use?: (
      client: HttpClient.HttpClient.With<unknown>
    ) => (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<unknown, unknown>
    readonly inner?: "filterStatusOk"
    readonly expected: { readonly _tag: string; readonly reason: string }
  }
> = {
  "a dropped connection": {
    reply: { drop: "socket hang up" },
    expected: { _tag: "RequestError", reason: "Transport" }
  },
  "the caller's filterStatusOk on a 500": {
    reply: { status: 500, json: { echoed: `Bearer ${TOKEN}`, key: API_KEY } },
    use: (client) => (request) => HttpClient.filterStatusOk(client).execute(request),
    expected: { _tag: "ResponseError", reason: "StatusCode" }
  },
  "filterStatusOk inside the wrapped client": {
    reply: { status: 503, text: "unavailable" },
    inner: "filterStatusOk",
    expected: { _tag: "ResponseError", reason: "StatusCode" }
  },
  "a body that is not JSON, read by the caller": {
    reply: { status: 200, headers: { "content-type": "application/json" }, text: `{"token":"${TOKEN}` },
    use: (client) => (request) => Effect.flatMap(client.execute(request), (r) => r.json),
    expected: { _tag: "ResponseError", reason: "Decode" }
  }
}

describe("HttpClientErrors leaving an authenticated client carry no credential", () => {
  for (const [failure, spec] of Object.entries(failures)) {
    it.effect(`${failure}: every client flavour, every rendering, logs and spans`, () =>
      Effect.gen(function*() {
        const { observed, layer } = observe()
        const { client: fake, requests } = yield* _fakeHttp(() => Effect.succeed(spec.reply))
        const base = spec.inner === "filterStatusOk" ? HttpClient.filterStatusOk(fake) : fake
        const request = spec.request ?? HttpClientRequest.get("https://api.test/payments?page=2")
        for (const [flavour, client] of Object.entries(clients(base))) {
          const run = (spec.use ?? ((c) => (r) => c.execute(r)))(client as HttpClient.HttpClient.With<unknown>)
          const exit = yield* run(request).pipe(
            Effect.tapErrorCause((cause) => Effect.logDebug("request failed", cause)),
            Effect.tapError((e) => Effect.logError(e)),
            Effect.withSpan("caller"),
            Effect.provide(layer),
            Effect.exit
          )
          expect(Exit.isFailure(exit), flavour).toBe(true)
          const error = Cause.squash((exit as Exit.Failure<unknown, unknown>).cause) as HttpClientError.HttpClientError
          expect(error, flavour).toMatchObject(spec.expected)
          expect(HttpClientError.isHttpClientError(error)).toBe(true)
          // still useful: method, URL, status
          expect(error.request.method).toBe("GET")
          expect(error.message).toContain(request.url)
          if (error._tag === "ResponseError") expect(error.response.status).toBe(spec.reply.status)
          const text = rendered(error)
          expect(leaks(text, secrets), `${flavour}: ${text}`).toEqual([])
          expect(error.request.headers, flavour).toSatisfy((h: Record<string, string>) =>
            ["authorization", "x-token", "x-api-key", "x-secret"].some((n) => h[n] === "<redacted>")
          )
        }
        // the credential did go out
        const sent = (yield* requests).map((r) => Object.values(r.headers).join(" "))
        expect(sent.some((h) => h.includes(`Bearer ${TOKEN}`))).toBe(true)
        expect(sent.some((h) => h.includes(API_KEY))).toBe(true)
        expectClean(observed.text())
      }))
  }

  it.effect("a request that brought its own Authorization fails without showing it either", () =>
    Effect.gen(function*() {
      const { client: fake } = yield* _fakeHttp(() => Effect.succeed({ drop: "connection reset" }))
      const error = yield* AuthenticatedClient.make(fake, source).execute(
        HttpClientRequest.get("https://api.test/x").pipe(HttpClientRequest.bearerToken(OWN))
      ).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "RequestError", reason: "Transport" })
      expectClean(rendered(error))
    }))

  it.effect("the response handed to the caller references a request without the credential", () =>
    Effect.gen(function*() {
      const { client: fake } = yield* _fakeHttp((sent) =>
        Effect.succeed({ json: { you_sent: sent.headers }, headers: { "set-cookie": "session=SESSION-SECRET-7" } })
      )
      for (const [flavour, client] of Object.entries(clients(fake))) {
        const response = yield* client.get("https://api.test/echo")
        const body = (yield* response.json) as { you_sent: Record<string, string> }
        // the body itself is the caller's data, unchanged
        expect(Object.values(body.you_sent).join(" ")).toMatch(/ACCESS-TOKEN|API-KEY/)
        expect(response.status).toBe(200)
        expect(response.request.url, flavour).toBe("https://api.test/echo")
        expect(Object.values(response.request.headers)).toContain("<redacted>")
        // its renderings (the body included, now that it was read) show no credential
        const text = [inspect(response, { depth: 30 }), JSON.stringify(response), String(response)].join("\n")
        expectClean(text)
        expect(text).not.toContain("SESSION-SECRET-7")
        expect(response.headers["set-cookie"]).toBe("session=SESSION-SECRET-7")
      }
    }))

  it.effect("a URL no credential may go to (invalid, user info, plain http) fails before a token is used, showing none", () =>
    Effect.gen(function*() {
      const { observed, layer } = observe()
      const { client: fake, requests } = yield* _fakeHttp(() => Effect.succeed({ status: 200 }))
      const urls = [
        "no scheme/at all",
        "https://user:pw-SECRET-9@api.test/pay",
        "http://api.test/pay?key=QUERY-SECRET-3"
      ]
      for (const [flavour, client] of Object.entries(clients(fake))) {
        for (const url of urls) {
          const error = yield* client.get(url).pipe(
            Effect.tapError((e) => Effect.logError(e)),
            Effect.withSpan("caller"),
            Effect.provide(layer),
            Effect.flip
          )
          expect(error._tag, `${flavour} ${url}`).toBe("DisallowedUrl")
          const text = rendered(error)
          expectClean(text)
          expect(text).not.toContain("pw-SECRET-9")
          expect(text).not.toContain("QUERY-SECRET-3")
        }
      }
      expect(yield* requests).toEqual([])
      expectClean(observed.text())
    }))

  it.effect("a request's body, credential query parameters and fragment are not kept", () =>
    Effect.gen(function*() {
      const { client: fake } = yield* _fakeHttp(() => Effect.succeed({ drop: "gone" }))
      const request = HttpClientRequest.post("https://api.test/pay?access_token=QUERY-SECRET-3&n=1")
        .pipe(
          HttpClientRequest.setUrlParam("client_secret", "PARAM-SECRET-4"),
          HttpClientRequest.setHash("access_token=FRAGMENT-SECRET-5"),
          HttpClientRequest.bodyUrlParams({ refresh_token: "BODY-SECRET-6", amount: "10" })
        )
      const error = (yield* AuthenticatedClient.make(fake, source).execute(request).pipe(
        Effect.flip
      )) as HttpClientError.HttpClientError
      const text = rendered(error)
      for (const s of ["QUERY-SECRET-3", "PARAM-SECRET-4", "FRAGMENT-SECRET-5", "BODY-SECRET-6"]) {
        expect(text).not.toContain(s)
      }
      expectClean(text)
      expect(error.request.method).toBe("POST")
      expect(error.request.url).toBe("https://api.test/pay?access_token=<redacted>&n=1")
      expect(error.request.urlParams).toEqual([["client_secret", "<redacted>"]])
      expect(error.request.body.toJSON()).toMatchObject({
        body: "<redacted>",
        contentType: expect.stringContaining("urlencoded")
      })
    }))

  it.effect("a copied request re-sent through the client gets a fresh credential, not the placeholder", () =>
    Effect.gen(function*() {
      let fail = true
      const { client: fake, requests } = yield* _fakeHttp(() =>
        Effect.succeed(fail ? ((fail = false), { drop: "reset" }) : { json: {} })
      )
      const client = AuthenticatedClient.make(fake, source)
      const error = yield* client.get("https://api.test/x").pipe(Effect.flip)
      yield* client.execute((error as HttpClientError.RequestError).request)
      expect((yield* requests).map((r) => r.headers["authorization"])).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`])
    }))
})
