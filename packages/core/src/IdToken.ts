/**
 * Verification of OpenID Connect ID tokens (Core 1.0 §3.1.3.7) with `jose`: the signature against
 * the provider's JWKS with an allow-list of asymmetric algorithms (never `none`, never an HMAC),
 * `iss`, `aud` (and `azp`), `exp` / `iat` with a small clock tolerance measured on `Clock` (so
 * `TestClock` drives it), and the `nonce` of the authorization request. Claims are then decoded
 * with the caller's Schema.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { JWTPayload } from "jose"
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose"
import { constantTimeEqual, reveal } from "./internal/redact.js"
import { invalidPaths } from "./internal/schemaIssues.js"
import type { Jwks } from "./Jwks.js"
import type { DiscoveryError, ProviderMetadata } from "./OidcDiscovery.js"

/**
 * Why an ID token was refused. `detail` names the failed check; it never holds the token.
 * `KeysUnavailable`: the provider's keys could not be fetched to check a refreshed token (during a
 * login that is a `DiscoveryError` instead).
 *
 * @example
 * ```ts
 * import { IdToken } from "@auth-pipeline/core"
 * import { Effect, Redacted } from "effect"
 *
 * const claimsOrLogin = (idToken: Redacted.Redacted<string>, options: IdToken.VerifyOptions) =>
 *   IdToken.verify(idToken, options).pipe(
 *     Effect.catchTag("IdTokenError", (error) =>
 *       error.reason === "Expired" ? Effect.succeed(null) : Effect.fail(error))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class IdTokenError extends Data.TaggedError("IdTokenError")<{
  /** The check that failed, e.g. `InvalidSignature`, `AudienceMismatch`, `Expired`, `NonceMismatch`. */
  readonly reason:
    | "Malformed"
    | "AlgorithmNotAllowed"
    | "UnknownKey"
    | "InvalidSignature"
    | "IssuerMismatch"
    | "AudienceMismatch"
    | "AuthorizedPartyMismatch"
    | "Expired"
    | "IssuedInFuture"
    | "NotYetValid"
    | "NonceMismatch"
    | "SubjectMismatch"
    | "MissingClaim"
    | "InvalidClaims"
    | "Missing"
    | "KeysUnavailable"
  /** The failed check in words (from `jose` or a claim path); never the token itself. */
  readonly detail: string
}> {
  /**
   * `ID token rejected (<reason>): <detail>`.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `ID token rejected (${this.reason}): ${this.detail}`
  }
}

/**
 * The claims every verified ID token has (Core 1.0 §2), with the rest kept.
 *
 * @example
 * ```ts
 * import { IdToken } from "@auth-pipeline/core"
 * import { Schema } from "effect"
 *
 * const claims = Schema.decodeUnknownSync(IdToken.IdTokenClaims)({
 *   iss: "https://id.example.com",
 *   sub: "user-1",
 *   aud: "my-app",
 *   exp: 1_700_000_300,
 *   iat: 1_700_000_000,
 *   email: "ada@example.com"
 * })
 * assert.strictEqual(claims.email, "ada@example.com") // other claims are kept
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const IdTokenClaims = Schema.Struct(
  {
    iss: Schema.String,
    sub: Schema.NonEmptyString,
    aud: Schema.Union(Schema.String, Schema.Array(Schema.String)),
    exp: Schema.Number,
    iat: Schema.Number,
    nonce: Schema.optional(Schema.String),
    azp: Schema.optional(Schema.String),
    auth_time: Schema.optional(Schema.Number)
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * Decoded {@link IdTokenClaims}: the standard claims, others as `unknown`.
 *
 * @example
 * ```ts
 * import type { IdToken } from "@auth-pipeline/core"
 *
 * const expiresAt = (claims: IdToken.IdTokenClaims): Date => new Date(claims.exp * 1000)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type IdTokenClaims = typeof IdTokenClaims.Type

/**
 * The asymmetric JWS algorithms accepted for ID tokens. `none` and the HMAC family are never
 * accepted: a public client has no secret to check an HMAC with.
 *
 * @example
 * ```ts
 * import { IdToken } from "@auth-pipeline/core"
 *
 * assert.ok(IdToken.asymmetricAlgorithms.includes("ES256"))
 * assert.ok(!IdToken.asymmetricAlgorithms.includes("HS256"))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const asymmetricAlgorithms: ReadonlyArray<string> = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519"
]

/**
 * The algorithms to accept for a provider: those it advertises in
 * `id_token_signing_alg_values_supported` that are in {@link asymmetricAlgorithms}, or `RS256`
 * (the OpenID Connect default) when it advertises none.
 *
 * @example
 * ```ts
 * import { IdToken, OidcDiscovery } from "@auth-pipeline/core"
 * import { Schema } from "effect"
 *
 * const metadata = Schema.decodeUnknownSync(OidcDiscovery.ProviderMetadata)({
 *   issuer: "https://id.example.com",
 *   authorization_endpoint: "https://id.example.com/auth",
 *   token_endpoint: "https://id.example.com/token",
 *   jwks_uri: "https://id.example.com/jwks",
 *   response_types_supported: ["code"],
 *   id_token_signing_alg_values_supported: ["RS256", "HS256", "none"]
 * })
 * assert.deepStrictEqual(IdToken.allowedAlgorithms(metadata), ["RS256"])
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const allowedAlgorithms = (metadata: ProviderMetadata): ReadonlyArray<string> => {
  const advertised = metadata.id_token_signing_alg_values_supported
  if (advertised === undefined) return ["RS256"]
  return advertised.filter((alg) => asymmetricAlgorithms.includes(alg))
}

/**
 * The default clock tolerance for `exp` and `iat`: 30 s.
 *
 * @example
 * ```ts
 * import { IdToken } from "@auth-pipeline/core"
 * import { Duration } from "effect"
 *
 * assert.ok(Duration.equals(IdToken.defaultClockTolerance, Duration.seconds(30)))
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultClockTolerance: Duration.Duration = Duration.seconds(30)

/**
 * What an ID token is checked against: the issuer, the client, the keys and the algorithms, and for a
 * login the `nonce` (for a refresh, the `subject`).
 *
 * @example
 * ```ts
 * import { IdToken, Jwks, type OidcDiscovery } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const verifyOptions = (metadata: OidcDiscovery.ProviderMetadata, nonce: string) =>
 *   Effect.map(Jwks.remote(metadata.jwks_uri), (keys): IdToken.VerifyOptions => ({
 *     issuer: metadata.issuer,
 *     clientId: "my-app",
 *     keys,
 *     algorithms: IdToken.allowedAlgorithms(metadata),
 *     nonce
 *   }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface VerifyOptions {
  /** The expected `iss`: the issuer of the discovery document. */
  readonly issuer: string
  /** The expected audience: the client id. */
  readonly clientId: string
  /** The provider's keys. */
  readonly keys: Jwks
  /** Accepted algorithms (see {@link allowedAlgorithms}); others are refused before any key is used. */
  readonly algorithms: ReadonlyArray<string>
  /**
   * The `nonce` sent in the authorization request: the token must carry exactly this one. Leave it
   * out for a token from a refresh, which need not carry one (Core 1.0 §12.2).
   */
  readonly nonce?: string | Redacted.Redacted<string> | undefined
  /** The subject the token must be about (a refresh must not change the user, Core 1.0 §12.2). */
  readonly subject?: string | undefined
  /** Allowed clock skew for `exp` and `iat`. Default {@link defaultClockTolerance}. */
  readonly clockTolerance?: Duration.DurationInput | undefined
}

