/**
 * Where the page is and how it moves: `location` and `history` as a service, so the sign-in and
 * sign-out logic of {@link BrowserOidc} runs in tests against {@link makeMemory} and in a browser
 * against {@link layer}.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * The page's address and its moves: what {@link BrowserOidc} reads (the callback's URL) and does
 * (go to the provider, take the code and state out of the address bar). {@link browser} is the
 * page's own; {@link makeMemory} a history in memory; any other implementation (an embedded web
 * view, a router) works too.
 *
 * @example
 * ```ts
 * import type { Navigation } from "@auth-pipeline/platform-browser"
 * import { Effect } from "effect"
 *
 * // the shape of a navigation: here one that stays on its page and logs where it would go
 * const logging = (start: string): Navigation.Navigation => {
 *   let current = new URL(start)
 *   return {
 *     url: Effect.sync(() => new URL(current.href)),
 *     assign: (url) => Effect.log(`would go to ${url.href}`),
 *     replace: (url) => Effect.log(`would go to ${url.href} in place`),
 *     replaceState: (url) =>
 *       Effect.sync(() => {
 *         current = url
 *       })
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Navigation {
  /** The page's URL (`location.href`). */
  readonly url: Effect.Effect<URL>
  /** Leaves the page for `url`, adding a history entry (`location.assign`). */
  readonly assign: (url: URL) => Effect.Effect<void>
  /** Leaves the page for `url` in place of the current history entry (`location.replace`). */
  readonly replace: (url: URL) => Effect.Effect<void>
  /**
   * Rewrites the current history entry's URL without loading anything (`history.replaceState`):
   * the address bar and the history then show `url` only.
   */
  readonly replaceState: (url: URL) => Effect.Effect<void>
}

/**
 * The {@link Navigation} service: {@link layer} in a page, {@link makeMemory} in tests.
 *
 * @example
 * ```ts
 * import { Navigation } from "@auth-pipeline/platform-browser"
 * import { Effect } from "effect"
 *
 * const path = Effect.flatMap(Navigation.Navigation, (navigation) => navigation.url).pipe(
 *   Effect.map((url) => url.pathname)
 * )
 * const memory = Navigation.makeMemory("https://app.example.com/orders")
 * const inTest = Effect.provideServiceEffect(path, Navigation.Navigation, memory)
 * assert.strictEqual(Effect.runSync(inTest), "/orders")
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const Navigation: Context.Tag<Navigation, Navigation> = Context.GenericTag<Navigation>(
  "@auth-pipeline/platform-browser/Navigation"
)

/**
 * The page's own `location` and `history`, read and called when an operation runs (never when
 * this module loads): outside a page the operations throw (die).
 *
 * @example
 * ```ts
 * import { Navigation } from "@auth-pipeline/platform-browser"
 * import { Effect } from "effect"
 *
 * // in a page: drop the query from the address bar without reloading (not run here: Node has no `location`)
 * const dropQuery = Effect.gen(function*() {
 *   const url = yield* Navigation.browser.url
 *   url.search = ""
 *   yield* Navigation.browser.replaceState(url)
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const browser: Navigation = {
  url: Effect.sync(() => new URL(globalThis.location.href)),
  assign: (url) => Effect.sync(() => globalThis.location.assign(url.href)),
  replace: (url) => Effect.sync(() => globalThis.location.replace(url.href)),
  replaceState: (url) => Effect.sync(() => globalThis.history.replaceState(globalThis.history.state, "", url.href))
}

/**
 * {@link browser} as a Layer. `BrowserOidc.layerBrowser` includes it.
 *
 * @example
 * ```ts
 * import { Navigation } from "@auth-pipeline/platform-browser"
 * import { Effect } from "effect"
 *
 * // in a page (not run here: Node has no `location`)
 * const here = Effect.flatMap(Navigation.Navigation, (navigation) => navigation.url).pipe(
 *   Effect.provide(Navigation.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Navigation> = Layer.succeed(Navigation, browser)

/**
 * A navigation in memory, for tests: a history of URLs with a current entry. `assign` and
 * `visit` drop the entries after the current one and add a new one; `replace` and
 * `replaceState` both rewrite the current entry.
 *
 * @example
 * ```ts
 * import { Navigation } from "@auth-pipeline/platform-browser"
 * import { Effect } from "effect"
 *
 * // a sign-in round trip: to the provider, back with a code, the code taken out of the history
 * const program = Effect.gen(function*() {
 *   const navigation: Navigation.MemoryNavigation = yield* Navigation.makeMemory("https://app.example.com/")
 *   yield* navigation.assign(new URL("https://id.example.com/authorize?state=s1"))
 *   yield* navigation.visit("https://app.example.com/oidc-callback?code=c1&state=s1")
 *   yield* navigation.replaceState(new URL("https://app.example.com/oidc-callback"))
 *   assert.deepStrictEqual(yield* navigation.entries, [
 *     "https://app.example.com/",
 *     "https://id.example.com/authorize?state=s1",
 *     "https://app.example.com/oidc-callback"
 *   ])
 * })
 * Effect.runSync(program)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryNavigation extends Navigation {
  /** Every entry of the history, oldest first (what the back button could reach). */
  readonly entries: Effect.Effect<ReadonlyArray<string>>
  /** Puts the user on `url` as a new history entry (e.g. the provider redirecting back). */
  readonly visit: (url: string | URL) => Effect.Effect<void>
}

/**
 * A {@link MemoryNavigation} starting on `initial` (its only history entry). An invalid URL
 * throws (dies) when the effect runs.
 *
 * @example
 * ```ts
 * import { Navigation } from "@auth-pipeline/platform-browser"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const navigation = yield* Navigation.makeMemory("https://app.example.com/account")
 *   yield* navigation.replace(new URL("https://app.example.com/"))
 *   assert.strictEqual((yield* navigation.url).pathname, "/")
 *   assert.deepStrictEqual(yield* navigation.entries, ["https://app.example.com/"])
 * })
 * Effect.runSync(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (initial: string | URL): Effect.Effect<MemoryNavigation> =>
  Effect.sync(() => {
    const history: Array<string> = [new URL(initial).href]
    let index = 0
    const push = (url: string | URL) =>
      Effect.sync(() => {
        history.splice(index + 1, history.length, new URL(url).href)
        index = history.length - 1
      })
    const replace = (url: URL) =>
      Effect.sync(() => {
        history[index] = url.href
      })
    return {
      url: Effect.sync(() => new URL(history[index]!)),
      assign: push,
      replace,
      replaceState: replace,
      entries: Effect.sync(() => [...history]),
      visit: push
    }
  })
