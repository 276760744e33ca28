/**
 * A fake token source for cache tests: counts requests, issues `tok-1`, `tok-2`, ... with a given
 * lifetime measured on the Clock, and can be scripted to fail or to take time.
 */
import { Clock, Duration, Effect, Option, Redacted, Ref } from "effect"
import * as AccessToken from "../src/AccessToken.js"
import { OAuthError, type TokenError, TokenResponseError } from "../src/TokenError.js"

export interface SourceOptions {
  /** Lifetime of issued tokens; `undefined` issues tokens without `expires_in`. */
  readonly lifetime?: Duration.DurationInput | undefined
  /** How long each token request takes. */
  readonly latency?: Duration.DurationInput | undefined
  /** Issue refresh tokens `rt-N` along with the tokens. */
  readonly refreshTokens?: boolean
}

export const _source = (options: SourceOptions = {}) =>
  Effect.gen(function*() {
    const count = yield* Ref.make(0)
    /** Failures to return for the next requests, in order. */
    const script = yield* Ref.make<ReadonlyArray<TokenError>>([])
    const issue = (n: number, now: number) =>
      AccessToken.make({
        value: Redacted.make(`tok-${n}`),
        issuedAt: now,
        expiresAt: options.lifetime === undefined
          ? Option.none()
          : Option.some(now + Duration.toMillis(Duration.decode(options.lifetime))),
        refreshToken: options.refreshTokens ? Option.some(Redacted.make(`rt-${n}`)) : Option.none()
      })
    const request: Effect.Effect<AccessToken.AccessToken, TokenError> = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const n = yield* Ref.updateAndGet(count, (c) => c + 1)
      if (options.latency !== undefined) yield* Effect.sleep(options.latency)
      const failure = yield* Ref.modify(script, (s) => [s[0], s.slice(1)])
      if (failure !== undefined) return yield* Effect.fail(failure)
      return issue(n, now)
    })
    return {
      acquire: request,
      count: Ref.get(count),
      failNext: (...errors: ReadonlyArray<TokenError>) => Ref.update(script, (s) => [...s, ...errors]),
      issue
    } as const
  })

export const _unavailable = new TokenResponseError({
  reason: "Status",
  url: "https://auth.test/token",
  status: 503,
  detail: "unavailable",
  excerpt: ""
})

export const _oauth = (error: string, status = 400) =>
  new OAuthError({
    url: "https://auth.test/token",
    status,
    error,
    errorDescription: Option.none(),
    errorUri: Option.none()
  })

export const _value = (token: AccessToken.AccessToken) => Redacted.value(token.value)

/** Lets forked fibers run until they are all suspended. */
export const _settle = Effect.repeatN(Effect.yieldNow(), 20)
