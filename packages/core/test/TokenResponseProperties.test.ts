/**
 * Property-based tests: whatever the token endpoint answers, a grant yields a token that satisfies
 * the invariants or a typed `TokenError`, never a defect; and client credentials survive the
 * Appendix B encoding and Basic wrapping exactly.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck as fc, Option, Redacted } from "effect"
import * as ClientAuthentication from "../src/ClientAuthentication.js"
import * as Grant from "../src/Grant.js"
import * as TokenEndpoint from "../src/TokenEndpoint.js"
import * as TokenError from "../src/TokenError.js"
import { _fakeHttp } from "./_fakeHttp.js"

const endpoint = TokenEndpoint.make({
  url: "https://auth.example.com/oauth/token",
  clientAuthentication: ClientAuthentication.clientSecretBasic("client", Redacted.make("secret"))
})

/** The bound on a token's lifetime (`TokenResponse.maxExpiresIn`), written out. */
const oneYearMillis = 365 * 24 * 60 * 60 * 1000

const tokenErrorTags = ["OAuthError", "TokenRequestError", "TokenResponseError", "RateLimitedError"]

/** Any JSON-ish value a server might put in a member, including huge and non-ASCII strings. */
const _anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 64 }),
  fc.string({ minLength: 5_000, maxLength: 10_000 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 })
)

const _tokenType = fc.oneof(
  fc.constantFrom("Bearer", "bearer", "BEARER", "mac", "DPoP", "N_A", "", " Bearer", "Bearer\u0000"),
  _anyValue
)

const _expiresIn = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e13, 1e300, Number.MAX_VALUE, -1, 0, -0, 0.0001, 3600),
  fc.double().map(String),
  fc.constantFrom("NaN", "Infinity", "-Infinity", "1e400", "-5", " 3600 ", "0x10", "", "3600s", "１２"),
  _anyValue
)

/** An object shaped like a token response, each member possibly missing or of the wrong type. */
const _tokenLike = fc.record(
  {
    access_token: fc.oneof(fc.string({ minLength: 1 }), _anyValue),
    token_type: _tokenType,
    expires_in: _expiresIn,
    refresh_token: _anyValue,
    scope: _anyValue,
    id_token: _anyValue,
    error: _anyValue,
    extra_member: _anyValue
  },
  { requiredKeys: [] }
)

/** A well-formed success body but for the type, the expiry or an extra member. */
const _plausible = fc.record(
  {
    access_token: fc.oneof(fc.string({ minLength: 1 }), fc.string({ unit: "binary", minLength: 1 })),
    token_type: _tokenType,
    expires_in: _expiresIn,
    refresh_token: fc.string({ minLength: 1 }),
    scope: fc.string(),
    extra_member: _anyValue
  },
  { requiredKeys: ["access_token", "token_type"] }
)

const _body = fc.oneof(
  { arbitrary: _plausible.map((json) => JSON.stringify(json)), weight: 4 },
  { arbitrary: _tokenLike.map((json) => JSON.stringify(json)), weight: 2 },
  { arbitrary: fc.json(), weight: 1 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 200 }), weight: 1 },
  {
    arbitrary: fc.constantFrom(
      "",
      "null",
      "[]",
      "{",
      "<html>502 Bad Gateway</html>",
      "{\"access_token\":\"x\",\"token_type\":\"Bea"
    ),
    weight: 1
  }
)

/** Statuses a response can have with a body (a `Response` with 204, 205 or 304 cannot carry one). */
const _status = fc.oneof(
  { arbitrary: fc.constant(200), weight: 4 },
  { arbitrary: fc.constantFrom(201, 400, 401, 403, 429, 500, 502, 503), weight: 2 },
  { arbitrary: fc.integer({ min: 200, max: 599 }).filter((status) => ![204, 205, 304].includes(status)), weight: 1 }
)

const _headers = fc.record(
  {
    "content-type": fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "text/html",
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/jwt"
    ),
    "retry-after": fc.oneof(
      fc.nat().map(String),
      fc.string({ maxLength: 30 }),
      fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
      fc.constantFrom("99999999999999999999999", "-1", "1.5")
    )
  },
  { requiredKeys: [] }
)

