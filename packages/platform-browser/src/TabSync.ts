/**
 * What the tabs of one origin share besides `localStorage`: a lock (`navigator.locks`), so that
 * one tab at a time refreshes the session they share, and a broadcast (`BroadcastChannel`), so
 * every tab hears that the session changed. {@link makeMemory} gives the same to tests, with one
 * instance standing for one origin.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"

/**
 * What {@link BrowserOidc} needs from the other tabs of its origin: a named lock (its refreshes
 * run under `<storage key>:refresh`) and named notifications (it publishes on its storage key
 * after every write of the session and turns what it hears into `sessions` events).
 *
 * @example
 * ```ts
 * import type { TabSync } from "@auth-pipeline/platform-browser"
 * import { Effect, Queue } from "effect"
 *
 * // the shape of a TabSync: here for an app that is only ever open in one tab
 * const lock = Effect.unsafeMakeSemaphore(1)
 * const singleTab: TabSync.TabSync = {
 *   withLock: () => lock.withPermits(1),
 *   publish: () => Effect.void, // no other tab to tell
 *   subscribe: () => Effect.acquireRelease(Queue.unbounded<void>(), Queue.shutdown) // nothing ever arrives
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TabSync {
  /** Runs `effect` while holding the lock `name`, shared by every tab of the origin. */
  readonly withLock: (name: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Tells the other tabs' subscribers of `channel` that something changed. */
  readonly publish: (channel: string) => Effect.Effect<void>
  /**
   * Notifications of `channel` from other tabs, from now until the scope closes. In a browser:
   * `BroadcastChannel` messages, and `storage` events of the keys that start with `channel` (a
   * tab sees another tab's `localStorage` write only a moment later, when that event fires).
   */
  readonly subscribe: (channel: string) => Effect.Effect<Queue.Dequeue<void>, never, Scope.Scope>
}

/**
 * The {@link TabSync} service: {@link layer} in a page, {@link makeMemory} in tests.
 *
 * @example
 * ```ts
 * import { TabSync } from "@auth-pipeline/platform-browser"
 * import { Effect } from "effect"
 *
 * // one refresh at a time across the tabs of the origin
 * const exclusive = <A, E, R>(refresh: Effect.Effect<A, E, R>) =>
 *   Effect.flatMap(TabSync.TabSync, (tabs) => tabs.withLock("my-app:refresh")(refresh))
 *
 * const inTest = Effect.provideServiceEffect(exclusive(Effect.succeed(1)), TabSync.TabSync, TabSync.makeMemory)
 * assert.strictEqual(Effect.runSync(inTest), 1)
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const TabSync: Context.Tag<TabSync, TabSync> = Context.GenericTag<TabSync>(
  "@auth-pipeline/platform-browser/TabSync"
)

const semaphores = () => {
  const byName = new Map<string, Effect.Semaphore>()
  return (name: string) => {
    let semaphore = byName.get(name)
    if (semaphore === undefined) {
      semaphore = Effect.unsafeMakeSemaphore(1)
      byName.set(name, semaphore)
    }
    return semaphore
  }
}

/**
 * `navigator.locks.request` held for as long as `effect` runs (released when it ends, fails or is
 * interrupted; a wait for the lock is abandoned on interruption).
 */
const webLock = (locks: LockManager, name: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      restore(Effect.async<() => void>((resume, signal) => {
        locks.request(name, { signal }, () =>
          new Promise<void>((release) => {
            if (signal.aborted) release()
            else resume(Effect.succeed(() => release()))
          })).catch(() => {
            // Aborted while waiting: the fiber was interrupted and no longer listens.
          })
      })),
      (release) => Effect.ensuring(restore(effect), Effect.sync(release))
    )
  )

