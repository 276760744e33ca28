import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted, Schema } from "effect"
import * as IdToken from "../src/IdToken.js"
import * as Jwks from "../src/Jwks.js"
import type { ProviderMetadata } from "../src/OidcDiscovery.js"
import { _fakeHttp } from "./_fakeHttp.js"
import {
  _at,
  _claims,
  _expectNoToken,
  _sign,
  _signHmac,
  _signingKey,
  _unsecured,
  CLIENT_ID,
  ISSUER,
  NONCE,
  NOW,
  SUBJECT
} from "./_idToken.js"

const k1 = await _signingKey("k1")
/** Another RSA key published under the same kid: its signatures must not verify. */
const impostor = await _signingKey("k1")
const unknown = await _signingKey("k-unknown")
const ec = await _signingKey("ec-1", "ES256")

const keys = Jwks.fromKeys({ keys: [k1.jwk, ec.jwk] })

const options = (overrides: Partial<IdToken.VerifyOptions> = {}): IdToken.VerifyOptions => ({
  issuer: ISSUER,
  clientId: CLIENT_ID,
  keys,
  algorithms: ["RS256"],
  nonce: NONCE,
  ...overrides
})

const verify = (token: string, overrides: Partial<IdToken.VerifyOptions> = {}) =>
  IdToken.verify(Redacted.make(token), options(overrides))

/** Verification fails; the error never shows the token. */
const refused = (token: string, overrides: Partial<IdToken.VerifyOptions> = {}) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(verify(token, overrides))
    _expectNoToken(error, token)
    return error
  })

const expectReason = (
  error: IdToken.IdTokenError | { readonly _tag: string; readonly reason: string },
  reason: IdToken.IdTokenError["reason"]
) => {
  expect(error._tag).toBe("IdTokenError")
  expect(error.reason).toBe(reason)
}

describe("IdToken.verify accepts", () => {
  it.effect("a valid token and yields its claims, the unknown ones kept", () =>
    Effect.gen(function*() {
      yield* _at()
      const claims = yield* verify(yield* Effect.promise(() => _sign(k1)))
      expect(claims.iss).toBe(ISSUER)
      expect(claims.sub).toBe(SUBJECT)
      expect(claims.aud).toBe(CLIENT_ID)
      expect(claims.nonce).toBe(NONCE)
      expect(claims.iat).toBe(NOW)
      expect(claims.exp).toBe(NOW + 600)
      expect(claims["email"]).toBe("jane.doe@example.com")
    }))

  it.effect("the nonce given as a Redacted value", () =>
    Effect.gen(function*() {
      yield* _at()
      const claims = yield* verify(yield* Effect.promise(() => _sign(k1)), { nonce: Redacted.make(NONCE) })
      expect(claims.sub).toBe(SUBJECT)
    }))

  it.effect("a token without nonce when none is expected (a refresh)", () =>
    Effect.gen(function*() {
      yield* _at()
      const token = yield* Effect.promise(() => _sign(k1, _claims({ nonce: undefined })))
      const claims = yield* IdToken.verify(Redacted.make(token), {
        issuer: ISSUER,
        clientId: CLIENT_ID,
        keys,
        algorithms: ["RS256"],
        subject: SUBJECT
      })
      expect(claims.nonce).toBeUndefined()
    }))

  it.effect("several audiences when azp is the client id, and a single audience with azp", () =>
    Effect.gen(function*() {
      yield* _at()
      const several = yield* Effect.promise(() =>
        _sign(k1, _claims({ aud: [CLIENT_ID, "https://api.example.com"], azp: CLIENT_ID }))
      )
      expect((yield* verify(several)).azp).toBe(CLIENT_ID)
      const single = yield* Effect.promise(() => _sign(k1, _claims({ aud: [CLIENT_ID], azp: CLIENT_ID })))
      expect((yield* verify(single)).aud).toEqual([CLIENT_ID])
    }))

  it.effect("an ES256 token when ES256 is allowed", () =>
    Effect.gen(function*() {
      yield* _at()
      const token = yield* Effect.promise(() => _sign(ec))
      expect((yield* verify(token, { algorithms: ["RS256", "ES256"] })).sub).toBe(SUBJECT)
    }))

  it.effect("a token without kid when one key of the set fits", () =>
    Effect.gen(function*() {
      yield* _at()
      const token = yield* Effect.promise(() => _sign(k1, _claims(), { kid: undefined }))
      const claims = yield* verify(token, { keys: Jwks.fromKeys({ keys: [k1.jwk] }) })
      expect(claims.sub).toBe(SUBJECT)
    }))

  it.effect("a token without kid when several keys of its type are in the set: each is tried", () =>
    Effect.gen(function*() {
      yield* _at()
      const other = yield* Effect.promise(() => _signingKey("k-other"))
      const token = yield* Effect.promise(() => _sign(k1, _claims(), { kid: undefined }))
      const claims = yield* verify(token, { keys: Jwks.fromKeys({ keys: [other.jwk, k1.jwk] }) })
      expect(claims.sub).toBe(SUBJECT)
      // Signed by a key the set does not hold: every candidate fails.
      const forged = yield* Effect.promise(() => _sign(unknown, _claims(), { kid: undefined }))
      const error = yield* refused(forged, { keys: Jwks.fromKeys({ keys: [other.jwk, k1.jwk] }) })
      expectReason(error, "InvalidSignature")
    }))

  it.effect("the expected subject", () =>
    Effect.gen(function*() {
      yield* _at()
      const claims = yield* verify(yield* Effect.promise(() => _sign(k1)), { subject: SUBJECT })
      expect(claims.sub).toBe(SUBJECT)
    }))
})

