import { renderings } from "@auth-pipeline/testing/Observe"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Redacted } from "effect"
import * as Pkce from "../src/Pkce.js"

// RFC 7636 Appendix B.
const rfcVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
const rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

describe("Pkce.challengeOf", () => {
  it.effect("computes the S256 challenge of the RFC 7636 Appendix B verifier", () =>
    Effect.gen(function*() {
      expect(yield* Pkce.challengeOf(rfcVerifier)).toBe(rfcChallenge)
    }))

  it.effect("accepts the verifier as a Redacted value", () =>
    Effect.gen(function*() {
      expect(yield* Pkce.challengeOf(Redacted.make(rfcVerifier))).toBe(rfcChallenge)
    }))

  it.effect("dies on a verifier that is too short, too long or has characters outside the unreserved set", () =>
    Effect.gen(function*() {
      const invalid = [
        "",
        "a".repeat(42),
        "a".repeat(129),
        rfcVerifier + "+",
        rfcVerifier + "/",
        rfcVerifier + "=",
        rfcVerifier + " ",
        rfcVerifier + "é"
      ]
      for (const verifier of invalid) {
        const exit = yield* Effect.exit(Pkce.challengeOf(verifier))
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause), verifier).toBe(true)
      }
    }))
})

describe("Pkce.isValidVerifier", () => {
  it("accepts 43 to 128 unreserved characters (ALPHA / DIGIT / - . _ ~)", () => {
    expect(Pkce.isValidVerifier(rfcVerifier)).toBe(true)
    expect(Pkce.isValidVerifier("a".repeat(43))).toBe(true)
    expect(Pkce.isValidVerifier("a".repeat(128))).toBe(true)
    expect(Pkce.isValidVerifier("-._~".repeat(11))).toBe(true)
    expect(Pkce.isValidVerifier("AZaz09".repeat(8))).toBe(true)
  })

  it("refuses lengths outside 43..128 and reserved or non-ASCII characters", () => {
    expect(Pkce.isValidVerifier("")).toBe(false)
    expect(Pkce.isValidVerifier("a".repeat(42))).toBe(false)
    expect(Pkce.isValidVerifier("a".repeat(129))).toBe(false)
    for (const c of ["+", "/", "=", " ", "%", "é", "\n"]) {
      expect(Pkce.isValidVerifier("a".repeat(42) + c), JSON.stringify(c)).toBe(false)
    }
  })
})

describe("Pkce.make", () => {
  it.effect("yields a 43-character valid verifier whose S256 challenge is the one returned", () =>
    Effect.gen(function*() {
      const pkce = yield* Pkce.make
      const verifier = Redacted.value(pkce.verifier)
      expect(verifier).toHaveLength(43)
      expect(Pkce.isValidVerifier(verifier)).toBe(true)
      expect(pkce.method).toBe("S256")
      expect(pkce.challenge).toBe(yield* Pkce.challengeOf(verifier))
      expect(pkce.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/)
    }))

  it.effect("yields a different verifier and challenge on every call", () =>
    Effect.gen(function*() {
      const pairs = yield* Effect.all(Array.from({ length: 20 }, () => Pkce.make))
      expect(new Set(pairs.map((p) => Redacted.value(p.verifier))).size).toBe(20)
      expect(new Set(pairs.map((p) => p.challenge)).size).toBe(20)
    }))

  it.effect("keeps the verifier out of String(), JSON and inspection", () =>
    Effect.gen(function*() {
      const pkce = yield* Pkce.make
      const verifier = Redacted.value(pkce.verifier)
      expect(String(pkce.verifier)).not.toContain(verifier)
      expect(JSON.stringify(pkce)).not.toContain(verifier)
      expect(renderings(pkce)).not.toContain(verifier)
      expect(JSON.stringify(pkce)).toContain(pkce.challenge)
    }))
})

describe("Pkce.randomToken", () => {
  it.effect("is base64url without padding: 32 bytes give 43 characters, 16 bytes 22", () =>
    Effect.gen(function*() {
      const a = yield* Pkce.randomToken()
      const b = yield* Pkce.randomToken()
      expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(a).not.toBe(b)
      expect(yield* Pkce.randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/)
    }))
})
