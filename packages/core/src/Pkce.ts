/**
 * Proof Key for Code Exchange (RFC 7636) with the `S256` method, and the random values an
 * authorization request needs (`state`, `nonce`), all from the platform's CSPRNG
 * (`crypto.getRandomValues`).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { base64url } from "jose"

/**
 * A PKCE pair: the secret `verifier` kept by the client until the code exchange, and the
 * `challenge` sent in the authorization request.
 *
 * @example
 * ```ts
 * import type { Pkce } from "@auth-pipeline/core"
 *
 * const authorizationParams = (pkce: Pkce.Pkce) => ({
 *   code_challenge: pkce.challenge,
 *   code_challenge_method: pkce.method
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Pkce {
  /** The code verifier (43 unreserved characters), sent only with the code exchange. */
  readonly verifier: Redacted.Redacted<string>
  /** `BASE64URL(SHA256(verifier))`, sent as `code_challenge` in the authorization request. */
  readonly challenge: string
  /** The `code_challenge_method`: always `S256` (`plain` is not offered). */
  readonly method: "S256"
}

/**
 * `length` bytes from the CSPRNG, base64url-encoded without padding: 32 bytes give 43 characters
 * (256 bits), the size RFC 7636 §7.1 recommends for a verifier and ample for `state` and `nonce`.
 *
 * @example
 * ```ts
 * import { Pkce } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const state = Effect.runSync(Pkce.randomToken())
 * assert.strictEqual(state.length, 43)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const randomToken = (length = 32): Effect.Effect<string> =>
  Effect.sync(() => base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(length))))

const verifierPattern = /^[A-Za-z0-9\-._~]{43,128}$/

/**
 * Whether `verifier` is a valid code verifier: 43 to 128 unreserved characters (RFC 7636 §4.1).
 *
 * @example
 * ```ts
 * import { Pkce } from "@auth-pipeline/core"
 *
 * assert.ok(Pkce.isValidVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
 * assert.ok(!Pkce.isValidVerifier("too-short"))
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isValidVerifier = (verifier: string): boolean => verifierPattern.test(verifier)

/**
 * The `S256` challenge of a verifier: `BASE64URL(SHA256(ASCII(verifier)))` (RFC 7636 §4.2).
 * Dies on an invalid verifier (see {@link isValidVerifier}): that is a programming error.
 *
 * @example
 * ```ts
 * import { Pkce } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * // the RFC 7636 Appendix B vector
 * Effect.runPromise(Pkce.challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).then((challenge) =>
 *   assert.strictEqual(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const challengeOf = (verifier: string | Redacted.Redacted<string>): Effect.Effect<string> => {
  const plain = typeof verifier === "string" ? verifier : Redacted.value(verifier)
  if (!isValidVerifier(plain)) {
    return Effect.dieMessage("PKCE code verifier must be 43-128 unreserved characters (RFC 7636 §4.1)")
  }
  return Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(plain))).pipe(
    Effect.map((digest) => base64url.encode(new Uint8Array(digest)))
  )
}

/**
 * A fresh PKCE pair: a 43-character verifier from 32 random bytes and its `S256` challenge.
 *
 * @example
 * ```ts
 * import { Pkce } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const pkce = yield* Pkce.make
 *   // send pkce.challenge with the authorization request, keep pkce.verifier for the code exchange
 *   assert.strictEqual(yield* Pkce.challengeOf(pkce.verifier), pkce.challenge)
 * })
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Pkce> = Effect.flatMap(
  randomToken(32),
  (verifier) =>
    Effect.map(challengeOf(verifier), (challenge): Pkce => ({
      verifier: Redacted.make(verifier),
      challenge,
      method: "S256"
    }))
)
