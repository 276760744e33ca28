/**
 * A {@link TokenStore} over a string key-value store: `@effect/platform`'s `KeyValueStore`
 * (`KeyValueStore.layerStorage(() => localStorage)` in a browser, `layerMemory`,
 * `layerFileSystem`) or anything with the same `get` / `set` / `remove`. The token set is kept
 * under one key as the versioned JSON document `FileTokenStore` writes (secrets in clear text:
 * choose the backing store accordingly).
 *
 * - `get` reads the key on every call (so holders sharing the backing store, such as the tabs of
 *   one origin sharing `localStorage`, see each other's writes at once) and decodes only when the
 *   text changed.
 * - `compareAndSet` reads, compares and writes under a semaphore: atomic within this store. Across
 *   holders of the backing store (tabs, processes) it is atomic only when the writers also hold a
 *   common lock, as a `TokenCache` with the `lock` option does around its fetches.
 * - An unreadable or schema-invalid value fails `get` with a `TokenStoreError` that never quotes
 *   it; `set` replaces it.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as internal from "./internal/keyValueTokenStore.js"
import type { TokenStore } from "./TokenStore.js"

/**
 * The part of a key-value store this module uses; `@effect/platform`'s `KeyValueStore` has it.
 *
 * @since 0.1.0
 * @category models
 */
export interface StringStore {
  /** The text under `key`, if any. */
  readonly get: (key: string) => Effect.Effect<Option.Option<string>, unknown>
  /** Replaces the text under `key`. */
  readonly set: (key: string, value: string) => Effect.Effect<void, unknown>
  /** Removes `key` (no error when it is absent). */
  readonly remove: (key: string) => Effect.Effect<void, unknown>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The backing store. */
  readonly store: StringStore
  /** The key the token set is kept under. */
  readonly key: string
}

/**
 * A store keeping the token set under `options.key` of `options.store`. Building it reads
 * nothing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<TokenStore> = internal.make
