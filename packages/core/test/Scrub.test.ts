/**
 * The scrubber finds a secret in text a server echoes whatever the encoding: as written,
 * percent- or form-encoded (either hex case), JSON-escaped, and as the base64 of the Basic
 * credential `id:secret` (with and without Appendix B encoding). A token endpoint that echoes the
 * request therefore cannot put the secret in an error.
 */
import { renderings } from "@auth-pipeline/testing/Observe"
import { basicCredentials, encodings, leaks } from "@auth-pipeline/testing/Secrets"
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as fc from "effect/FastCheck"
import * as ClientAuthentication from "../src/ClientAuthentication.js"
import * as Grant from "../src/Grant.js"
import { basicCredentialForms, excerptJson, excerptText, placeholder, scrub } from "../src/internal/redact.js"
import * as TokenEndpoint from "../src/TokenEndpoint.js"
import { _fakeHttp, type Reply } from "./_fakeHttp.js"

const CLIENT_ID = "client ü:1"
const CLIENT_SECRET = "Sécret \"q\\uo\"/+=%&: x\n\t😀"
const REFRESH_TOKEN = "RT-\"quoted\"/slash+plus=eq%25"
const CODE = "CODE-a/b+c=d"
const VERIFIER = "VERIFIER-x~y.z_w"

const allSecrets: ReadonlyArray<readonly [string, string]> = [
  ["client secret", CLIENT_SECRET],
  ["refresh token", REFRESH_TOKEN],
  ["authorization code", CODE],
  ["code verifier", VERIFIER],
  ...basicCredentials(CLIENT_ID, CLIENT_SECRET).map((b, i) => [`Basic credential ${i}`, b] as const)
]

const endpoints = (["basic", "post", "json"] as const).map((kind) =>
  TokenEndpoint.make({
    url: "https://auth.example.com/token",
    clientAuthentication: kind === "basic"
      ? ClientAuthentication.clientSecretBasic(CLIENT_ID, Redacted.make(CLIENT_SECRET))
      : ClientAuthentication.clientSecretPost(CLIENT_ID, Redacted.make(CLIENT_SECRET)),
    bodyEncoding: kind === "json" ? "json" : "form"
  })
)

/** Token endpoints that echo what they received, the way real error pages and debug modes do. */
const echoes: Record<string, (sent: { headers: Record<string, string>; body: string }) => Reply> = {
  "the raw body in error_description": (sent) => ({
    status: 400,
    json: { error: "invalid_request", error_description: `could not parse ${sent.body}` }
  }),
  "the headers and body as a JSON error body (JSON-escaped)": (sent) => ({
    status: 400,
    json: { error: "invalid_request", error_description: JSON.stringify(sent), error_uri: `https://e/x?${sent.body}` }
  }),
  "the body inside a 500 HTML page": (sent) => ({
    status: 500,
    text: `<html><pre>${sent.body}\n${JSON.stringify(sent.headers)}</pre></html>`
  }),
  "the Authorization header and decoded body in a 200 that is not a token": (sent) => ({
    status: 200,
    json: {
      note: `${sent.headers["authorization"] ?? ""} ${[...new URLSearchParams(sent.body)].join(" ")}`,
      echo: Object.fromEntries(new URLSearchParams(sent.body))
    }
  }),
  "the body percent-encoded again in lower-case hex": (sent) => ({
    status: 401,
    json: {
      error: "invalid_client",
      error_description: encodeURIComponent(sent.body).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())
    }
  }),
  "every non-ASCII character as \\uXXXX (ensure_ascii)": (sent) => ({
    status: 400,
    text: JSON.stringify({ error: "invalid_grant", error_description: sent.body + sent.headers["authorization"] })
      .replace(/[^\x20-\x7e]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")),
    headers: { "content-type": "application/json" }
  })
}

