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
 * Its errors can be anything: they become a `TokenStoreError` that names their `_tag` (and
 * `reason`) or their class name, never what they say (it may quote the value read).
 *
 * @example
 * ```ts
 * import { KeyValueTokenStore } from "@auth-pipeline/core"
 * import { Effect, Option } from "effect"
 *
 * // a plain Map as the backing store (`KeyValueStore.layerMemory` of @effect/platform does the same)
 * const map = new Map<string, string>()
 * const strings: KeyValueTokenStore.StringStore = {
 *   get: (key) => Effect.sync(() => Option.fromNullable(map.get(key))),
 *   set: (key, value) => Effect.sync(() => void map.set(key, value)),
 *   remove: (key) => Effect.sync(() => void map.delete(key))
 * }
 * const store = KeyValueTokenStore.make({ store: strings, key: "my-app:session" })
 * ```
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
 * What {@link make} takes: the backing store and the one key the token set is kept under.
 * Stores sharing a backing store and a key (the tabs of an origin over `localStorage`) share
 * the token set.
 *
 * @example
 * ```ts
 * import type { KeyValueTokenStore } from "@auth-pipeline/core"
 * import { KeyValueStore } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * // in a browser the backing store would be `KeyValueStore.layerStorage(() => localStorage)`
 * const options = Effect.map(
 *   KeyValueStore.KeyValueStore,
 *   (kv): KeyValueTokenStore.Options => ({ store: kv, key: "my-app:session" })
 * ).pipe(Effect.provide(KeyValueStore.layerMemory))
 * ```
 *
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
 * @example
 * ```ts
 * import { AccessToken, KeyValueTokenStore } from "@auth-pipeline/core"
 * import { KeyValueStore } from "@effect/platform"
 * import { Effect, Option, Redacted } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const kv = yield* KeyValueStore.KeyValueStore
 *   const store = yield* KeyValueTokenStore.make({ store: kv, key: "my-app:session" })
 *   const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: Date.now() })
 *   yield* store.set(Option.some(token))
 *   assert.ok(Option.isSome(yield* kv.get("my-app:session"))) // a JSON document under the key
 *   // another store over the same backing store and key sees the same token set
 *   const other = yield* KeyValueTokenStore.make({ store: kv, key: "my-app:session" })
 *   assert.ok(yield* other.compareAndSet(token, Option.none()))
 *   assert.ok(Option.isNone(yield* store.get))
 * }).pipe(Effect.provide(KeyValueStore.layerMemory))
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<TokenStore> = internal.make
