/**
 * The token a grant yields: the secret values wrapped in `Redacted`, the type, the granted scopes,
 * and when it was issued and expires, measured from the moment its request was sent.
 *
 * @since 0.1.0
 */
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { redactJson } from "./internal/redact.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@auth-pipeline/core/AccessToken")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The fields of an {@link AccessToken}.
 *
 * @since 0.1.0
 * @category models
 */
export interface AccessTokenProps {
  /** The access token itself. */
  readonly value: Redacted.Redacted<string>
  /** The token type as the server sent it, with any casing of `bearer` normalised to `Bearer`. */
  readonly tokenType: string
  /** The granted scopes: the response's `scope`, or the requested scopes when the response omits it (RFC 6749 §5.1). */
  readonly scopes: ReadonlyArray<string>
  /** Epoch milliseconds (from `Clock`) at which the token request was SENT. */
  readonly issuedAt: number
  /** Epoch milliseconds at which the token expires: `issuedAt + expires_in`. `None` when the server sent no `expires_in`. */
  readonly expiresAt: Option.Option<number>
  /** The refresh token, when one was issued (or kept from the token it refreshed). */
  readonly refreshToken: Option.Option<Redacted.Redacted<string>>
  /** The OpenID Connect id token, when one was issued (not verified here). */
  readonly idToken: Option.Option<Redacted.Redacted<string>>
  /** Every response field this library does not model, as received (e.g. Paysera's `refresh_expires_in`). */
  readonly extra: Readonly<Record<string, unknown>>
}

/** An epoch time as an ISO date; a time outside `Date`'s range (which `toISOString` throws on) as its number. */
const isoDate = (millis: number): string => {
  const date = new Date(millis)
  return Number.isNaN(date.getTime()) ? String(millis) : date.toISOString()
}

/**
 * An OAuth 2.0 access token. Its secrets are `Redacted`: `toString`, `JSON.stringify` and
 * `util.inspect` never show them. Two tokens are `Equal` when their values are the same.
 *
 * @since 0.1.0
 * @category models
 */
export class AccessToken implements AccessTokenProps, Equal.Equal, Inspectable.Inspectable {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  readonly value: Redacted.Redacted<string>
  /** @since 0.1.0 */
  readonly tokenType: string
  /** @since 0.1.0 */
  readonly scopes: ReadonlyArray<string>
  /** @since 0.1.0 */
  readonly issuedAt: number
  /** @since 0.1.0 */
  readonly expiresAt: Option.Option<number>
  /** @since 0.1.0 */
  readonly refreshToken: Option.Option<Redacted.Redacted<string>>
  /** @since 0.1.0 */
  readonly idToken: Option.Option<Redacted.Redacted<string>>
  /** @since 0.1.0 */
  readonly extra: Readonly<Record<string, unknown>>

  constructor(props: AccessTokenProps) {
    this.value = props.value
    this.tokenType = props.tokenType
    this.scopes = props.scopes
    this.issuedAt = props.issuedAt
    this.expiresAt = props.expiresAt
    this.refreshToken = props.refreshToken
    this.idToken = props.idToken
    this.extra = props.extra
  }

  /** @since 0.1.0 */
  [Equal.symbol](that: Equal.Equal): boolean {
    return isAccessToken(that) && sameValue(this, that)
  }

  /** @since 0.1.0 */
  [Hash.symbol](): number {
    return Hash.cached(this, Hash.string(Redacted.value(this.value)))
  }

  /** @since 0.1.0 */
  toJSON(): unknown {
    return {
      _id: "AccessToken",
      value: "<redacted>",
      tokenType: this.tokenType,
      scopes: this.scopes,
      issuedAt: isoDate(this.issuedAt),
      expiresAt: Option.match(this.expiresAt, { onNone: () => null, onSome: isoDate }),
      refreshToken: Option.isSome(this.refreshToken) ? "<redacted>" : null,
      idToken: Option.isSome(this.idToken) ? "<redacted>" : null,
      // Unknown members may hold credentials too (e.g. a nested user token): redact those.
      extra: redactJson(this.extra)
    }
  }

  /** @since 0.1.0 */
  toString(): string {
    return Inspectable.format(this.toJSON())
  }

  /** @since 0.1.0 */
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/**
 * Builds an {@link AccessToken}; omitted optional fields are empty.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  props: Pick<AccessTokenProps, "value" | "issuedAt"> & Partial<AccessTokenProps>
): AccessToken =>
  new AccessToken({
    tokenType: "Bearer",
    scopes: [],
    expiresAt: Option.none(),
    refreshToken: Option.none(),
    idToken: Option.none(),
    extra: {},
    ...props
  })

/**
 * @since 0.1.0
 * @category refinements
 */
export const isAccessToken = (u: unknown): u is AccessToken => typeof u === "object" && u !== null && TypeId in u

/**
 * Whether two tokens carry the same access token value (the identity used by compare-and-invalidate).
 *
 * @since 0.1.0
 * @category predicates
 */
export const sameValue = (self: AccessToken, that: AccessToken): boolean =>
  self === that || Redacted.value(self.value) === Redacted.value(that.value)

/**
 * The lifetime the server granted (`expires_in`) in milliseconds, when it sent one.
 *
 * @since 0.1.0
 * @category getters
 */
export const lifetimeMillis = (self: AccessToken): Option.Option<number> =>
  Option.map(self.expiresAt, (expiresAt) => expiresAt - self.issuedAt)

/**
 * Whether the token type is `Bearer` (RFC 6750), compared case-insensitively.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isBearer = (self: AccessToken): boolean => self.tokenType.toLowerCase() === "bearer"