describe("a token endpoint echoing the request cannot put a secret in an error", () => {
  for (const [name, echo] of Object.entries(echoes)) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const { client } = yield* _fakeHttp((sent) => Effect.succeed(echo(sent)))
        for (const endpoint of endpoints) {
          for (
            const grant of [
              Grant.clientCredentials(endpoint),
              Grant.refreshToken(endpoint, Redacted.make(REFRESH_TOKEN)),
              Grant.authorizationCode(endpoint, {
                code: Redacted.make(CODE),
                redirectUri: "https://app.example.com/cb",
                codeVerifier: Redacted.make(VERIFIER)
              })
            ]
          ) {
            const error = yield* grant.pipe(Effect.provideService(HttpClient.HttpClient, client), Effect.flip)
            const text = renderings(error)
            expect(leaks(text, allSecrets), `${endpoint.clientAuthentication._tag}: ${text}`).toEqual([])
          }
        }
      }))
  }
})

describe("scrub", () => {
  it("finds a secret as written, percent-encoded, form-encoded and JSON-escaped", () => {
    const secret = Redacted.make(CLIENT_SECRET)
    for (const [label, form] of encodings(CLIENT_SECRET)) {
      expect(scrub(`a ${form} b`, [secret]), label).toBe(`a ${placeholder} b`)
    }
    // a mix of encodings within one secret
    expect(scrub(`x Sécret%20%22q\\\\uo\\"/+%3d%25&: x\\n\t\\ud83d\\ude00 y`, [secret])).toBe(`x ${placeholder} y`)
  })

  it("finds the Basic credential in base64, with and without Appendix B encoding", () => {
    const forms = basicCredentialForms(CLIENT_ID, Redacted.make(CLIENT_SECRET))
    for (const b64 of basicCredentials(CLIENT_ID, CLIENT_SECRET)) {
      expect(scrub(`Authorization: Basic ${b64}`, forms)).toBe(`Authorization: Basic ${placeholder}`)
      expect(scrub(`auth=Basic%20${encodeURIComponent(b64)}`, forms)).toBe(`auth=Basic%20${placeholder}`)
    }
  })

  it("leaves text without the secret alone", () => {
    expect(scrub("nothing to see: 100% fine", [Redacted.make("s3cret")])).toBe("nothing to see: 100% fine")
    expect(scrub("anything", [Redacted.make("")])).toBe("anything")
  })

  // A secret the placeholder itself contains ("act", "<", "d>") can never be hidden by it.
  const secretArb = fc.string({ unit: "binary", minLength: 1, maxLength: 40 }).filter((s) => !/[<>]/.test(s))
  const textArb = fc.string({ unit: "binary", maxLength: 40 })
  const encodingArb = fc.nat({ max: 7 })
  const visible = (form: string) => form.length > 0 && !placeholder.includes(form)

  it.prop(
    "any secret, any encoding, any surrounding text: never in the output",
    [secretArb, encodingArb, textArb, textArb],
    ([secret, index, before, after]) => {
      const forms = encodings(secret)
      const [, form] = forms[index % forms.length]!
      const out = scrub(before + form + after, [Redacted.make(secret)])
      for (const [label, f] of forms) if (visible(f)) expect(out.includes(f), label).toBe(false)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "any client id and secret: the Basic credential in base64 is never in the output",
    [fc.string({ unit: "binary", maxLength: 20 }), secretArb, textArb],
    ([clientId, secret, around]) => {
      const forms = basicCredentialForms(clientId, Redacted.make(secret))
      for (const b64 of basicCredentials(clientId, secret)) {
        const out = scrub(`${around}Basic ${b64}${around} ${encodeURIComponent(b64)}`, [
          Redacted.make(secret),
          ...forms
        ])
        expect(out.includes(b64)).toBe(false)
        expect(out.includes(encodeURIComponent(b64))).toBe(false)
      }
    },
    { fastCheck: { numRuns: 100 } }
  )

  it.prop(
    "any secret anywhere in a JSON or form body: never in an excerpt",
    [secretArb, fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 })],
    ([secret, member, json]) => {
      const secrets = [Redacted.make(secret)]
      const body = { [member]: secret, nested: [json, { note: `was ${secret}` }] }
      const forms = encodings(secret).map(([, f]) => f).filter(visible)
      const excerpts = [
        excerptJson(body, secrets),
        excerptText(JSON.stringify(body), secrets),
        excerptText(new URLSearchParams([[member, secret], ["x", JSON.stringify(json)]]).toString(), secrets)
      ]
      for (const excerpt of excerpts) for (const f of forms) expect(excerpt.includes(f)).toBe(false)
    },
    { fastCheck: { numRuns: 200 } }
  )
})