/**
 * The browser's: `navigator.locks` (a lock within the tab where the Web Locks API is missing) and
 * `BroadcastChannel` (no notifications where it is missing). A subscription also hears the
 * `storage` events (another tab's Web Storage writes) of the keys that start with the channel's
 * name, and of a `clear()`.
 *
 * @example
 * ```ts
 * import { TabSync } from "@auth-pipeline/platform-browser"
 * import { Effect, Queue } from "effect"
 *
 * // in a page: wait until another tab says the session changed (not run here)
 * const nextChange = Effect.scoped(
 *   Effect.gen(function*() {
 *     const tabs = yield* TabSync.browser
 *     const changes = yield* tabs.subscribe("my-app:session")
 *     yield* Queue.take(changes)
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const browser: Effect.Effect<TabSync> = Effect.sync(() => {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined
  const local = semaphores()
  const channels = new Map<string, BroadcastChannel>()
  const sender = (name: string) => {
    let channel = channels.get(name)
    if (channel === undefined) {
      channel = new BroadcastChannel(name)
      channels.set(name, channel)
    }
    return channel
  }
  const hasBroadcast = typeof BroadcastChannel !== "undefined"
  return {
    withLock: (name) => locks !== undefined ? webLock(locks, name) : (effect) => local(name).withPermits(1)(effect),
    publish: (name) =>
      hasBroadcast
        ? Effect.sync(() => sender(name).postMessage("changed"))
        : Effect.void,
    subscribe: (name) =>
      Effect.gen(function*() {
        const queue = yield* Effect.acquireRelease(Queue.sliding<void>(16), Queue.shutdown)
        if (typeof addEventListener === "function") {
          const onStorage = (event: StorageEvent) => {
            if (event.key === null || event.key.startsWith(name)) Queue.unsafeOffer(queue, undefined)
          }
          yield* Effect.acquireRelease(
            Effect.sync(() => addEventListener("storage", onStorage)),
            () => Effect.sync(() => removeEventListener("storage", onStorage))
          )
        }
        if (!hasBroadcast) return queue
        yield* Effect.acquireRelease(
          Effect.sync(() => {
            const channel = new BroadcastChannel(name)
            channel.onmessage = () => Queue.unsafeOffer(queue, undefined)
            return channel
          }),
          (channel) => Effect.sync(() => channel.close())
        )
        return queue
      })
  } satisfies TabSync
})

/**
 * {@link browser} as a Layer. `BrowserOidc.layerBrowser` includes it.
 *
 * @example
 * ```ts
 * import { TabSync } from "@auth-pipeline/platform-browser"
 * import { Effect } from "effect"
 *
 * // in a page: tell the other tabs (not run here)
 * const announce = Effect.flatMap(TabSync.TabSync, (tabs) => tabs.publish("my-app:session")).pipe(
 *   Effect.provide(TabSync.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<TabSync> = Layer.effect(TabSync, browser)

/**
 * Locks and notifications in memory: every client given the same instance behaves like a tab of
 * the same origin (a publisher hears its own notifications too, as another `BroadcastChannel`
 * object of the same tab would).
 *
 * @example
 * ```ts
 * import { TabSync } from "@auth-pipeline/platform-browser"
 * import { Effect, Queue } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const origin = yield* TabSync.makeMemory // give the same instance to every "tab"
 *   const changes = yield* origin.subscribe("my-app:session")
 *   yield* origin.publish("my-app:session")
 *   yield* Queue.take(changes) // heard
 *
 *   let inside = 0
 *   let most = 0
 *   const refresh = origin.withLock("my-app:refresh")(
 *     Effect.gen(function*() {
 *       most = Math.max(most, ++inside)
 *       yield* Effect.yieldNow()
 *       inside--
 *     })
 *   )
 *   yield* Effect.all([refresh, refresh], { concurrency: "unbounded" })
 *   assert.strictEqual(most, 1) // one at a time
 * })
 * Effect.runPromise(Effect.scoped(program))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<TabSync> = Effect.sync(() => {
  const local = semaphores()
  const hubs = new Map<string, PubSub.PubSub<void>>()
  const hub = (name: string) => {
    let found = hubs.get(name)
    if (found === undefined) {
      found = Effect.runSync(PubSub.sliding<void>(16))
      hubs.set(name, found)
    }
    return found
  }
  return {
    withLock: (name) => (effect) => local(name).withPermits(1)(effect),
    publish: (name) => Effect.asVoid(PubSub.publish(hub(name), undefined)),
    subscribe: (name) => PubSub.subscribe(hub(name))
  } satisfies TabSync
})
