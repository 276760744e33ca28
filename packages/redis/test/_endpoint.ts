/**
 * An in-process token endpoint for the single-process tests: counts requests (with their wall-clock
 * time), issues `tok-N` with a lifetime on the program's Clock, rotates refresh tokens and detects a
 * replayed one (answered `invalid_grant`), and can be scripted to fail or to take time.
 */
import * as AccessToken from "@auth-pipeline/core/AccessToken"
import { OAuthError, RateLimitedError, type TokenError } from "@auth-pipeline/core/TokenError"
import { Clock, Duration, Effect, Option, Redacted, Ref } from "effect"

export const _endpoint = (
  options: { readonly lifetime?: Duration.DurationInput; readonly latency?: Duration.DurationInput } = {}
) =>
  Effect.gen(function*() {
    const times = yield* Ref.make<ReadonlyArray<number>>([])
    const replays = yield* Ref.make(0)
    const currentRefresh = yield* Ref.make<string | undefined>(undefined)
    const script = yield* Ref.make<ReadonlyArray<TokenError>>([])
    const lifetime = Duration.toMillis(options.lifetime ?? "1 hour")
    const issue = (now: number) =>
      Effect.gen(function*() {
        const n = (yield* Ref.get(times)).length - 1
        yield* Ref.set(currentRefresh, `rt-${n}`)
        return AccessToken.make({
          value: Redacted.make(`tok-${n}`),
          issuedAt: now,
          expiresAt: Option.some(now + lifetime),
          refreshToken: Option.some(Redacted.make(`rt-${n}`))
        })
      })
    const request = (refreshToken: Option.Option<string>): Effect.Effect<AccessToken.AccessToken, TokenError> =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        yield* Ref.update(times, (t) => [...t, Date.now()])
        if (options.latency !== undefined) yield* Effect.sleep(options.latency)
        const failure = yield* Ref.modify(script, (s) => [s[0], s.slice(1)])
        if (failure !== undefined) return yield* Effect.fail(failure)
        if (Option.isSome(refreshToken) && refreshToken.value !== (yield* Ref.get(currentRefresh))) {
          yield* Ref.update(replays, (n) => n + 1)
          return yield* Effect.fail(
            new OAuthError({
              url: "http://127.0.0.1/token",
              status: 400,
              error: "invalid_grant",
              errorDescription: Option.none(),
              errorUri: Option.none()
            })
          )
        }
        return yield* issue(now)
      })
    return {
      acquire: request(Option.none()),
      refresh: (rt: Redacted.Redacted<string>) => request(Option.some(Redacted.value(rt))),
      count: Effect.map(Ref.get(times), (t) => t.length),
      times: Ref.get(times),
      replays: Ref.get(replays),
      failNext: (...errors: ReadonlyArray<TokenError>) => Ref.update(script, (s) => [...s, ...errors])
    } as const
  })

export const _rateLimited = (seconds: number) =>
  new RateLimitedError({
    url: "http://127.0.0.1/token",
    status: 429,
    retryAfter: Option.some(Duration.seconds(seconds))
  })

export const _value = (token: AccessToken.AccessToken) => Redacted.value(token.value)

export const _credential = (clientId = "client", scopes: ReadonlyArray<string> = []) => ({
  tokenUrl: "http://127.0.0.1/token",
  clientId,
  grant: "client_credentials",
  scopes,
  params: []
})
