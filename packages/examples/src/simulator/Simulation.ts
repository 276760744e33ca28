/**
 * Runs a provider pipeline against its in-memory emulator on a simulated clock (`SimClock`) for a simulated
 * period and reports what the pipeline did.
 *
 * Every request reads the token through the provider's cache at its own simulated time. A request
 * goes through the whole pipeline (authenticated HttpClient → emulator API) whenever anything can
 * have changed since the last one that did: no token yet, a new token, a fault event, a pending
 * timer (a background refresh or a retry) or the token's expiry being due. Between such moments the
 * pipeline's answer is provably the same (the API accepted that token, nothing was revoked, it has
 * not expired), so those requests are served by the cache alone and counted. This is what lets
 * 24 simulated hours at 5 requests a second run in about a second: the clock only moves at those
 * moments.
 */
import { Metrics } from "@auth-pipeline/core"
import { Fault, InMemory } from "@auth-pipeline/sandbox"
import { HttpClient } from "@effect/platform"
import {
  Cause,
  Clock,
  Duration,
  Effect,
  Exit,
  Fiber,
  Logger,
  LogLevel,
  Metric,
  Option,
  Redacted,
  TestContext
} from "effect"
import { providers } from "./Providers.js"
import type { Scenario } from "./Scenario.js"
import * as SharedStore from "./SharedStore.js"
import * as SimClock from "./SimClock.js"

export interface Report {
  readonly scenario: Scenario
  readonly requests: number
  /** Requests sent through the whole pipeline to the emulator's API. */
  readonly pipelineRequests: number
  readonly succeeded: number
  readonly failed: number
  readonly failuresByError: Readonly<Record<string, number>>
  readonly tokenRequests: number
  /** Simulated milliseconds at which each token request reached the emulator. */
  readonly tokenRequestTimes: ReadonlyArray<number>
  /** The least possible: one token per lifetime over the period. */
  readonly onePerLifetime: number
  readonly cacheHits: number
  readonly unauthorizedRetries: number
  /** The longest any request waited for its token (simulated time). */
  readonly longestWait: Duration.Duration
  readonly lifetime: Duration.Duration
  readonly wallMillis: number
}

interface Event {
  readonly at: number
  readonly name: string
  readonly run: Effect.Effect<unknown>
}

const counter = (metric: typeof Metrics.cacheHits, cache: string) =>
  Effect.map(Metric.value(Metric.tagged(metric, Metrics.providerTag, cache)), (s) => s.count)

