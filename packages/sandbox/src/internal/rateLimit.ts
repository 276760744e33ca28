/**
 * A fixed-window rate limiter keyed by client address, on Effect's `Clock`.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

export interface Decision {
  readonly allowed: boolean
  readonly limit: number
  readonly remaining: number
  /** Whole seconds until the window resets (at least 1 while a window is open). */
  readonly resetSeconds: number
}

export interface RateLimiter {
  readonly hit: (key: string) => Effect.Effect<Decision>
  readonly reset: Effect.Effect<void>
}

interface Window {
  readonly start: number
  readonly count: number
}

export const make = (limit: number, windowMillis: number): Effect.Effect<RateLimiter> =>
  Effect.map(Ref.make<ReadonlyMap<string, Window>>(new Map()), (ref) => ({
    hit: (key) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.modify(ref, (windows) => {
          const current = windows.get(key)
          const window = current === undefined || now >= current.start + windowMillis
            ? { start: now, count: 1 }
            : { start: current.start, count: current.count + 1 }
          const decision: Decision = {
            allowed: window.count <= limit,
            limit,
            remaining: Math.max(0, limit - window.count),
            resetSeconds: Math.max(1, Math.ceil((window.start + windowMillis - now) / 1000))
          }
          return [decision, new Map(windows).set(key, window)]
        })),
    reset: Ref.set(ref, new Map())
  }))

/** The `X-RateLimit-*` headers Paysera documents. */
export const headers = (decision: Decision): Record<string, string> => ({
  "x-ratelimit-limit": String(decision.limit),
  "x-ratelimit-remaining": String(decision.remaining),
  "x-ratelimit-reset": String(decision.resetSeconds)
})