describe("the token response parser", () => {
  it.effect.prop(
    "any status, headers and body: a token satisfying the invariants or a typed TokenError, never a defect",
    { status: _status, headers: _headers, body: _body },
    ({ body, headers, status }) =>
      Effect.gen(function*() {
        const { client } = yield* _fakeHttp(() => Effect.succeed({ status, headers, text: body }))
        const exit = yield* Effect.exit(
          Grant.clientCredentials(endpoint).pipe(Effect.provideService(HttpClient.HttpClient, client))
        )
        if (Exit.isFailure(exit)) {
          expect(Cause.isDie(exit.cause)).toBe(false)
          const error = Option.getOrThrow(Cause.failureOption(exit.cause))
          expect(tokenErrorTags).toContain(error._tag)
          expect(typeof error.message).toBe("string")
          expect(typeof TokenError.isTransient(error)).toBe("boolean")
          expect(() => JSON.stringify(error)).not.toThrow()
          if (status === 429) expect(error._tag).toBe("RateLimitedError")
          return
        }
        const token = exit.value
        expect(status >= 200 && status < 300).toBe(true)
        expect(token.tokenType).toBe("Bearer")
        expect(Redacted.value(token.value).length).toBeGreaterThan(0)
        if (Option.isSome(token.expiresAt)) {
          const expiresAt = token.expiresAt.value
          expect(Number.isFinite(expiresAt)).toBe(true)
          expect(expiresAt).toBeGreaterThan(token.issuedAt)
          expect(expiresAt).toBeLessThanOrEqual(token.issuedAt + oneYearMillis)
          expect(Number.isNaN(new Date(expiresAt).getTime())).toBe(false)
        }
        expect(() => String(token)).not.toThrow()
        expect(() => JSON.stringify(token)).not.toThrow()
        const value = Redacted.value(token.value)
        if (value.length >= 16) expect(String(token)).not.toContain(value)
      }),
    { fastCheck: { numRuns: 200 } }
  )

  it.effect.prop(
    "expires_in: NaN, negative, infinite or non-numeric is an InvalidBody error; any finite value >= 0 a valid expiry",
    { expiresIn: _expiresIn },
    ({ expiresIn }) =>
      Effect.gen(function*() {
        const text = JSON.stringify({ access_token: "at", token_type: "Bearer", expires_in: expiresIn })
        const { client } = yield* _fakeHttp(() => Effect.succeed({ text }))
        const exit = yield* Effect.exit(
          Grant.clientCredentials(endpoint).pipe(Effect.provideService(HttpClient.HttpClient, client))
        )
        // What JSON carried (NaN and Infinity travel as null).
        const sent = (JSON.parse(text) as { expires_in?: unknown }).expires_in
        const number = typeof sent === "number" ? sent : typeof sent === "string" ? Number(sent) : NaN
        const valid = sent === undefined ||
          ((typeof sent === "number" || (typeof sent === "string" && sent.trim() !== "")) &&
            Number.isFinite(number) && number >= 0)
        if (Exit.isSuccess(exit)) {
          expect(valid).toBe(true)
          const expiresAt = exit.value.expiresAt
          if (Option.isSome(expiresAt)) {
            expect(Number.isFinite(expiresAt.value)).toBe(true)
            expect(expiresAt.value - exit.value.issuedAt).toBeLessThanOrEqual(oneYearMillis)
          }
        } else {
          expect(Cause.isDie(exit.cause)).toBe(false)
          expect(Option.getOrThrow(Cause.failureOption(exit.cause))).toMatchObject({
            _tag: "TokenResponseError",
            reason: "InvalidBody"
          })
        }
      }),
    { fastCheck: { numRuns: 200 } }
  )
})

/** A strict `application/x-www-form-urlencoded` value decoder: only the characters the format allows. */
const _strictFormDecode = (encoded: string): string => {
  if (!/^(?:[A-Za-z0-9*\-._+]|%[0-9A-F]{2})*$/.test(encoded)) throw new Error(`not form-encoded: ${encoded}`)
  const bytes = encoded.replace(/\+/g, " ").replace(
    /%([0-9A-F]{2})|./gs,
    (match, hex: string | undefined) => hex === undefined ? match : String.fromCharCode(parseInt(hex, 16))
  )
  // Every %XX is one byte; the bytes must be valid UTF-8.
  return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)))
}

/** A strict Basic decoder: canonical base64, valid UTF-8, id and secret each strictly form-decoded. */
const _strictBasicDecode = (header: string): readonly [string, string] => {
  const match = /^Basic ([A-Za-z0-9+/]*={0,2})$/.exec(header)
  if (match === null || match[1]!.length % 4 !== 0) throw new Error("not a Basic credential")
  const decoded = new TextDecoder("utf-8", { fatal: true }).decode(
    Uint8Array.from(atob(match[1]!), (c) => c.charCodeAt(0))
  )
  const colon = decoded.indexOf(":")
  if (colon < 0) throw new Error("no colon")
  return [_strictFormDecode(decoded.slice(0, colon)), _strictFormDecode(decoded.slice(colon + 1))]
}

/** Well-formed strings (whole code points) weighted toward the characters Appendix B must escape. */
const _credential = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({
    unit: fc.constantFrom(":", "+", "%", "=", "&", " ", "/", "?", "#", "é", "😀", "\u0000", "\n", "a", "*", "~")
  }),
  fc.string()
)

describe("client credentials encoding (RFC 6749 §2.3.1, Appendix B)", () => {
  it.prop("formUrlEncode round-trips through a strict decoder", { value: _credential }, ({ value }) => {
    expect(_strictFormDecode(ClientAuthentication.formUrlEncode(value))).toBe(value)
  }, { fastCheck: { numRuns: 500 } })

  it.prop(
    "basicAuthorization round-trips id and secret through a strict decoder",
    { id: _credential, secret: _credential },
    ({ id, secret }) => {
      const header = Redacted.value(ClientAuthentication.basicAuthorization(id, Redacted.make(secret)))
      expect(_strictBasicDecode(header)).toEqual([id, secret])
    },
    { fastCheck: { numRuns: 500 } }
  )
})