const fail = (reason: IdTokenError["reason"], detail: string) => Effect.fail(new IdTokenError({ reason, detail }))

const fromJose = (error: unknown): IdTokenError => {
  const e = error as { code?: unknown; claim?: unknown; reason?: unknown; message?: unknown }
  const message = typeof e.message === "string" ? e.message : String(error)
  switch (e.code) {
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return new IdTokenError({ reason: "InvalidSignature", detail: "the signature does not verify" })
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return new IdTokenError({ reason: "AlgorithmNotAllowed", detail: message })
    case "ERR_JWKS_NO_MATCHING_KEY":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return new IdTokenError({ reason: "UnknownKey", detail: message })
    case "ERR_JWT_EXPIRED":
      return new IdTokenError({ reason: "Expired", detail: "the token has expired (exp)" })
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      if (e.reason === "missing") return new IdTokenError({ reason: "MissingClaim", detail: message })
      if (e.claim === "iss") return new IdTokenError({ reason: "IssuerMismatch", detail: message })
      if (e.claim === "aud") return new IdTokenError({ reason: "AudienceMismatch", detail: message })
      if (e.claim === "nbf") return new IdTokenError({ reason: "NotYetValid", detail: message })
      return new IdTokenError({ reason: "InvalidClaims", detail: message })
    default:
      return new IdTokenError({ reason: "Malformed", detail: message })
  }
}

