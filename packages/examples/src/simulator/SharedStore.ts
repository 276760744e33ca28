/**
 * A shared store for simulated replicas: the protocol of `@auth-pipeline/redis` (one record per
 * credential with a version, a lease so that one replica fetches while the others wait for its
 * token, the latest refresh token handed to the leader, compare-and-invalidate, a fleet-wide
 * hold-off after a failure honouring Retry-After) kept in this process on the simulation's clock,
 * where a real Redis (whose TTLs run in real time) cannot follow simulated hours. Notifications are
 * instant: every replica reads the shared record.
 */
import type { AccessToken } from "@auth-pipeline/core"
import { AccessToken as AccessTokenModule, RefreshPolicy, TokenStore } from "@auth-pipeline/core"
import { Clock, Deferred, Duration, Effect, Exit, Option } from "effect"

interface Record {
  token: Option.Option<AccessToken.AccessToken>
  version: number
  fresh: number
  lease: Deferred.Deferred<void> | undefined
  holdOffUntil: number
  failures: number
}

export const make = (): TokenStore.Factory["Type"] => {
  const records = new Map<string, Record>()
  return {
    make: (request) =>
      Effect.sync((): TokenStore.TokenStore => {
        const key = JSON.stringify(request.credential)
        const record = records.get(key) ?? {
          token: Option.none(),
          version: 0,
          fresh: 0,
          lease: undefined,
          holdOffUntil: 0,
          failures: 0
        }
        records.set(key, record)
        /** Every write bumps the version; the token is fresh (served to others) until its stale time. */
        const write = (token: Option.Option<AccessToken.AccessToken>) => {
          record.token = token
          record.version++
          record.fresh = Option.match(token, {
            onNone: () => 0,
            onSome: (t) => RefreshPolicy.staleAt(request.policy, t)
          })
        }
        const coordinate = <E>(
          c: TokenStore.Coordination<E>
        ): Effect.Effect<AccessToken.AccessToken, E | TokenStore.TokenStoreError> =>
          Effect.gen(function*() {
            const started = yield* Clock.currentTimeMillis
            for (;;) {
              const now = yield* Clock.currentTimeMillis
              const held = record.token
              // hit: the record holds another, fresh token than the one this replica replaces
              if (
                Option.isSome(held) && now < record.fresh &&
                !Option.exists(c.current, (t) => AccessTokenModule.sameValue(t, held.value))
              ) return held.value
              if (record.lease !== undefined) {
                yield* Deferred.await(record.lease)
                continue
              }
              if (now < record.holdOffUntil) {
                const wait = record.holdOffUntil - now
                const bound = Option.match(c.deadline, { onNone: () => 25_000, onSome: Duration.toMillis })
                if (now - started + wait > bound) {
                  return yield* Effect.fail(
                    new TokenStore.TokenStoreError({ operation: "fetch", detail: "the fleet is holding off" })
                  )
                }
                yield* Effect.sleep(Duration.millis(wait))
                continue
              }
              // lead: fetch from the latest record (its refresh token), store, wake the waiters
              const lease = yield* Deferred.make<void>()
              record.lease = lease
              const exit = yield* Effect.exit(
                c.fetch(Option.orElse(record.token, () => c.current), Duration.seconds(10))
              ).pipe(
                Effect.ensuring(Effect.suspend(() => {
                  record.lease = undefined
                  return Deferred.succeed(lease, undefined)
                }))
              )
              const after = yield* Clock.currentTimeMillis
              if (Exit.isSuccess(exit)) {
                write(Option.some(exit.value))
                record.failures = 0
                record.holdOffUntil = 0
                return exit.value
              }
              record.failures++
              const error = Option.flatMap(
                Exit.causeOption(exit),
                (cause) => cause._tag === "Fail" ? Option.some(cause.error) : Option.none()
              )
              const retryAfter = Option.flatMap(error, (e) => c.retryAfter(e))
              record.holdOffUntil = after + Option.match(retryAfter, {
                onNone: () => Math.min(60_000, 1_000 * 2 ** (record.failures - 1)),
                onSome: Duration.toMillis
              })
              return yield* exit
            }
          })
        return {
          get: Effect.sync(() => record.token),
          set: (token) => Effect.sync(() => write(token)),
          compareAndSet: (expected, next) =>
            Effect.sync(() => {
              if (Option.isNone(record.token) || !AccessTokenModule.sameValue(record.token.value, expected)) {
                return false
              }
              write(next)
              return true
            }),
          coordinate
        }
      })
  }
}
