/**
 * The claims of a Centrapay user ID token, as the docs list them ("Claims"): `sub` (the
 * Centrapay user id) always, and at least one of `phone_number` or `email`; the others when the
 * user has them.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The documented claims of a Centrapay ID token. Other claims (`iss`, `aud`, `exp`, ...) are
 * checked by the verification and not repeated here.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Claims } from "@auth-pipeline/centrapay"
 *
 * const user = Schema.decodeUnknownSync(Claims.Claims)({ sub: "user-1", phone_number: "+6421234567890" })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Claims = Schema.Struct({
  /** Centrapay user id. */
  sub: Schema.NonEmptyString,
  /** Email address. */
  email: Schema.optional(Schema.String),
  /** Phone number. */
  phone_number: Schema.optional(Schema.String),
  /** Given name(s). */
  given_name: Schema.optional(Schema.String),
  /** Surname. */
  family_name: Schema.optional(Schema.String),
  /** Centrapay user handle. */
  preferred_username: Schema.optional(Schema.String),
  /** The phone number has been verified (can be used for account recovery). */
  phone_number_verified: Schema.optional(Schema.Boolean),
  /** The email has been verified (can be used for account recovery). */
  email_verified: Schema.optional(Schema.Boolean)
}).pipe(
  Schema.filter((claims) => claims.email !== undefined || claims.phone_number !== undefined, {
    message: () => "a Centrapay ID token carries at least one of email or phone_number"
  })
)

/**
 * The decoded {@link Claims} of a Centrapay user.
 *
 * @example
 * ```ts
 * import type { Claims } from "@auth-pipeline/centrapay"
 *
 * const contact = (claims: Claims.Claims): string => claims.email ?? claims.phone_number ?? claims.sub
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Claims = typeof Claims.Type

/**
 * The claim names of Centrapay's claims table, in the table's order (for showing a user's
 * claims, e.g. the CLI's `whoami` and the web example).
 *
 * @example
 * ```ts
 * import { Claims } from "@auth-pipeline/centrapay"
 *
 * const rows = (claims: Claims.Claims) =>
 *   Claims.names.filter((name) => claims[name] !== undefined).map((name) => [name, String(claims[name])])
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const names = [
  "sub",
  "email",
  "email_verified",
  "phone_number",
  "phone_number_verified",
  "given_name",
  "family_name",
  "preferred_username"
] as const satisfies ReadonlyArray<keyof Claims>