describe("IdToken.verify refuses, naming the failed check and never the token", () => {
  it.effect("a signature by another key published under the same kid: InvalidSignature", () =>
    Effect.gen(function*() {
      yield* _at()
      const error = yield* refused(yield* Effect.promise(() => _sign(impostor)))
      expectReason(error, "InvalidSignature")
    }))

  it.effect("a payload changed after signing: InvalidSignature", () =>
    Effect.gen(function*() {
      yield* _at()
      const [header, , signature] = (yield* Effect.promise(() => _sign(k1))).split(".")
      const [, forgedPayload] = (yield* Effect.promise(() => _sign(impostor, _claims({ sub: "admin" })))).split(".")
      const error = yield* refused(`${header}.${forgedPayload}.${signature}`)
      expectReason(error, "InvalidSignature")
    }))

  it.effect("a token signed with a key the set does not hold: UnknownKey", () =>
    Effect.gen(function*() {
      yield* _at()
      const error = yield* refused(yield* Effect.promise(() => _sign(unknown)))
      expectReason(error, "UnknownKey")
    }))

  it.effect("another issuer: IssuerMismatch", () =>
    Effect.gen(function*() {
      yield* _at()
      const error = yield* refused(yield* Effect.promise(() => _sign(k1, _claims({ iss: "https://evil.example.com" }))))
      expectReason(error, "IssuerMismatch")
      const slash = yield* refused(yield* Effect.promise(() => _sign(k1, _claims({ iss: ISSUER + "/" }))))
      expectReason(slash, "IssuerMismatch")
    }))

  it.effect("another audience: AudienceMismatch", () =>
    Effect.gen(function*() {
      yield* _at()
      const error = yield* refused(yield* Effect.promise(() => _sign(k1, _claims({ aud: "client-2" }))))
      expectReason(error, "AudienceMismatch")
      const list = yield* refused(yield* Effect.promise(() => _sign(k1, _claims({ aud: ["client-2", "client-3"] }))))
      expectReason(list, "AudienceMismatch")
    }))

  it.effect("an expired token once past exp plus the 30 s tolerance: Expired", () =>
    Effect.gen(function*() {
      const token = yield* Effect.promise(() => _sign(k1))
      yield* _at(600 + 30)
      expectReason(yield* refused(token), "Expired")
      yield* _at(600 + 3600)
      expectReason(yield* refused(token), "Expired")
    }))

  it.effect("accepts an expired token within the tolerance", () =>
    Effect.gen(function*() {
      const token = yield* Effect.promise(() => _sign(k1))
      yield* _at(600 + 29)
      expect((yield* verify(token)).sub).toBe(SUBJECT)
    }))

  it.effect("honours a custom clock tolerance", () =>
    Effect.gen(function*() {
      const token = yield* Effect.promise(() => _sign(k1))
      yield* _at(599)
      expect((yield* verify(token, { clockTolerance: 0 })).sub).toBe(SUBJECT)
      yield* _at(600)
      expectReason(yield* refused(token, { clockTolerance: 0 }), "Expired")
      expect((yield* verify(token, { clockTolerance: "2 minutes" })).sub).toBe(SUBJECT)
    }))

  it.effect("an iat in the future beyond the tolerance: IssuedInFuture", () =>
    Effect.gen(function*() {
      yield* _at()
      const future = yield* Effect.promise(() => _sign(k1, _claims({ iat: NOW + 31, exp: NOW + 631 })))
      expectReason(yield* refused(future), "IssuedInFuture")
      const skewed = yield* Effect.promise(() => _sign(k1, _claims({ iat: NOW + 30, exp: NOW + 630 })))
      expect((yield* verify(skewed)).iat).toBe(NOW + 30)
    }))

  it.effect("an nbf in the future: NotYetValid", () =>
    Effect.gen(function*() {
      yield* _at()
      const token = yield* Effect.promise(() => _sign(k1, _claims({ nbf: NOW + 120 })))
      expectReason(yield* refused(token), "NotYetValid")
    }))

  it.effect("another nonce: NonceMismatch", () =>
    Effect.gen(function*() {
      yield* _at()
      const token = yield* Effect.promise(() => _sign(k1, _claims({ nonce: "replayed-nonce" })))
      const error = yield* refused(token)
      expectReason(error, "NonceMismatch")
      expect(error.message).not.toContain("replayed-nonce")
      expect(error.message).not.toContain(NONCE)
      expectReason(yield* refused(token, { nonce: Redacted.make(NONCE) }), "NonceMismatch")
    }))

  it.effect("no nonce when one is expected: NonceMismatch", () =>
    Effect.gen(function*() {
      yield* _at()
      const token = yield* Effect.promise(() => _sign(k1, _claims({ nonce: undefined })))
      expectReason(yield* refused(token), "NonceMismatch")
    }))

  it.effect("an unsecured token (alg none): AlgorithmNotAllowed", () =>
    Effect.gen(function*() {
      yield* _at()
      expectReason(yield* refused(_unsecured()), "AlgorithmNotAllowed")
      expectReason(yield* refused(_unsecured(_claims(), { kid: "k1" })), "AlgorithmNotAllowed")
      expectReason(yield* refused(_unsecured(_claims(), { alg: "None" })), "AlgorithmNotAllowed")
    }))

  it.effect("an HS256 token, even keyed with the provider's public key: AlgorithmNotAllowed", () =>
    Effect.gen(function*() {
      yield* _at()
      const random = yield* Effect.promise(() => _signHmac(globalThis.crypto.getRandomValues(new Uint8Array(32))))
      expectReason(yield* refused(random), "AlgorithmNotAllowed")
      const publicKeyAsSecret = new TextEncoder().encode(JSON.stringify(k1.jwk))
      const confused = yield* Effect.promise(() => _signHmac(publicKeyAsSecret, _claims(), "k1"))
      expectReason(yield* refused(confused), "AlgorithmNotAllowed")
    }))

  it.effect("an algorithm the caller did not allow: AlgorithmNotAllowed", () =>
    Effect.gen(function*() {
      yield* _at()
      const token = yield* Effect.promise(() => _sign(ec))
      expectReason(yield* refused(token), "AlgorithmNotAllowed")
      expectReason(yield* refused(yield* Effect.promise(() => _sign(k1)), { algorithms: [] }), "AlgorithmNotAllowed")
    }))

  it.effect("several audiences without azp: AuthorizedPartyMismatch", () =>
    Effect.gen(function*() {
      yield* _at()
      const token = yield* Effect.promise(() => _sign(k1, _claims({ aud: [CLIENT_ID, "https://api.example.com"] })))
      expectReason(yield* refused(token), "AuthorizedPartyMismatch")
    }))

  it.effect("an azp that is not the client id: AuthorizedPartyMismatch", () =>
    Effect.gen(function*() {
      yield* _at()
      const several = yield* Effect.promise(() => _sign(k1, _claims({ aud: [CLIENT_ID, "client-2"], azp: "client-2" })))
      expectReason(yield* refused(several), "AuthorizedPartyMismatch")
      const single = yield* Effect.promise(() => _sign(k1, _claims({ azp: "client-2" })))
      expectReason(yield* refused(single), "AuthorizedPartyMismatch")
    }))

  it.effect("a token about another user: SubjectMismatch", () =>
    Effect.gen(function*() {
      yield* _at()
      const token = yield* Effect.promise(() => _sign(k1, _claims({ sub: "user-2" })))
      expectReason(yield* refused(token, { subject: SUBJECT }), "SubjectMismatch")
    }))

  it.effect("a token missing sub, exp or iat: MissingClaim", () =>
    Effect.gen(function*() {
      yield* _at()
      for (const claim of ["sub", "exp", "iat", "iss", "aud"]) {
        const token = yield* Effect.promise(() => _sign(k1, _claims({ [claim]: undefined })))
        expectReason(yield* refused(token), "MissingClaim")
      }
    }))

  it.effect("claims of the wrong type: InvalidClaims, naming the claim", () =>
    Effect.gen(function*() {
      yield* _at()
      const token = yield* Effect.promise(() => _sign(k1, _claims({ nonce: 42 })))
      const error = yield* refused(token, { nonce: undefined })
      expectReason(error, "InvalidClaims")
      expect(error.message).toContain("nonce")
    }))

  it.effect("strings that are not a signed JWT: Malformed", () =>
    Effect.gen(function*() {
      yield* _at()
      const valid = yield* Effect.promise(() => _sign(k1))
      const [header, payload, signature] = valid.split(".")
      const malformed = [
        "",
        "not-a-jwt",
        "a.b.c",
        "a.b",
        `${header}.${payload}.${signature}.extra`,
        `${header}.${payload}`,
        `!!!.${payload}.${signature}`,
        `${Buffer.from("[1,2]").toString("base64url")}.${payload}.${signature}`,
        `${Buffer.from("not json").toString("base64url")}.${payload}.${signature}`
      ]
      for (const [index, token] of malformed.entries()) {
        const error = yield* refused(token)
        expect(error._tag, `case ${index}`).toBe("IdTokenError")
        expect(error.reason, `case ${index}`).toBe("Malformed")
      }
    }))

  it.effect("passes the failure to get the keys through as a DiscoveryError", () =>
    Effect.gen(function*() {
      yield* _at()
      const { client } = yield* _fakeHttp(() => Effect.succeed({ status: 503, text: "down" }))
      const remote = yield* Jwks.remote(`${ISSUER}/jwks`).pipe(Effect.provideService(HttpClient.HttpClient, client))
      const token = yield* Effect.promise(() => _sign(k1))
      const error = yield* refused(token, { keys: remote })
      expect(error._tag).toBe("DiscoveryError")
      expect(error.reason).toBe("Status")
    }))

  it("describes the refusal in its message", () => {
    const error = new IdToken.IdTokenError({ reason: "Expired", detail: "the token has expired (exp)" })
    expect(error.message).toBe("ID token rejected (Expired): the token has expired (exp)")
  })
})

