/**
 * The simulation's clock: a `Clock` whose time only moves when the simulation moves it, with its
 * own queue of sleeping fibers. Like `TestClock`, but moving it costs microseconds: TestClock
 * waits, at every move and for every timer it fires, until all fibers are suspended (sampled
 * across `setTimeout(0)` turns, a millisecond or more each), which made each failing request of a
 * long outage cost tens of milliseconds of wall time. Here a move fires the due timers in order and
 * lets the woken fibers run for a few turns of the event loop (`setImmediate`).
 */
import { Clock, Duration, Effect } from "effect"

interface Timer {
  readonly at: number
  readonly seq: number
  readonly wake: () => void
}

export interface SimClock {
  readonly clock: Clock.Clock
  /** The wake-up times of the sleeping fibers, earliest first. */
  readonly sleeps: () => ReadonlyArray<number>
  /** The current simulated time (epoch milliseconds). */
  readonly now: () => number
  /** Moves to `t`, firing every timer due on the way (in order), letting woken fibers run. */
  readonly setTime: (t: number) => Effect.Effect<void>
  /** Moves forward by `d`. */
  readonly adjust: (d: Duration.DurationInput) => Effect.Effect<void>
  /** Lets runnable fibers run: a few turns of the event loop. */
  readonly turns: (n?: number) => Effect.Effect<void>
}

const turn = Effect.zipRight(
  Effect.yieldNow(),
  Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
)

export const make = (start = 0): SimClock => {
  let now = start
  let seq = 0
  const timers: Array<Timer> = []
  const insert = (timer: Timer) => {
    let i = timers.length
    while (
      i > 0 && (timers[i - 1]!.at > timer.at || (timers[i - 1]!.at === timer.at && timers[i - 1]!.seq > timer.seq))
    ) {
      i--
    }
    timers.splice(i, 0, timer)
  }
  const remove = (timer: Timer) => {
    const i = timers.indexOf(timer)
    if (i >= 0) timers.splice(i, 1)
  }
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    unsafeCurrentTimeNanos: () => BigInt(Math.round(now)) * 1_000_000n,
    currentTimeMillis: Effect.sync(() => now),
    currentTimeNanos: Effect.sync(() => BigInt(Math.round(now)) * 1_000_000n),
    sleep: (duration) =>
      Effect.async<void>((resume) => {
        const timer: Timer = {
          at: now + Math.max(0, Duration.toMillis(duration)),
          seq: seq++,
          wake: () => resume(Effect.void)
        }
        insert(timer)
        return Effect.sync(() => remove(timer))
      })
  }
  const turns = (n = 3) => Effect.repeatN(turn, Math.max(0, n - 1))
  const setTime = (t: number): Effect.Effect<void> =>
    Effect.gen(function*() {
      yield* turns(1)
      while (timers.length > 0 && timers[0]!.at <= t) {
        const timer = timers.shift()!
        now = Math.max(now, timer.at)
        timer.wake()
        yield* turns(2)
      }
      now = Math.max(now, t)
    })
  return {
    clock,
    sleeps: () => timers.map((timer) => timer.at),
    now: () => now,
    setTime,
    adjust: (d) => Effect.suspend(() => setTime(now + Duration.toMillis(Duration.decode(d)))),
    turns
  }
}
