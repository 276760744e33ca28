import type { AccessToken } from "@auth-pipeline/core/AccessToken"
import * as AccessTokenModule from "@auth-pipeline/core/AccessToken"
import * as FileTokenStore from "@auth-pipeline/core/FileTokenStore"
import * as RefreshPolicy from "@auth-pipeline/core/RefreshPolicy"
import { TokenBudgetExceeded } from "@auth-pipeline/core/TokenCache"
import * as TokenStore from "@auth-pipeline/core/TokenStore"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Runtime from "effect/Runtime"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type { RedisConnection } from "../RedisConnection.js"
import * as RedisConnectionModule from "../RedisConnection.js"
import * as RedisMetrics from "../RedisMetrics.js"
import type { Options, Unavailable } from "../RedisTokenStore.js"
import * as Scripts from "./scripts.js"
import * as Seal from "./seal.js"

const encodeToken = Schema.encodeEither(FileTokenStore.StoredToken)
const decodeToken = Schema.decodeUnknownEither(FileTokenStore.StoredToken)

/** What this process last knew of the record: the token and its version (`None`: not from Redis). */
interface Mirror {
  readonly token: Option.Option<AccessToken>
  readonly version: Option.Option<string>
}

type Reply = ReadonlyArray<unknown>

class RedisDown {
  readonly _tag = "RedisDown"
  constructor(readonly detail: string) {}
}

const versionNumber = (v: Option.Option<string>): number => Option.match(v, { onNone: () => -1, onSome: Number })

export const defaults = {
  keyPrefix: "auth-pipeline:",
  leaseTtl: Duration.seconds(15),
  fetchDeadline: Duration.seconds(10),
  commandTimeout: Duration.millis(500),
  pollInterval: Duration.millis(500),
  unavailable: "local" as Unavailable,
  breakerBase: Duration.seconds(1),
  breakerMax: Duration.seconds(30),
  backoffBase: Duration.seconds(1),
  backoffMax: Duration.seconds(60)
}

