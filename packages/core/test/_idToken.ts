/**
 * ID tokens for tests: signing keys generated with jose, tokens signed with `SignJWT`, unsecured
 * (`alg: none`) tokens crafted by hand, and a clock set to a fixed instant.
 */
import { renderings } from "@auth-pipeline/testing/Observe"
import { TestClock } from "effect"
import { base64url, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose"
import { expect } from "vitest"

export const ISSUER = "https://auth.example.com"
export const CLIENT_ID = "client-1"
export const SUBJECT = "user-1"
export const NONCE = "n-0S6_WzA2Mj"
/** The instant the tests run at, in seconds since the epoch. */
export const NOW = 1_750_000_000

/** Sets the TestClock to `NOW + offset` seconds. */
export const _at = (offsetSeconds = 0) => TestClock.setTime((NOW + offsetSeconds) * 1000)

export interface SigningKey {
  readonly kid: string
  readonly alg: string
  readonly privateKey: CryptoKey
  /** The public key as a JWK, with `kid`, `alg` and `use`. */
  readonly jwk: JWK
}

export const _signingKey = async (kid: string, alg = "RS256"): Promise<SigningKey> => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } }
}

/** Standard claims for a fresh token; a member set to `undefined` is left out. */
export const _claims = (overrides: Record<string, unknown> = {}): JWTPayload => {
  const claims: Record<string, unknown> = {
    iss: ISSUER,
    sub: SUBJECT,
    aud: CLIENT_ID,
    iat: NOW,
    exp: NOW + 600,
    nonce: NONCE,
    email: "jane.doe@example.com",
    ...overrides
  }
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k]
  return claims as JWTPayload
}

/** Signs `claims` with `key`; `header` adds or (with `undefined`) removes header members. */
export const _sign = (
  key: SigningKey,
  claims: JWTPayload = _claims(),
  header: Record<string, unknown> = {}
): Promise<string> => {
  const protectedHeader: Record<string, unknown> = { alg: key.alg, kid: key.kid, typ: "JWT", ...header }
  for (const [k, v] of Object.entries(protectedHeader)) if (v === undefined) delete protectedHeader[k]
  return new SignJWT(claims).setProtectedHeader(protectedHeader as { alg: string }).sign(key.privateKey)
}

/** Signs with an HMAC secret: what an attacker holding only public data can produce. */
export const _signHmac = (secret: Uint8Array, claims: JWTPayload = _claims(), kid?: string): Promise<string> =>
  new SignJWT(claims).setProtectedHeader(kid === undefined ? { alg: "HS256" } : { alg: "HS256", kid }).sign(secret)

const segment = (json: unknown) => base64url.encode(new TextEncoder().encode(JSON.stringify(json)))

/** An unsecured JWT (RFC 7519 §6): `alg: none` and an empty signature. */
export const _unsecured = (claims: JWTPayload = _claims(), header: Record<string, unknown> = {}): string =>
  `${segment({ alg: "none", typ: "JWT", ...header })}.${segment(claims)}.`

/** Asserts that no rendering of `error` holds the token or its payload or signature. */
export const _expectNoToken = (error: unknown, token: string): void => {
  const text = renderings(error)
  if (token.length > 0) expect(text).not.toContain(token)
  for (const part of token.split(".")) {
    if (part.length >= 8) expect(text).not.toContain(part)
  }
}
