/**
 * Wire schemas of the token endpoint's answers: RFC 6749 §5.1 (success) and §5.2 (error). Field
 * names stay as on the wire; fields not modelled here are kept.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * `expires_in`: a non-negative finite number of seconds, sent as a JSON number or a numeric string.
 *
 * @example
 * ```ts
 * import { TokenResponse } from "@auth-pipeline/core"
 * import { Schema } from "effect"
 *
 * assert.strictEqual(Schema.decodeUnknownSync(TokenResponse.ExpiresIn)("3600"), 3600)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ExpiresIn = Schema.Union(Schema.Number, Schema.NumberFromString).pipe(
  Schema.filter((n) => Number.isFinite(n) && n >= 0, {
    message: () => "expires_in must be a finite number of seconds >= 0"
  })
)

/**
 * The longest lifetime a token is given, in seconds: one year. A larger `expires_in` (a server's
 * "never expires", or a value past the range of `Date`) is clamped to it, so every token's
 * `expiresAt` is a valid date and it is refreshed at least once a year.
 *
 * @example
 * ```ts
 * import { TokenResponse } from "@auth-pipeline/core"
 *
 * assert.strictEqual(TokenResponse.maxExpiresIn, 31_536_000)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const maxExpiresIn: number = 365 * 24 * 60 * 60

/**
 * An RFC 6749 §5.1 successful token response. `token_type` is compared case-insensitively by the
 * code that uses it; unknown members are kept in the decoded value.
 *
 * @example
 * ```ts
 * import { TokenResponse } from "@auth-pipeline/core"
 * import { Schema } from "effect"
 *
 * const body = Schema.decodeUnknownSync(TokenResponse.TokenResponse)({
 *   access_token: "at-1",
 *   token_type: "bearer",
 *   expires_in: 3600,
 *   refresh_expires_in: 1800
 * })
 * assert.strictEqual(body.refresh_expires_in, 1800) // unknown members are kept
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokenResponse = Schema.Struct(
  {
    access_token: Schema.NonEmptyString,
    token_type: Schema.NonEmptyString,
    expires_in: Schema.optional(ExpiresIn),
    refresh_token: Schema.optional(Schema.NonEmptyString),
    scope: Schema.optional(Schema.String),
    id_token: Schema.optional(Schema.NonEmptyString)
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * A decoded {@link TokenResponse}: the §5.1 fields plus any other members as `unknown`.
 *
 * @example
 * ```ts
 * import type { TokenResponse } from "@auth-pipeline/core"
 *
 * const lifetime = (body: TokenResponse.TokenResponse): number | undefined => body.expires_in
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TokenResponse = typeof TokenResponse.Type

/**
 * An RFC 6749 §5.2 error response.
 *
 * @example
 * ```ts
 * import { TokenResponse } from "@auth-pipeline/core"
 * import { Schema } from "effect"
 *
 * const body = Schema.decodeUnknownSync(TokenResponse.ErrorResponse)({
 *   error: "invalid_client",
 *   error_description: "Client authentication failed"
 * })
 * assert.strictEqual(body.error, "invalid_client")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorResponse = Schema.Struct(
  {
    error: Schema.NonEmptyString,
    error_description: Schema.optional(Schema.String),
    error_uri: Schema.optional(Schema.String)
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * A decoded {@link ErrorResponse}: `error`, the optional description and URI, other members as `unknown`.
 *
 * @example
 * ```ts
 * import type { TokenResponse } from "@auth-pipeline/core"
 *
 * const summary = (body: TokenResponse.ErrorResponse): string =>
 *   body.error_description === undefined ? body.error : `${body.error}: ${body.error_description}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ErrorResponse = typeof ErrorResponse.Type

/**
 * The members of {@link TokenResponse} that the library models; everything else is `extra`.
 *
 * @example
 * ```ts
 * import { TokenResponse } from "@auth-pipeline/core"
 *
 * const body: Record<string, unknown> = { access_token: "at-1", token_type: "Bearer", refresh_expires_in: 1800 }
 * const extra = Object.keys(body).filter((key) => !TokenResponse.knownFields.has(key))
 * assert.deepStrictEqual(extra, ["refresh_expires_in"])
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const knownFields: ReadonlySet<string> = new Set([
  "access_token",
  "token_type",
  "expires_in",
  "refresh_token",
  "scope",
  "id_token"
])