/** The connection-wide part: the connection, the circuit breaker, the script cache. */
export const makeFactory = (
  options: Options
): Effect.Effect<TokenStore.Factory["Type"], never, Scope.Scope> =>
  Effect.gen(function*() {
    const leaseTtl = Duration.toMillis(options.leaseTtl ?? defaults.leaseTtl)
    const fetchDeadline = Duration.toMillis(options.fetchDeadline ?? defaults.fetchDeadline)
    if (!(fetchDeadline < leaseTtl)) {
      return yield* Effect.dieMessage("RedisTokenStore: fetchDeadline must be shorter than leaseTtl")
    }
    const commandTimeout = Duration.toMillis(options.commandTimeout ?? defaults.commandTimeout)
    const connection: RedisConnection = options.connection ?? (yield* RedisConnectionModule.nodeRedis({
      url: options.url ?? "redis://127.0.0.1:6379",
      commandTimeoutMillis: commandTimeout
    }))
    const key = yield* Effect.promise(() => Seal.deriveKey(Redacted.value(options.encryptionKey)))
    const prefix = options.keyPrefix ?? defaults.keyPrefix
    const policyName = options.unavailable ?? defaults.unavailable
    const pollInterval = Duration.toMillis(options.pollInterval ?? defaults.pollInterval)
    const breakerBase = Duration.toMillis(options.breaker?.baseDelay ?? defaults.breakerBase)
    const breakerMax = Duration.toMillis(options.breaker?.maxDelay ?? defaults.breakerMax)
    const backoffBase = Duration.toMillis(options.backoff?.baseDelay ?? defaults.backoffBase)
    const backoffMax = Duration.toMillis(options.backoff?.maxDelay ?? defaults.backoffMax)
    const budget = options.budget === undefined ? undefined : {
      limit: options.budget.maxRequests,
      window: Duration.decode(options.budget.window),
      windowMillis: Duration.toMillis(Duration.decode(options.budget.window))
    }
    const runtime = yield* Effect.runtime<never>()
    const runFork = Runtime.runFork(runtime)

    // The circuit breaker: after a failed command no command is sent until `openUntil` (on the
    // program's Clock), growing from breakerBase to breakerMax; the first command after it probes.
    const breaker = yield* Ref.make({ failures: 0, openUntil: 0 })
    const recovered: Array<() => Effect.Effect<void>> = []

    const send = (operation: string, args: ReadonlyArray<string>): Effect.Effect<unknown, RedisDown> =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const state = yield* Ref.get(breaker)
        if (now < state.openUntil) return yield* Effect.fail(new RedisDown("circuit open after a failed command"))
        const result = yield* Effect.either(Effect.tryPromise({
          try: () => connection.command(args),
          catch: (cause) => new RedisDown(cause instanceof Error ? cause.message : String(cause))
        }))
        // The script cache is empty (a new or restarted server): not a failure of Redis.
        if (Either.isLeft(result) && result.left.detail.startsWith("NOSCRIPT")) return yield* Effect.fail(result.left)
        if (Either.isRight(result)) {
          if (state.failures > 0) {
            yield* Ref.set(breaker, { failures: 0, openUntil: 0 })
            yield* Effect.logInfo("Redis is reachable again").pipe(Effect.annotateLogs("redis", operation))
            for (const hook of recovered) yield* Effect.forkDaemon(hook())
          }
          return result.right
        }
        const failures = state.failures + 1
        const delay = Math.min(breakerMax, breakerBase * 2 ** (failures - 1))
        yield* Ref.set(breaker, { failures, openUntil: now + delay })
        yield* Metric.increment(Metric.tagged(RedisMetrics.errors, "operation", operation))
        yield* Effect.logWarning(
          `Redis ${operation} failed (${result.left.detail}); no command for ${delay} ms, policy "${policyName}"`
        )
        return yield* Effect.fail(result.left)
      })

    const evalScript = (
      operation: string,
      s: Scripts.Script,
      keys: ReadonlyArray<string>,
      args: ReadonlyArray<string>
    ) =>
      send(operation, ["EVALSHA", s.sha, String(keys.length), ...keys, ...args]).pipe(
        Effect.catchIf(
          (e) => e.detail.includes("NOSCRIPT"),
          () => send(operation, ["EVAL", s.source, String(keys.length), ...keys, ...args])
        ),
        Effect.map((reply) => reply as Reply)
      )

    const make = (request: TokenStore.StoreRequest): Effect.Effect<TokenStore.TokenStore, never, Scope.Scope> =>
      makeStore(request)

    const makeStore = (request: TokenStore.StoreRequest) =>
      Effect.gen(function*() {
        const name = request.name
        const policy = request.policy
        const canonical = JSON.stringify([
          request.credential.tokenUrl,
          request.credential.clientId,
          request.credential.grant,
          request.credential.scopes,
          request.credential.params
        ])
        const base = `${prefix}{${Seal.credentialHash(canonical)}}`
        const keys = [`${base}:record`, `${base}:lease`, `${base}:backoff`, `${base}:budget`]
        const channel = `${base}:events`
        const mirror = yield* Ref.make<Mirror>({ token: Option.none(), version: Option.none() })
        /** The mirror's token alone: the hot path reads it exactly as the in-memory store reads its Ref. */
        const current = yield* Ref.make(Option.none<AccessToken>())
        /** The lease this process holds, with the version it expects the record at. */
        const lead = yield* Ref.make(Option.none<{ readonly owner: string; readonly version: string }>())
        /** Completed (and replaced) on every notification: wakes the processes waiting for a token. */
        const wake = yield* Ref.make(yield* Deferred.make<void>())
        /** `local-capped`: the end of the lifetime of the last token fetched while Redis was down. */
        const cappedUntil = yield* Ref.make(0)
        const leases = (role: string) =>
          Metric.tagged(Metric.tagged(RedisMetrics.leases, "provider", name), "role", role)
        const versionGauge = Metric.tagged(RedisMetrics.recordVersion, "provider", name)

        const storeError = (operation: TokenStore.TokenStoreError["operation"], detail: string) =>
          new TokenStore.TokenStoreError({ operation, detail: `Redis (${name}): ${detail}` })

        const sealToken = (token: Option.Option<AccessToken>): Effect.Effect<string, TokenStore.TokenStoreError> =>
          Option.match(token, {
            onNone: () => Effect.succeed(""),
            onSome: (t) =>
              Either.match(encodeToken(t), {
                onLeft: () => Effect.fail(storeError("set", "the token cannot be stored (`extra` is not JSON)")),
                onRight: (encoded) => Effect.promise(() => Seal.seal(key, JSON.stringify(encoded), keys[0]!))
              })
          })

        /** `None` for "no token"; fails when the record does not open (another key, altered). */
        const openToken = (data: unknown): Effect.Effect<Option.Option<AccessToken>, string> =>
          typeof data !== "string" || data === ""
            ? Effect.succeed(Option.none())
            : Effect.tryPromise({
              try: () => Seal.open(key, data, keys[0]!),
              catch: () => "the record does not open with the configured encryption key"
            }).pipe(
              Effect.flatMap((text) =>
                Either.match(decodeToken(JSON.parse(text)), {
                  onLeft: () => Effect.fail("the record does not hold a valid token"),
                  onRight: (t) => Effect.succeed(Option.some(t))
                })
              )
            )

        const setMirror = (next: Mirror) =>
          Effect.zipRight(
            Effect.zipRight(Ref.set(mirror, next), Ref.set(current, next.token)),
            Option.match(next.version, {
              onNone: () => Effect.void,
              onSome: (v) => Metric.set(versionGauge, Number(v))
            })
          )

        /** Takes a record read from Redis if it is newer than what this process holds. */
        const adoptRecord = (version: string, data: unknown) =>
          Effect.gen(function*() {
            const current = yield* Ref.get(mirror)
            if (Option.isSome(current.version) && Number(version) <= Number(current.version.value)) return
            const token = yield* Effect.either(openToken(data))
            if (Either.isLeft(token)) {
              yield* Effect.logWarning(`Redis record of ${name} ignored: ${token.left}`)
              return
            }
            yield* setMirror({ token: token.right, version: Option.some(version) })
          })

        const staleAt = (token: AccessToken) => RefreshPolicy.staleAt(policy, token)
        const freshFor = (token: Option.Option<AccessToken>) =>
          Effect.map(Clock.currentTimeMillis, (now) =>
            Option.match(token, {
              onNone: () => "0",
              onSome: (t) => String(Math.max(0, Math.floor(staleAt(t) - now)))
            }))

        /** Reads the record again (after a restart of Redis, a lost notification, recovery). */
        const resync = Effect.gen(function*() {
          const reply = yield* evalScript("read", Scripts.read, keys.slice(0, 1), [])
          if (reply.length >= 2) return yield* adoptRecord(String(reply[0]), reply[1])
          // No record (Redis lost its data): seed it with a still-fresh token held here, so the
          // fleet does not fetch again for it.
          const current = yield* Ref.get(mirror)
          const now = yield* Clock.currentTimeMillis
          if (Option.isSome(current.token) && now < staleAt(current.token.value)) {
            const data = yield* Effect.orDie(sealToken(current.token))
            const written = yield* evalScript("write", Scripts.write, keys.slice(0, 1), [
              "",
              data,
              yield* freshFor(current.token),
              channel
            ])
            if (written[0] === "ok") {
              yield* setMirror({ token: current.token, version: Option.some(String(written[1])) })
            } else {
              yield* adoptRecord(String(written[1]), written[2])
            }
          }
        }).pipe(Effect.catchAll(() => Effect.void))

        const signal = Effect.flatMap(
          Deferred.make<void>(),
          (next) => Effect.flatMap(Ref.getAndSet(wake, next), (previous) => Deferred.succeed(previous, undefined))
        )

        const onMessage = (message: string) => {
          runFork(Effect.gen(function*() {
            if (/^\d+$/.test(message)) {
              const current = yield* Ref.get(mirror)
              if (versionNumber(current.version) < Number(message)) {
                const reply = yield* Effect.either(evalScript("read", Scripts.read, keys.slice(0, 1), []))
                if (Either.isRight(reply) && reply.right.length >= 2) {
                  yield* adoptRecord(String(reply.right[0]), reply.right[1])
                }
              }
            }
            yield* signal
          }))
        }

        // Subscribe (again after a lost connection, which also loses messages: read the record).
        let unsubscribe: (() => Promise<void>) | undefined
        const subscribe = Effect.tryPromise(() => connection.subscribe(channel, onMessage)).pipe(
          Effect.tap((f) =>
            Effect.sync(() => {
              unsubscribe = f
            })
          ),
          Effect.catchAll(() => Effect.logWarning(`Redis SUBSCRIBE ${channel} failed; waiters poll until it is back`))
        )
        yield* subscribe
        yield* Effect.addFinalizer(() => Effect.promise(() => unsubscribe?.() ?? Promise.resolve()))
        const offReady = connection.onReady(() => {
          runFork(Effect.gen(function*() {
            if (unsubscribe === undefined) yield* subscribe
            yield* resync
            yield* signal
          }))
        })
        const onRecovery = () => Effect.zipRight(resync, signal)
        recovered.push(onRecovery)
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            offReady()
            const i = recovered.indexOf(onRecovery)
            if (i >= 0) recovered.splice(i, 1)
          })
        )
        yield* resync

        /** The token fetched while Redis cannot be reached, by the configured policy. */
        const degraded = <E>(
          coordination: TokenStore.Coordination<E>,
          reason: string
        ): Effect.Effect<AccessToken, E | TokenStore.TokenStoreError> =>
          Effect.gen(function*() {
            yield* Metric.increment(Metric.tagged(leases("unavailable"), "policy", policyName))
            if (policyName === "fail") {
              return yield* Effect.fail(storeError("fetch", `unavailable (${reason}); policy "fail"`))
            }
            const now = yield* Clock.currentTimeMillis
            if (policyName === "local-capped" && now < (yield* Ref.get(cappedUntil))) {
              return yield* Effect.fail(
                storeError(
                  "fetch",
                  `unavailable (${reason}); policy "local-capped": this process already fetched a token for this lifetime`
                )
              )
            }
            yield* Effect.logWarning(
              `Redis unavailable (${reason}): ${name} fetches its own token (policy "${policyName}")`
            )
            const current = yield* Ref.get(mirror)
            const token = yield* coordination.fetch(
              Option.orElse(current.token, () => coordination.current),
              Duration.infinity
            )
            yield* Ref.set(cappedUntil, RefreshPolicy.expiresAt(policy, token))
            yield* setMirror({ token: Option.some(token), version: Option.none() })
            return token
          })

        const jittered = (millis: number) =>
          Effect.map(Random.nextRange(0.75, 1.25), (r) => Math.max(1, Math.round(millis * r)))

        const coordinate = <E>(
          coordination: TokenStore.Coordination<E>
        ): Effect.Effect<AccessToken, E | TokenStore.TokenStoreError | TokenBudgetExceeded> =>
          Effect.gen(function*() {
            const started = yield* Clock.currentTimeMillis
            // A background refresh nobody waits on still gives up after a lease and a fetch.
            const bound = Option.match(coordination.deadline, {
              onNone: () => leaseTtl + fetchDeadline,
              onSome: (d) => Duration.isFinite(d) ? Duration.toMillis(d) : Infinity
            })
            for (let round = 0;; round++) {
              const waiter = yield* Ref.get(wake)
              const held = yield* Ref.get(mirror)
              const now = yield* Clock.currentTimeMillis
              // A notification brought a newer token since the cache looked.
              const heldToken = held.token
              if (
                Option.isSome(heldToken) &&
                !Option.exists(coordination.current, (c) => AccessTokenModule.sameValue(c, heldToken.value)) &&
                now < staleAt(heldToken.value)
              ) {
                yield* Effect.annotateCurrentSpan("auth_pipeline.redis.role", "hit")
                return heldToken.value
              }
              const owner = crypto.randomUUID()
              const reply = yield* Effect.either(
                evalScript("acquire", Scripts.acquire, keys, [
                  Option.getOrElse(held.version, () => "0"),
                  owner,
                  String(leaseTtl),
                  String(budget?.limit ?? 0),
                  String(budget?.windowMillis ?? 0)
                ])
              )
              if (Either.isLeft(reply)) return yield* degraded(coordination, reply.left.detail)
              const [kind, version, data, pttl] = reply.right as [string, unknown, unknown, unknown]
              const v = String(version)
              yield* Metric.increment(leases(kind))
              yield* Effect.annotateCurrentSpan({ "auth_pipeline.redis.role": kind, "auth_pipeline.redis.version": v })
              if (kind === "hit") {
                const token = yield* Effect.either(openToken(data))
                if (Either.isRight(token) && Option.isSome(token.right)) {
                  yield* setMirror({ token: token.right, version: Option.some(v) })
                  const fetched = token.right.value
                  // The same token under another version (re-seeded after a restart) is not a new one.
                  if (Option.exists(coordination.current, (c) => AccessTokenModule.sameValue(c, fetched))) continue
                  return fetched
                }
                // A record this process cannot open: take it as the one to replace.
                yield* Effect.logWarning(
                  `Redis record of ${name} replaced: ${Either.isLeft(token) ? token.left : "empty"}`
                )
                yield* setMirror({ token: held.token, version: Option.some(v) })
                continue
              }
              if (kind === "lead") {
                return yield* leadFetch(coordination, owner, v, data)
              }
              const elapsed = (yield* Clock.currentTimeMillis) - started
              const left = Number(pttl)
              if (kind === "budget") {
                return yield* Effect.fail(
                  new TokenBudgetExceeded({
                    cache: name,
                    limit: budget?.limit ?? 0,
                    window: budget?.window ?? Duration.zero,
                    retryAt: (yield* Clock.currentTimeMillis) + left
                  })
                )
              }
              if (kind === "backoff") {
                if (elapsed + left > bound) {
                  return yield* Effect.fail(storeError(
                    "fetch",
                    `the fleet is holding off after a failed token request; next attempt in ${Math.ceil(left / 1000)} s`
                  ))
                }
                yield* Effect.sleep(Duration.millis(left + (yield* jittered(50))))
                continue
              }
              // wait: someone else fetches; its notification wakes us, polling is the guarantee.
              if (elapsed > bound) {
                return yield* Effect.fail(storeError("fetch", "another process holds the lease past the wait bound"))
              }
              const poll = yield* jittered(Math.min(pollInterval, Math.max(left, 10)))
              yield* Effect.raceFirst(Deferred.await(waiter), Effect.sleep(Duration.millis(poll)))
            }
          }).pipe(
            Effect.withSpan("auth_pipeline.redis.coordinate", {
              attributes: { "auth_pipeline.provider": name, "auth_pipeline.trigger": coordination.trigger }
            })
          )

        /** Holding the lease: fetch from the latest record, publish with the version check, or record the failure. */
        const leadFetch = <E>(
          coordination: TokenStore.Coordination<E>,
          owner: string,
          version: string,
          data: unknown
        ): Effect.Effect<AccessToken, E | TokenStore.TokenStoreError> =>
          Effect.gen(function*() {
            const opened = yield* Effect.either(openToken(data))
            if (Either.isLeft(opened)) yield* Effect.logWarning(`Redis record of ${name} ignored: ${opened.left}`)
            const record = Either.getOrElse(opened, () => Option.none<AccessToken>())
            // The latest record's refresh token, never one read before waiting.
            const latest = Option.isSome(record) ? record : coordination.current
            if (Option.isSome(record)) yield* setMirror({ token: record, version: Option.some(version) })
            yield* Ref.set(lead, Option.some({ owner, version }))
            const exit = yield* Effect.exit(coordination.fetch(latest, Duration.millis(fetchDeadline)))
            const expected = Option.match(yield* Ref.getAndSet(lead, Option.none()), {
              onNone: () => version,
              onSome: (l) => l.version
            })
            if (Exit.isFailure(exit)) {
              const failure = Exit.causeOption(exit).pipe(Option.flatMap((c) => Option.fromNullable(c)))
              const error = Option.flatMap(
                failure,
                (cause) => cause._tag === "Fail" ? Option.some(cause.error) : Option.none()
              )
              const retryAfter = Option.flatMap(error, (e) => coordination.retryAfter(e))
              yield* evalScript("fail", Scripts.fail, keys, [
                owner,
                Option.match(retryAfter, {
                  onNone: () => "-1",
                  onSome: (d) => String(Math.ceil(Duration.toMillis(d)))
                }),
                String(backoffBase),
                String(backoffMax),
                channel
              ]).pipe(Effect.ignore)
              return yield* exit
            }
            const token = exit.value
            const sealed = yield* sealToken(Option.some(token))
            const published = yield* Effect.either(
              evalScript("publish", Scripts.publish, keys, [
                owner,
                expected,
                sealed,
                yield* freshFor(Option.some(token)),
                channel,
                String(budget?.windowMillis ?? 0)
              ])
            )
            if (Either.isLeft(published)) {
              // Got a token but cannot share it: serve it here.
              yield* setMirror({ token: Option.some(token), version: Option.none() })
              return token
            }
            const [outcome, v, latestData] = published.right as [string, unknown, unknown]
            if (outcome === "ok") {
              yield* setMirror({ token: Option.some(token), version: Option.some(String(v)) })
              return token
            }
            // Lost the lease (paused past it) or overtaken by a write: the newer record stays.
            yield* Metric.increment(Metric.tagged(RedisMetrics.refusedPublishes, "provider", name))
            yield* Effect.logWarning(
              `Redis refused ${name}'s token (${
                outcome === "lost" ? "lease lost" : "record changed"
              }): version ${v} stays`
            )
            const newer = yield* Effect.either(openToken(latestData))
            const now = yield* Clock.currentTimeMillis
            if (Either.isRight(newer) && Option.isSome(newer.right) && now < staleAt(newer.right.value)) {
              yield* setMirror({ token: newer.right, version: Option.some(String(v)) })
              return newer.right.value
            }
            // Nothing usable in Redis: serve the token fetched (the next fetch coordinates again).
            yield* setMirror({ token: Option.some(token), version: Option.some(String(v)) })
            return token
          }).pipe(
            // Interrupted (the caller's deadline, the scope closing): release the lease, no hold-off.
            Effect.onInterrupt(() =>
              Effect.zipRight(
                Ref.set(lead, Option.none()),
                evalScript("fail", Scripts.fail, keys, [owner, "0", "0", "0", channel]).pipe(Effect.ignore)
              )
            )
          )

        const writeRecord = (
          operation: "set" | "compareAndSet",
          expected: string,
          token: Option.Option<AccessToken>
        ) =>
          Effect.gen(function*() {
            const data = yield* sealToken(token)
            return yield* evalScript(operation, Scripts.write, keys.slice(0, 1), [
              expected,
              data,
              yield* freshFor(token),
              channel
            ])
          })

        const compareAndSet = (
          expected: AccessToken,
          next: Option.Option<AccessToken>,
          round: number
        ): Effect.Effect<boolean, TokenStore.TokenStoreError> =>
          Effect.gen(function*() {
            const current = yield* Ref.get(mirror)
            if (Option.isNone(current.token) || !AccessTokenModule.sameValue(current.token.value, expected)) {
              return false
            }
            const version = current.version
            if (Option.isNone(version)) {
              yield* setMirror({ token: next, version: Option.none() })
              return true
            }
            const reply = yield* Effect.either(writeRecord("compareAndSet", version.value, next))
            if (Either.isLeft(reply)) {
              if (!(reply.left instanceof RedisDown)) return yield* Effect.fail(reply.left)
              if (policyName === "fail") {
                return yield* Effect.fail(
                  storeError("compareAndSet", `unavailable (${reply.left.detail}); policy "fail"`)
                )
              }
              yield* setMirror({ token: next, version })
              return true
            }
            const [outcome, v, data] = reply.right as [string, unknown, unknown]
            if (outcome === "ok") {
              yield* setMirror({ token: next, version: Option.some(String(v)) })
              // A write by the leader itself (a dead refresh token dropped) moves its expected version.
              yield* Ref.update(
                lead,
                Option.map((l) => l.version === version.value ? { ...l, version: String(v) } : l)
              )
              return true
            }
            // The record moved on. If it holds the same token under another version: already
            // invalidated by another process (nothing to write), or re-seeded after a Redis restart
            // (compare again against that version).
            const latest = yield* Effect.either(openToken(data))
            if (
              round < 3 && Either.isRight(latest) && Option.isSome(latest.right) &&
              AccessTokenModule.sameValue(latest.right.value, expected)
            ) {
              yield* setMirror({ token: latest.right, version: Option.some(String(v)) })
              if ((yield* Clock.currentTimeMillis) >= staleAt(latest.right.value)) return true
              return yield* compareAndSet(expected, next, round + 1)
            }
            yield* adoptRecord(String(v), data)
            return false
          })

        const store: TokenStore.TokenStore = {
          get: Ref.get(current),
          set: (token) =>
            Effect.gen(function*() {
              const reply = yield* Effect.either(writeRecord("set", "*", token))
              if (Either.isRight(reply) && reply.right[0] === "ok") {
                return yield* setMirror({ token, version: Option.some(String(reply.right[1])) })
              }
              if (Either.isLeft(reply) && reply.left instanceof RedisDown && policyName === "fail") {
                return yield* Effect.fail(storeError("set", `unavailable (${reply.left.detail}); policy "fail"`))
              }
              if (Either.isLeft(reply) && !(reply.left instanceof RedisDown)) return yield* Effect.fail(reply.left)
              yield* setMirror({ token, version: Option.none() })
            }),
          compareAndSet: (expected, next) => compareAndSet(expected, next, 0),
          coordinate
        }
        return store
      })

    return { make }
  })
