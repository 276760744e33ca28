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
 * @since 0.1.0
 * @category tags
 */
export const Navigation: Context.Tag<Navigation, Navigation> = Context.GenericTag<Navigation>(
  "@auth-pipeline/platform-browser/Navigation"
)

/**
 * The page's own `location` and `history`.
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
 * {@link browser} as a Layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Navigation> = Layer.succeed(Navigation, browser)

/**
 * A navigation in memory, for tests: a history of URLs with a current entry.
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
 * A {@link MemoryNavigation} starting on `initial`.
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
