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
 * @since 0.1.0
 * @category constants
 */
export const maxExpiresIn: number = 365 * 24 * 60 * 60

/**
 * An RFC 6749 §5.1 successful token response. `token_type` is compared case-insensitively by the
 * code that uses it; unknown members are kept in the decoded value.
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
 * @since 0.1.0
 * @category models
 */
export type TokenResponse = typeof TokenResponse.Type

/**
 * An RFC 6749 §5.2 error response.
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
 * @since 0.1.0
 * @category models
 */
export type ErrorResponse = typeof ErrorResponse.Type

/**
 * The members of {@link TokenResponse} that the library models; everything else is `extra`.
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