describe("IdToken.allowedAlgorithms", () => {
  const metadata = (algs?: ReadonlyArray<string>): ProviderMetadata => ({
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/authorize`,
    token_endpoint: `${ISSUER}/token`,
    jwks_uri: `${ISSUER}/jwks`,
    response_types_supported: ["code"],
    ...(algs === undefined ? {} : { id_token_signing_alg_values_supported: algs })
  })

  it("keeps the advertised asymmetric algorithms and drops none and the HMAC family", () => {
    expect(IdToken.allowedAlgorithms(metadata(["none", "HS256", "RS256", "HS384", "ES256", "HS512", "PS256", "EdDSA"])))
      .toEqual(["RS256", "ES256", "PS256", "EdDSA"])
  })

  it("is RS256 when the provider advertises nothing", () => {
    expect(IdToken.allowedAlgorithms(metadata())).toEqual(["RS256"])
  })

  it("is empty when the provider advertises only none or HMACs, so every token is refused", () => {
    expect(IdToken.allowedAlgorithms(metadata(["none", "HS256"]))).toEqual([])
  })

  it.effect("refuses an HS256 token when the provider advertises HS256", () =>
    Effect.gen(function*() {
      yield* _at()
      const algorithms = IdToken.allowedAlgorithms(metadata(["HS256", "RS256"]))
      const token = yield* Effect.promise(() => _signHmac(new Uint8Array(32)))
      expectReason(yield* refused(token, { algorithms }), "AlgorithmNotAllowed")
      expect((yield* verify(yield* Effect.promise(() => _sign(k1)), { algorithms })).sub).toBe(SUBJECT)
    }))
})

describe("IdToken.decodeClaims", () => {
  const ProviderClaims = Schema.Struct({
    email: Schema.String.pipe(Schema.pattern(/@example\.com$/)),
    email_verified: Schema.Boolean,
    phone_number: Schema.optional(Schema.String)
  })

  it.effect("decodes verified claims with the provider's Schema", () =>
    Effect.gen(function*() {
      yield* _at()
      const token = yield* Effect.promise(() =>
        _sign(k1, _claims({ email_verified: true, phone_number: "+6421234567890" }))
      )
      const decoded = yield* Effect.flatMap(verify(token), IdToken.decodeClaims(ProviderClaims))
      expect(decoded).toEqual({ email: "jane.doe@example.com", email_verified: true, phone_number: "+6421234567890" })
    }))

  it.effect("reports the paths of invalid claims as InvalidClaims, never their values", () =>
    Effect.gen(function*() {
      yield* _at()
      const token = yield* Effect.promise(() =>
        _sign(
          k1,
          _claims({
            email: "alice-private@elsewhere.test",
            email_verified: "maybe-private",
            phone_number: 6421234567890
          })
        )
      )
      const claims = yield* verify(token)
      const error = yield* Effect.flip(IdToken.decodeClaims(ProviderClaims)(claims))
      expectReason(error, "InvalidClaims")
      expect(error.detail).toContain("email")
      expect(error.detail).toContain("email_verified")
      expect(error.detail).toContain("phone_number")
      const text = `${error.message} ${JSON.stringify(error)}`
      expect(text).not.toContain("alice-private")
      expect(text).not.toContain("maybe-private")
      expect(text).not.toContain("6421234567890")
      _expectNoToken(error, token)
    }))
})

describe("IdToken.unverifiedClaims and IdToken.required", () => {
  it.effect("reads the claims of a kept token without checking it", () =>
    Effect.gen(function*() {
      const token = yield* Effect.promise(() => _sign(impostor))
      const claims = yield* IdToken.unverifiedClaims(Redacted.make(token))
      expect(claims.sub).toBe(SUBJECT)
    }))

  it.effect("reports a string that is not a JWT as Malformed without the string", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(IdToken.unverifiedClaims(Redacted.make("opaque-secret-token")))
      expectReason(error, "Malformed")
      _expectNoToken(error, "opaque-secret-token")
    }))

  it.effect("reports claims that are not an ID token's as InvalidClaims", () =>
    Effect.gen(function*() {
      const token = yield* Effect.promise(() => _sign(k1, _claims({ sub: undefined })))
      const error = yield* Effect.flip(IdToken.unverifiedClaims(Redacted.make(token)))
      expectReason(error, "InvalidClaims")
      expect(error.detail).toContain("sub")
      _expectNoToken(error, token)
    }))

  it.effect("required yields the ID token of a response, or Missing", () =>
    Effect.gen(function*() {
      const token = Redacted.make("id.token.value")
      expect(yield* IdToken.required(Option.some(token))).toBe(token)
      expectReason(yield* Effect.flip(IdToken.required(Option.none())), "Missing")
    }))
})
