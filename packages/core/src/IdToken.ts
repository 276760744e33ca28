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
 * @since 0.1.0
 * @category errors
 */
export class IdTokenError extends Data.TaggedError("IdTokenError")<{
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
  readonly detail: string
}> {
  /** @since 0.1.0 */
  override get message(): string {
    return `ID token rejected (${this.reason}): ${this.detail}`
  }
}

/**
 * The claims every verified ID token has (Core 1.0 §2), with the rest kept.
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
 * @since 0.1.0
 * @category models
 */
export type IdTokenClaims = typeof IdTokenClaims.Type

/**
 * The asymmetric JWS algorithms accepted for ID tokens. `none` and the HMAC family are never
 * accepted: a public client has no secret to check an HMAC with.
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
 * @since 0.1.0
 * @category defaults
 */
export const defaultClockTolerance: Duration.Duration = Duration.seconds(30)

/**
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