const invalidClaims = (error: ParseResult.ParseError): IdTokenError =>
  new IdTokenError({ reason: "InvalidClaims", detail: `invalid claim(s): ${invalidPaths(error, "(claims)")}` })

const decodeIdTokenClaims = Schema.decodeUnknown(IdTokenClaims, { errors: "all" })

/**
 * Verifies an ID token and yields its claims. The checks, in order: the header's `alg` is allowed;
 * the signature verifies with a key of the set (fetched again once if the key is unknown);
 * `iss`; `aud` holds the client id and, with several audiences, `azp` is the client id; `exp` is
 * in the future and `iat` not in the future (both within the tolerance); `nonce`; `sub`.
 *
 * @example
 * ```ts
 * import { IdToken, Jwks } from "@auth-pipeline/core"
 * import { Effect, Redacted } from "effect"
 * import { exportJWK, generateKeyPair, SignJWT } from "jose"
 *
 * const program = Effect.gen(function*() {
 *   const { privateKey, publicKey } = yield* Effect.promise(() => generateKeyPair("ES256"))
 *   const jwk = { ...(yield* Effect.promise(() => exportJWK(publicKey))), kid: "k1" }
 *   const idToken = yield* Effect.promise(() =>
 *     new SignJWT({ nonce: "n-1" }).setProtectedHeader({ alg: "ES256", kid: "k1" }).setIssuer("https://id.example.com")
 *       .setSubject("user-1").setAudience("my-app").setIssuedAt().setExpirationTime("5m").sign(privateKey)
 *   )
 *   const claims = yield* IdToken.verify(Redacted.make(idToken), {
 *     issuer: "https://id.example.com",
 *     clientId: "my-app",
 *     keys: Jwks.fromKeys({ keys: [jwk] }),
 *     algorithms: ["ES256"],
 *     nonce: "n-1"
 *   })
 *   assert.strictEqual(claims.sub, "user-1")
 * })
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category verification
 */
export const verify = (
  token: Redacted.Redacted<string>,
  options: VerifyOptions
): Effect.Effect<IdTokenClaims, IdTokenError | DiscoveryError> =>
  Effect.gen(function*() {
    const jwt = Redacted.value(token)
    const header = yield* Effect.try({
      try: () => decodeProtectedHeader(jwt),
      catch: () => new IdTokenError({ reason: "Malformed", detail: "not a JWS compact serialization" })
    })
    if (typeof header.alg !== "string" || !options.algorithms.includes(header.alg)) {
      return yield* fail(
        "AlgorithmNotAllowed",
        `alg ${JSON.stringify(header.alg)} is not one of ${options.algorithms.join(", ")}`
      )
    }
    const tolerance = Duration.toSeconds(Duration.decode(options.clockTolerance ?? defaultClockTolerance))
    const now = yield* Clock.currentTimeMillis
    const verifyOptions = {
      issuer: options.issuer,
      audience: options.clientId,
      algorithms: [...options.algorithms],
      clockTolerance: tolerance,
      currentDate: new Date(now),
      requiredClaims: ["iss", "sub", "aud", "exp", "iat"]
    }
    const attempt = (keys: Parameters<typeof createLocalJWKSet>[0]) =>
      Effect.tryPromise({
        try: async () => {
          try {
            return await jwtVerify(jwt, createLocalJWKSet(keys), verifyOptions)
          } catch (error) {
            // A token without `kid` and a set with several keys of its type: try each candidate.
            if ((error as { code?: unknown }).code !== "ERR_JWKS_MULTIPLE_MATCHING_KEYS") throw error
            let last: unknown = error
            for await (const key of error as AsyncIterable<CryptoKey>) {
              try {
                return await jwtVerify(jwt, key, verifyOptions)
              } catch (e) {
                last = e
                if ((e as { code?: unknown }).code !== "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") throw e
              }
            }
            throw last
          }
        },
        catch: fromJose
      })
    const verified = yield* Effect.flatMap(options.keys.get, attempt).pipe(
      Effect.catchIf(
        (e) => e.reason === "UnknownKey",
        () => Effect.flatMap(options.keys.refresh, attempt)
      )
    )
    const payload: JWTPayload = verified.payload
    const claims = yield* decodeIdTokenClaims(payload).pipe(
      Effect.mapError(invalidClaims)
    )
    if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp === undefined) {
      return yield* fail("AuthorizedPartyMismatch", "several audiences and no azp")
    }
    if (claims.azp !== undefined && claims.azp !== options.clientId) {
      return yield* fail("AuthorizedPartyMismatch", "azp is not the client id")
    }
    if (claims.iat > now / 1000 + tolerance) {
      return yield* fail("IssuedInFuture", "iat is in the future")
    }
    if (options.nonce !== undefined) {
      if (claims.nonce === undefined) return yield* fail("NonceMismatch", "the token carries no nonce")
      if (!constantTimeEqual(claims.nonce, reveal(options.nonce))) {
        return yield* fail("NonceMismatch", "the nonce is not the one sent in the authorization request")
      }
    }
    if (options.subject !== undefined && claims.sub !== options.subject) {
      return yield* fail("SubjectMismatch", "sub differs from the session's subject")
    }
    return claims
  })

