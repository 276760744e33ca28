/**
 * When a cached token stops being served and when it is refreshed ahead of time.
 *
 * A token is FRESH while `now < expiresAt - margin`, where
 * `margin = min(buffer, maxBufferFraction × lifetime)`: the configured buffer, but never more than
 * a fraction of the token's lifetime, so a 60 s token with a 300 s buffer is still reused for 30 s.
 * A token without `expires_in` is given `defaultLifetime`. The background refresh fires a little
 * before the margin is reached: `expiresAt - margin - jitter`, with the jitter drawn from
 * `[0, min(maxJitter, margin / 2)]`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import type { AccessToken } from "./AccessToken.js"

/**
 * A resolved policy: every field set. Build one with {@link make}.
 *
 * @example
 * ```ts
 * import { RefreshPolicy } from "@auth-pipeline/core"
 * import { Duration } from "effect"
 *
 * const policy: RefreshPolicy.RefreshPolicy = { ...RefreshPolicy.defaults, buffer: Duration.minutes(5) }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RefreshPolicy {
  /** How long before expiry a token stops being served (before the cap). Default 60 s. */
  readonly buffer: Duration.Duration
  /** The margin never exceeds this fraction of the token's lifetime. Default 0.5. */
  readonly maxBufferFraction: number
  /** Lifetime assumed when the server sends no `expires_in`. Default 30 minutes. */
  readonly defaultLifetime: Duration.Duration
  /** Upper bound of the random lead of the background refresh. Default 10 s. */
  readonly maxJitter: Duration.Duration
}

/**
 * Buffer 60 s, margin capped at half the lifetime, 30 minutes without `expires_in`, jitter up to 10 s.
 *
 * @example
 * ```ts
 * import { RefreshPolicy } from "@auth-pipeline/core"
 *
 * assert.strictEqual(RefreshPolicy.defaults.maxBufferFraction, 0.5)
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaults: RefreshPolicy = {
  buffer: Duration.seconds(60),
  maxBufferFraction: 0.5,
  defaultLifetime: Duration.minutes(30),
  maxJitter: Duration.seconds(10)
}

/**
 * Options accepted wherever a policy is configured; unset fields take {@link defaults}.
 *
 * @example
 * ```ts
 * import type { RefreshPolicy } from "@auth-pipeline/core"
 *
 * const input: RefreshPolicy.RefreshPolicyInput = { buffer: "300 seconds", defaultLifetime: "1 hour" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RefreshPolicyInput {
  /** How long before expiry a token stops being served (capped by `maxBufferFraction`). Default 60 s. */
  readonly buffer?: Duration.DurationInput | undefined
  /** The cap of the margin as a fraction of the token's lifetime, between 0 and 1. Default 0.5. */
  readonly maxBufferFraction?: number | undefined
  /** Lifetime assumed when the server sends no `expires_in`. Default 30 minutes. */
  readonly defaultLifetime?: Duration.DurationInput | undefined
  /** Upper bound of the random lead of the background refresh. Default 10 s. */
  readonly maxJitter?: Duration.DurationInput | undefined
}

