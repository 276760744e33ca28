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
 * The symbol that marks an {@link AccessToken}; {@link isAccessToken} tests for it.
 *
 * @example
 * ```ts
 * import { AccessToken } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0 })
 * assert.strictEqual(token[AccessToken.TypeId], AccessToken.TypeId)
 * ```
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@auth-pipeline/core/AccessToken")

/**
 * The type of {@link TypeId}.
 *
 * @example
 * ```ts
 * import { AccessToken } from "@auth-pipeline/core"
 *
 * const id: AccessToken.TypeId = AccessToken.TypeId
 * ```
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The fields of an {@link AccessToken}.
 *
 * @example
 * ```ts
 * import { AccessToken } from "@auth-pipeline/core"
 * import { Option, Redacted } from "effect"
 *
 * const props: AccessToken.AccessTokenProps = {
 *   value: Redacted.make("at-1"),
 *   tokenType: "Bearer",
 *   scopes: ["read"],
 *   issuedAt: 0,
 *   expiresAt: Option.some(3_600_000),
 *   refreshToken: Option.none(),
 *   idToken: Option.none(),
 *   extra: {}
 * }
 * const token = new AccessToken.AccessToken(props)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface AccessTokenProps {
  /** The access token itself. */
  readonly value: Redacted.Redacted<string>
  /** The token type as the server sent it, with any casing of `bearer` normalised to `Bearer`. */
  readonly tokenType: string
  /**
   * The granted scopes: the response's `scope`, or the requested scopes when the response omits it
   * (RFC 6749 §5.1).
   */
  readonly scopes: ReadonlyArray<string>
  /** Epoch milliseconds (from `Clock`) at which the token request was SENT. */
  readonly issuedAt: number
  /**
   * Epoch milliseconds at which the token expires: `issuedAt + expires_in`. `None` when the server
   * sent no `expires_in`.
   */
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
 * @example
 * ```ts
 * import { AccessToken } from "@auth-pipeline/core"
 * import { Equal, Redacted } from "effect"
 *
 * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0, scopes: ["read"] })
 * assert.ok(!String(token).includes("at-1")) // the value prints as <redacted>
 * assert.ok(Equal.equals(token, AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 5 })))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class AccessToken implements AccessTokenProps, Equal.Equal, Inspectable.Inspectable {
  /**
   * Marks the object as an `AccessToken` (see {@link isAccessToken}).
   *
   * @example
   * ```ts
   * import { AccessToken } from "@auth-pipeline/core"
   * import { Option, Redacted } from "effect"
   *
   * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0 })
   * assert.strictEqual(token[AccessToken.TypeId], AccessToken.TypeId)
   * ```
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /**
   * The access token itself; `Redacted.value` reveals it.
   *
   * @example
   * ```ts
   * import { AccessToken } from "@auth-pipeline/core"
   * import { Option, Redacted } from "effect"
   *
   * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0 })
   * const authorization = `Bearer ${Redacted.value(token.value)}` // reveal only where it is sent
   * ```
   *
   * @since 0.1.0
   */
  readonly value: Redacted.Redacted<string>
  /**
   * The token type as the server sent it, with any casing of `bearer` normalised to `Bearer`.
   *
   * @example
   * ```ts
   * import { AccessToken } from "@auth-pipeline/core"
   * import { Option, Redacted } from "effect"
   *
   * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0, tokenType: "DPoP" })
   * assert.ok(!AccessToken.isBearer(token))
   * ```
   *
   * @since 0.1.0
   */
  readonly tokenType: string
  /**
   * The granted scopes: the response's `scope`, or the requested scopes when the response omits it.
   *
   * @example
   * ```ts
   * import { AccessToken } from "@auth-pipeline/core"
   * import { Option, Redacted } from "effect"
   *
   * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0, scopes: ["read", "write"] })
   * assert.ok(token.scopes.includes("write"))
   * ```
   *
   * @since 0.1.0
   */
  readonly scopes: ReadonlyArray<string>
  /**
   * Epoch milliseconds (from `Clock`) at which the token request was SENT.
   *
   * @example
   * ```ts
   * import { AccessToken } from "@auth-pipeline/core"
   * import { Option, Redacted } from "effect"
   *
   * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: Date.now() })
   * const ageMillis = Date.now() - token.issuedAt
   * ```
   *
   * @since 0.1.0
   */
  readonly issuedAt: number
  /**
   * Epoch milliseconds at which the token expires (`issuedAt + expires_in`); `None` without `expires_in`.
   *
   * @example
   * ```ts
   * import { AccessToken } from "@auth-pipeline/core"
   * import { Option, Redacted } from "effect"
   *
   * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0, expiresAt: Option.some(3_600_000) })
   * const expired = Option.exists(token.expiresAt, (at) => at <= Date.now())
   * ```
   *
   * @since 0.1.0
   */
  readonly expiresAt: Option.Option<number>
  /**
   * The refresh token, when one was issued (or kept from the token it refreshed).
   *
   * @example
   * ```ts
   * import { AccessToken } from "@auth-pipeline/core"
   * import { Option, Redacted } from "effect"
   *
   * const refreshToken = Option.some(Redacted.make("rt-1"))
   * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0, refreshToken })
   * assert.ok(Option.isSome(token.refreshToken))
   * ```
   *
   * @since 0.1.0
   */
  readonly refreshToken: Option.Option<Redacted.Redacted<string>>
  /**
   * The OpenID Connect id token, when one was issued (verified by the OIDC flows, not by this class).
   *
   * @example
   * ```ts
   * import { AccessToken } from "@auth-pipeline/core"
   * import { Option, Redacted } from "effect"
   *
   * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0 })
   * assert.ok(Option.isNone(token.idToken)) // a client_credentials token has none
   * ```
   *
   * @since 0.1.0
   */
  readonly idToken: Option.Option<Redacted.Redacted<string>>
  /**
   * Every response field this library does not model, as received (e.g. Paysera's `refresh_expires_in`).
   *
   * @example
   * ```ts
   * import { AccessToken } from "@auth-pipeline/core"
   * import { Option, Redacted } from "effect"
   *
   * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0, extra: { refresh_expires_in: 0 } })
   * assert.strictEqual(token.extra.refresh_expires_in, 0)
   * ```
   *
   * @since 0.1.0
   */
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

  /**
   * Equal to another `AccessToken` with the same access token value (other fields are ignored).
   *
   * @example
   * ```ts
   * import { AccessToken } from "@auth-pipeline/core"
   * import { Redacted } from "effect"
   * import { Equal } from "effect"
   *
   * const a = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0 })
   * const b = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 1_000, scopes: ["read"] })
   * assert.ok(Equal.equals(a, b))
   * ```
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    return isAccessToken(that) && sameValue(this, that)
  }

  /**
   * A hash of the access token value, consistent with `Equal`.
   *
   * @example
   * ```ts
   * import { AccessToken } from "@auth-pipeline/core"
   * import { Redacted } from "effect"
   * import { Hash, HashSet } from "effect"
   *
   * const a = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0 })
   * const b = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 1_000 })
   * assert.strictEqual(Hash.hash(a), Hash.hash(b))
   * assert.strictEqual(HashSet.size(HashSet.make(a, b)), 1)
   * ```
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    return Hash.cached(this, Hash.string(Redacted.value(this.value)))
  }

  /**
   * A JSON view with every secret (value, refresh and id token, credential-like `extra` members) as
   * `<redacted>` and the times as ISO strings.
   *
   * @example
   * ```ts
   * import { AccessToken } from "@auth-pipeline/core"
   * import { Redacted } from "effect"
   *
   * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0, extra: { session_token: "st-1" } })
   * assert.ok(!JSON.stringify(token).includes("at-1"))
   * assert.ok(!JSON.stringify(token).includes("st-1")) // credential-like extra members too
   * ```
   *
   * @since 0.1.0
   */
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

  /**
   * The redacted {@link AccessToken.toJSON} view, formatted.
   *
   * @example
   * ```ts
   * import { AccessToken } from "@auth-pipeline/core"
   * import { Redacted } from "effect"
   *
   * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0 })
   * assert.ok(`${token}`.includes("<redacted>"))
   * ```
   *
   * @since 0.1.0
   */
  toString(): string {
    return Inspectable.format(this.toJSON())
  }

  /**
   * What `util.inspect` and `console.log` show in Node: the redacted JSON view.
   *
   * @example
   * ```ts
   * import { AccessToken } from "@auth-pipeline/core"
   * import { Redacted } from "effect"
   * import * as util from "node:util"
   *
   * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0 })
   * assert.ok(!util.inspect(token).includes("at-1"))
   * ```
   *
   * @since 0.1.0
   */
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/**
 * Builds an {@link AccessToken}; omitted optional fields are empty.
 *
 * @example
 * ```ts
 * import { AccessToken } from "@auth-pipeline/core"
 * import { Option, Redacted } from "effect"
 *
 * const token = AccessToken.make({
 *   value: Redacted.make("at-1"),
 *   issuedAt: Date.parse("2025-01-01T00:00:00Z"),
 *   expiresAt: Option.some(Date.parse("2025-01-01T01:00:00Z"))
 * })
 * assert.strictEqual(token.tokenType, "Bearer")
 * ```
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
 * Whether a value is an {@link AccessToken}.
 *
 * @example
 * ```ts
 * import { AccessToken } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * assert.ok(AccessToken.isAccessToken(AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0 })))
 * assert.ok(!AccessToken.isAccessToken({ value: "at-1" }))
 * ```
 *
 * @since 0.1.0
 * @category refinements
 */
export const isAccessToken = (u: unknown): u is AccessToken => typeof u === "object" && u !== null && TypeId in u

/**
 * Whether two tokens carry the same access token value (the identity used by compare-and-invalidate).
 *
 * @example
 * ```ts
 * import { AccessToken } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const sent = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0 })
 * const current = AccessToken.make({ value: Redacted.make("at-2"), issuedAt: 1_000 })
 * assert.ok(!AccessToken.sameValue(sent, current)) // the 401 was for an older token: keep the current one
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const sameValue = (self: AccessToken, that: AccessToken): boolean =>
  self === that || Redacted.value(self.value) === Redacted.value(that.value)

/**
 * The lifetime the server granted (`expires_in`) in milliseconds, when it sent one.
 *
 * @example
 * ```ts
 * import { AccessToken } from "@auth-pipeline/core"
 * import { Option, Redacted } from "effect"
 *
 * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 1_000, expiresAt: Option.some(3_601_000) })
 * assert.deepStrictEqual(AccessToken.lifetimeMillis(token), Option.some(3_600_000))
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const lifetimeMillis = (self: AccessToken): Option.Option<number> =>
  Option.map(self.expiresAt, (expiresAt) => expiresAt - self.issuedAt)

/**
 * Whether the token type is `Bearer` (RFC 6750), compared case-insensitively.
 *
 * @example
 * ```ts
 * import { AccessToken } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * assert.ok(AccessToken.isBearer(AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0, tokenType: "bearer" })))
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isBearer = (self: AccessToken): boolean => self.tokenType.toLowerCase() === "bearer"