/** Runs the scenario; the simulation has its own clock, whatever the caller's clock is. */
export const run = (scenario: Scenario): Effect.Effect<Report> => {
  const sim = SimClock.make()
  return Effect.gen(function*() {
    const wallStart = performance.now()
    const provider = providers[scenario.provider]
    const emulator = yield* provider.emulator
    const tokenRequestTimes: Array<number> = []
    const http = HttpClient.tapRequest(
      InMemory.make([emulator]),
      (request) =>
        new URL(request.url).pathname === provider.tokenPath
          ? Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => tokenRequestTimes.push(now)))
          : Effect.void
    )
    // The replicas of the service: each its own cache, or one token shared through the store.
    const shared = scenario.sharedStore ? SharedStore.make() : undefined
    const auths = yield* Effect.forEach(
      Array.from({ length: scenario.replicas }),
      () => Effect.orDie(provider.build(http, shared))
    )
    const name = auths[0]!.name
    const hitsBefore = yield* counter(Metrics.cacheHits, name)
    const retriesBefore = yield* counter(Metrics.unauthorizedRetries, name)

    const period = Duration.toMillis(scenario.duration)
    const total = Math.floor((period / 1000) * scenario.rps)
    const interval = 1000 / scenario.rps

    const events: Array<Event> = []
    if (scenario.revokeEvery !== undefined) {
      const every = Duration.toMillis(scenario.revokeEvery)
      for (let at = every; at < period; at += every) {
        events.push({ at, name: "revoke", run: emulator.revokeAll })
      }
    }
    if (scenario.outage !== undefined) {
      const start = Duration.toMillis(scenario.outage.start)
      events.push(
        { at: start, name: "outage start", run: emulator.failNext(Fault.status(503), { times: 1_000_000_000 }) },
        { at: start + Duration.toMillis(scenario.outage.duration), name: "outage end", run: emulator.clearFaults }
      )
    }
    events.sort((a, b) => a.at - b.at)

    let succeeded = 0
    let failed = 0
    let pipelineRequests = 0
    let longestWait = 0
    const failuresByError: Record<string, number> = {}
    /** Per replica: the token value the API last accepted with nothing changed since. */
    const validated: Array<string | undefined> = auths.map(() => undefined)
    /** Until when the cache's answer cannot change without the clock moving. */
    let horizon = -1
    const inFlight = new Set<Fiber.RuntimeFiber<void>>()

    const request = (sentAt: number, replica: number) =>
      Effect.gen(function*() {
        const auth = auths[replica]!
        const exit = yield* Effect.exit(Effect.flatMap(auth.client.get(provider.resourcePath), (r) => r.arrayBuffer))
        const now = yield* Clock.currentTimeMillis
        longestWait = Math.max(longestWait, now - sentAt)
        if (Exit.isSuccess(exit)) {
          succeeded++
          const current = yield* Effect.orDie(auth.cache.current)
          validated[replica] = Option.getOrUndefined(Option.map(current, (t) => Redacted.value(t.value)))
        } else {
          failed++
          const tag = Option.match(Cause.failureOption(exit.cause), {
            onNone: () => (Cause.isInterruptedOnly(exit.cause) ? "Interrupted" : "Defect"),
            onSome: (error) => (error as { readonly _tag?: string })._tag ?? "Error"
          })
          failuresByError[tag] = (failuresByError[tag] ?? 0) + 1
        }
      })

    /** Recomputes the horizon after the clock moved or something ran. */
    const recompute = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const nextSleep = sim.sleeps().reduce((min, t) => (t > now ? Math.min(min, t) : min), Infinity)
      let expiry = Infinity
      for (const auth of auths) {
        const current = yield* Effect.orDie(auth.cache.current)
        expiry = Math.min(
          expiry,
          Option.match(Option.flatMap(current, (t) => t.expiresAt), { onNone: () => -1, onSome: (t) => t })
        )
      }
      // Requests still in flight wait on simulated time (a retry's sleep), which is in `nextSleep`.
      horizon = Math.min(nextSleep, expiry)
    })

    /**
     * Runs a forked request until it is done or waits on simulated time: turns of the event loop
     * let it run (and the in-memory transport's promises settle); a request that made no progress
     * for a few turns while a simulated timer is pending (it waits on a fetch that sleeps before
     * its next retry) is left to the next move of the clock.
     */
    const settle = (fiber: Fiber.RuntimeFiber<void>) =>
      Effect.gen(function*() {
        const sleepsBefore = sim.sleeps().length
        let stalled = 0
        for (let turn = 0; turn < 200; turn++) {
          yield* sim.turns(1)
          if (Option.isSome(yield* Fiber.poll(fiber))) return
          const sleeps = sim.sleeps()
          if (sleeps.length > sleepsBefore) return
          if (sleeps.some((t) => t > sim.now()) && ++stalled >= 3) return
        }
      })

    let nextEvent = 0
    for (let j = 0; j < total; j++) {
      const t = j * interval
      const replica = j % auths.length
      let changed = false
      while (nextEvent < events.length && events[nextEvent]!.at <= t) {
        const event = events[nextEvent++]!
        yield* sim.setTime(event.at)
        yield* event.run
        validated.fill(undefined)
        changed = true
      }
      if (!changed && t < horizon && validated[replica] !== undefined) {
        // Fast path: nothing can have changed; the cache answers at the current simulated time.
        const token = yield* Effect.orDie(auths[replica]!.token)
        if (Redacted.value(token.value) === validated[replica]) {
          succeeded++
          continue
        }
      }
      // Pipeline path: move the clock to the request's time and send it through everything.
      yield* sim.setTime(t)
      pipelineRequests++
      const fiber = yield* Effect.fork(request(t, replica))
      inFlight.add(fiber)
      yield* settle(fiber)
      for (const f of inFlight) if (Option.isSome(yield* Fiber.poll(f))) inFlight.delete(f)
      yield* recompute
    }
    // Let requests still waiting (on retries) finish.
    yield* sim.setTime(period)
    while (inFlight.size > 0) {
      yield* sim.adjust("1 minute")
      for (const f of inFlight) if (Option.isSome(yield* Fiber.poll(f))) inFlight.delete(f)
    }

    return {
      scenario,
      requests: total,
      pipelineRequests,
      succeeded,
      failed,
      failuresByError,
      tokenRequests: (yield* emulator.counters).tokenRequests,
      tokenRequestTimes,
      onePerLifetime: Math.ceil(period / (provider.lifetime * 1000)),
      cacheHits: (yield* counter(Metrics.cacheHits, name)) - hitsBefore,
      unauthorizedRetries: (yield* counter(Metrics.unauthorizedRetries, name)) - retriesBefore,
      longestWait: Duration.millis(longestWait),
      lifetime: Duration.seconds(provider.lifetime),
      wallMillis: performance.now() - wallStart
    } satisfies Report
  }).pipe(
    Effect.scoped,
    // The simulation's own clock (the rest of TestContext: a seeded Random, so runs repeat).
    Effect.withClock(sim.clock),
    Effect.provide(TestContext.TestContext),
    // The simulated application's warnings (failed background refreshes) would drown the report.
    Logger.withMinimumLogLevel(LogLevel.None)
  )
}