/**
 * Resolves a {@link RefreshPolicyInput} against {@link defaults}. Throws a `RangeError` when
 * `maxBufferFraction` is outside `[0, 1]`.
 *
 * @example
 * ```ts
 * import { RefreshPolicy } from "@auth-pipeline/core"
 * import { Duration } from "effect"
 *
 * const policy = RefreshPolicy.make({ buffer: "300 seconds" })
 * assert.ok(Duration.equals(policy.buffer, Duration.minutes(5)))
 * assert.ok(Duration.equals(policy.defaultLifetime, Duration.minutes(30)))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: RefreshPolicyInput = {}): RefreshPolicy => {
  const fraction = input.maxBufferFraction ?? defaults.maxBufferFraction
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError("maxBufferFraction must be between 0 and 1")
  return {
    buffer: input.buffer === undefined ? defaults.buffer : Duration.decode(input.buffer),
    maxBufferFraction: fraction,
    defaultLifetime: input.defaultLifetime === undefined
      ? defaults.defaultLifetime
      : Duration.decode(input.defaultLifetime),
    maxJitter: input.maxJitter === undefined ? defaults.maxJitter : Duration.decode(input.maxJitter)
  }
}

/**
 * When the token truly expires, in epoch milliseconds (the default lifetime when `expires_in` was absent).
 *
 * @example
 * ```ts
 * import { AccessToken, RefreshPolicy } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0 }) // no expires_in
 * assert.strictEqual(RefreshPolicy.expiresAt(RefreshPolicy.defaults, token), 30 * 60_000)
 * ```
 *
 * @since 0.1.0
 * @category timing
 */
export const expiresAt = (policy: RefreshPolicy, token: AccessToken): number =>
  Option.getOrElse(token.expiresAt, () => token.issuedAt + Duration.toMillis(policy.defaultLifetime))

/**
 * The margin for this token: `min(buffer, maxBufferFraction × lifetime)` in milliseconds.
 *
 * @example
 * ```ts
 * import { AccessToken, RefreshPolicy } from "@auth-pipeline/core"
 * import { Option, Redacted } from "effect"
 *
 * // a 60 s token with a 300 s buffer: the margin is capped at half the lifetime
 * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0, expiresAt: Option.some(60_000) })
 * const policy = RefreshPolicy.make({ buffer: "300 seconds" })
 * assert.strictEqual(RefreshPolicy.marginMillis(policy, token), 30_000)
 * ```
 *
 * @since 0.1.0
 * @category timing
 */
export const marginMillis = (policy: RefreshPolicy, token: AccessToken): number => {
  const lifetime = Math.max(0, expiresAt(policy, token) - token.issuedAt)
  return Math.min(Duration.toMillis(policy.buffer), policy.maxBufferFraction * lifetime)
}

/**
 * The moment the token stops being served: `expiresAt - margin`.
 *
 * @example
 * ```ts
 * import { AccessToken, RefreshPolicy } from "@auth-pipeline/core"
 * import { Option, Redacted } from "effect"
 *
 * // a 60 s token with a 300 s buffer: the margin is capped at half the lifetime
 * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0, expiresAt: Option.some(60_000) })
 * const policy = RefreshPolicy.make({ buffer: "300 seconds" })
 * assert.strictEqual(RefreshPolicy.staleAt(policy, token), 30_000) // served for 30 s
 * ```
 *
 * @since 0.1.0
 * @category timing
 */
export const staleAt = (policy: RefreshPolicy, token: AccessToken): number =>
  expiresAt(policy, token) - marginMillis(policy, token)

/**
 * When the background refresh of this token should run, given a random number in `[0, 1)`.
 *
 * @example
 * ```ts
 * import { AccessToken, RefreshPolicy } from "@auth-pipeline/core"
 * import { Option, Redacted } from "effect"
 *
 * // a 60 s token with a 300 s buffer: the margin is capped at half the lifetime
 * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0, expiresAt: Option.some(60_000) })
 * const policy = RefreshPolicy.make({ buffer: "300 seconds" })
 * // jitter: min(10 s, margin / 2) = 10 s at most
 * assert.strictEqual(RefreshPolicy.refreshAt(policy, token, 0), 30_000)
 * assert.strictEqual(RefreshPolicy.refreshAt(policy, token, 0.5), 25_000)
 * ```
 *
 * @since 0.1.0
 * @category timing
 */
export const refreshAt = (policy: RefreshPolicy, token: AccessToken, random: number): number => {
  const jitter = Math.min(Duration.toMillis(policy.maxJitter), marginMillis(policy, token) / 2)
  return Math.max(token.issuedAt, staleAt(policy, token) - Math.floor(random * jitter))
}