/**
 * Reads the claims of an ID token WITHOUT verifying it: for a token verified when it was obtained
 * and kept since (e.g. in a token store). Never use it on a token from elsewhere.
 *
 * @example
 * ```ts
 * import { IdToken } from "@auth-pipeline/core"
 * import { Effect, Option, Redacted } from "effect"
 *
 * // the id token kept with a session, verified when the session was obtained
 * const currentUser = (storedIdToken: Option.Option<Redacted.Redacted<string>>) =>
 *   Effect.flatMap(IdToken.required(storedIdToken), IdToken.unverifiedClaims).pipe(
 *     Effect.map((claims) => claims.sub)
 *   )
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const unverifiedClaims = (token: Redacted.Redacted<string>): Effect.Effect<IdTokenClaims, IdTokenError> =>
  Effect.try({
    try: () => decodeJwt(Redacted.value(token)),
    catch: () => new IdTokenError({ reason: "Malformed", detail: "not a JWT" })
  }).pipe(
    Effect.flatMap((payload) =>
      decodeIdTokenClaims(payload).pipe(
        Effect.mapError(invalidClaims)
      )
    )
  )

/**
 * Decodes verified claims with a provider's Schema (e.g. the claims it documents); a mismatch is
 * an `IdTokenError` with reason `InvalidClaims` naming the paths, not the values.
 *
 * @example
 * ```ts
 * import { IdToken } from "@auth-pipeline/core"
 * import { Effect, Schema } from "effect"
 *
 * const ShopClaims = Schema.Struct({ sub: Schema.String, email: Schema.String, roles: Schema.Array(Schema.String) })
 * const shopClaims = (claims: IdToken.IdTokenClaims) => IdToken.decodeClaims(ShopClaims)(claims)
 *
 * const claims = { iss: "https://id.example.com", sub: "user-1", aud: "my-app", exp: 0, iat: 0 }
 * Effect.runPromise(Effect.flip(shopClaims(claims))).then((error) => assert.strictEqual(error.reason, "InvalidClaims"))
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeClaims =
  <A, I>(schema: Schema.Schema<A, I>) => (claims: IdTokenClaims): Effect.Effect<A, IdTokenError> =>
    Schema.decodeUnknown(schema, { errors: "all" })(claims).pipe(
      Effect.mapError(invalidClaims)
    )

/**
 * The ID token of a token response, or `IdTokenError` (`Missing`) when an OpenID Connect
 * response lacks one.
 *
 * @example
 * ```ts
 * import { IdToken } from "@auth-pipeline/core"
 * import { Effect, Exit, Option } from "effect"
 *
 * const exit = Effect.runSyncExit(IdToken.required(Option.none()))
 * assert.ok(Exit.isFailure(exit)) // IdTokenError with reason "Missing"
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const required = (
  idToken: Option.Option<Redacted.Redacted<string>>
): Effect.Effect<Redacted.Redacted<string>, IdTokenError> =>
  Option.match(idToken, {
    onNone: () => fail("Missing", "the token response carries no id_token"),
    onSome: Effect.succeed
  })
