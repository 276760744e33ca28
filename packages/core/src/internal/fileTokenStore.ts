import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect, Either, Option, Ref } from "effect"
import * as AccessToken from "../AccessToken.js"
import type { Options } from "../FileTokenStore.js"
import { type TokenStore, TokenStoreError } from "../TokenStore.js"
import * as StoredToken from "./storedToken.js"

type Operation = TokenStoreError["operation"]

/** The directory part of a path, for `/` and `\` separators; `.` when there is none. */
const splitPath = (path: string): { readonly directory: string; readonly name: string } => {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))
  if (i < 0) return { directory: ".", name: path }
  // Keep the root separator (`/tokens.json`, `C:\tokens.json`).
  const directory = i === 0 || (i === 2 && path[1] === ":") ? path.slice(0, i + 1) : path.slice(0, i)
  return { directory, name: path.slice(i + 1) }
}

const tempPattern = /^\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/

const isNotFound = (error: PlatformError): boolean => error._tag === "SystemError" && error.reason === "NotFound"

export const make = (options: Options): Effect.Effect<TokenStore, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = options.path
    const { directory, name } = splitPath(path)
    const lock = yield* Effect.makeSemaphore(1)
    /** `None` until the file has been read; then the token it holds, kept in step with every write. */
    const mirror = yield* Ref.make(Option.none<Option.Option<AccessToken.AccessToken>>())

    const fail = (operation: Operation, detail: string) =>
      new TokenStoreError({ operation, detail: `${path} ${detail}` })

    // Temp files a crashed write left behind: they may hold a token, so they go. Best effort.
    yield* fs.readDirectory(directory).pipe(
      Effect.flatMap((entries) =>
        Effect.forEach(
          entries.filter((entry) => entry.startsWith(name) && tempPattern.test(entry.slice(name.length))),
          (entry) => Effect.ignore(fs.remove(`${path}${entry.slice(name.length)}`)),
          { discard: true }
        )
      ),
      Effect.ignore
    )

    const read = (operation: Operation): Effect.Effect<Option.Option<AccessToken.AccessToken>, TokenStoreError> =>
      fs.readFileString(path).pipe(
        Effect.map(Option.some),
        Effect.catchIf(isNotFound, () => Effect.succeed(Option.none<string>())),
        Effect.mapError((error) => fail(operation, `cannot be read: ${error.message}`)),
        Effect.flatMap(Option.match({
          onNone: () => Effect.succeed(Option.none()),
          onSome: (text) =>
            Either.match(StoredToken.parse(text), {
              onLeft: (reason) => Effect.fail(fail(operation, `${reason}; the next set replaces it`)),
              onRight: Effect.succeed
            })
        }))
      )

    /** The current token: the mirror, or the file the first time. Run under the lock. */
    const current = (operation: Operation) =>
      Effect.flatMap(
        Ref.get(mirror),
        Option.match({
          onSome: Effect.succeed,
          onNone: () => Effect.tap(read(operation), (token) => Ref.set(mirror, Option.some(token)))
        })
      )

    const syncDirectory = Effect.scoped(Effect.flatMap(fs.open(directory, { flag: "r" }), (dir) => dir.sync)).pipe(
      // Not every platform can open or fsync a directory (Windows cannot): the rename is done.
      Effect.ignore
    )

    /**
     * Writes a temp file next to the target, fsyncs it and renames it over the target, then
     * updates the mirror. On failure the temp file is removed and the mirror is untouched.
     */
    const write = (operation: Operation, token: Option.Option<AccessToken.AccessToken>) =>
      Effect.gen(function*() {
        const text = yield* Either.match(StoredToken.serialize(token), {
          onLeft: (reason) => Effect.fail(new TokenStoreError({ operation, detail: reason })),
          onRight: Effect.succeed
        })
        const bytes = new TextEncoder().encode(text)
        const temp = `${path}.${globalThis.crypto.randomUUID()}.tmp`
        let created = false
        yield* fs.makeDirectory(directory, { recursive: true, mode: 0o700 }).pipe(
          Effect.zipRight(Effect.scoped(
            fs.open(temp, { flag: "wx", mode: 0o600 }).pipe(
              Effect.tap(() => Effect.sync(() => (created = true))),
              Effect.flatMap((file) => Effect.zipRight(file.writeAll(bytes), file.sync))
            )
          )),
          Effect.zipRight(fs.rename(temp, path)),
          Effect.tapError(() => created ? Effect.ignore(fs.remove(temp)) : Effect.void),
          Effect.mapError((error) => fail(operation, `cannot be written: ${error.message}`))
        )
        yield* Ref.set(mirror, Option.some(token))
        yield* syncDirectory
      }).pipe(Effect.uninterruptible)

    return {
      get: Effect.flatMap(Ref.get(mirror), (loaded) =>
        Option.isSome(loaded) ? Effect.succeed(loaded.value) : lock.withPermits(1)(current("get"))),
      set: (token) => lock.withPermits(1)(write("set", token)),
      compareAndSet: (expected, next) =>
        lock.withPermits(1)(
          Effect.flatMap(current("compareAndSet"), (token) =>
            Option.isSome(token) && AccessToken.sameValue(token.value, expected)
              ? Effect.as(write("compareAndSet", next), true)
              : Effect.succeed(false))
        )
    } satisfies TokenStore
  })
