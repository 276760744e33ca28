import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as AccessToken from "../AccessToken.js"
import type { Options } from "../KeyValueTokenStore.js"
import { TokenStoreError } from "../TokenStore.js"
import type { TokenStore } from "../TokenStore.js"
import * as StoredToken from "./storedToken.js"

type Operation = TokenStoreError["operation"]

/** A backing store's error, described without its value (it may quote what it read). */
const describe = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? `${error._tag}${"reason" in error && typeof error.reason === "string" ? ` (${error.reason})` : ""}`
    : error instanceof Error
    ? error.name
    : "failure"

export const make = (options: Options): Effect.Effect<TokenStore> =>
  Effect.gen(function*() {
    const { key, store } = options
    const semaphore = yield* Effect.makeSemaphore(1)
    // The last text read or written and its token: an unchanged text keeps the token object, so
    // the cache's per-token timing is not recomputed on every read.
    let last: { readonly text: string; readonly token: Option.Option<AccessToken.AccessToken> } | undefined

    const fail = (operation: Operation, detail: string) =>
      new TokenStoreError({ operation, detail: `key ${JSON.stringify(key)} ${detail}` })

    const read = (operation: Operation) =>
      Effect.flatMap(
        Effect.mapError(store.get(key), (error) => fail(operation, `cannot be read: ${describe(error)}`)),
        (text): Effect.Effect<Option.Option<AccessToken.AccessToken>, TokenStoreError> => {
          if (Option.isNone(text)) return Effect.succeed(Option.none())
          if (last !== undefined && last.text === text.value) return Effect.succeed(last.token)
          return Either.match(StoredToken.parse(text.value), {
            onLeft: (reason) => Effect.fail(fail(operation, `${reason}; the next set replaces it`)),
            onRight: (token) =>
              Effect.sync(() => {
                last = { text: text.value, token }
                return token
              })
          })
        }
      )

    const write = (operation: Operation, token: Option.Option<AccessToken.AccessToken>) =>
      Option.isNone(token)
        ? Effect.mapError(store.remove(key), (error) => fail(operation, `cannot be removed: ${describe(error)}`))
        : Either.match(StoredToken.serialize(token), {
          onLeft: (reason) => Effect.fail(new TokenStoreError({ operation, detail: reason })),
          onRight: (text) =>
            store.set(key, text).pipe(
              Effect.mapError((error) => fail(operation, `cannot be written: ${describe(error)}`)),
              Effect.tap(() => {
                last = { text, token }
              })
            )
        })

    return {
      get: read("get"),
      set: (token) => semaphore.withPermits(1)(write("set", token)),
      compareAndSet: (expected, next) =>
        semaphore.withPermits(1)(
          Effect.flatMap(read("compareAndSet"), (current) =>
            Option.isSome(current) && AccessToken.sameValue(current.value, expected)
              ? Effect.as(write("compareAndSet", next), true)
              : Effect.succeed(false))
        )
    } satisfies TokenStore
  })
