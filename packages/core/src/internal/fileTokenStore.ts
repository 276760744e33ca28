import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
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

/** A temp file older than this was left by a crashed write: a live write takes milliseconds. */
const abandonedTempMillis = 10 * 60 * 1000

/**
 * How old a file must be before its identity alone vouches for its content. File times are coarse
 * (2 s on FAT, 1 s on HFS+, a clock tick or the millisecond elsewhere) and a replaced file's inode
 * is handed to the next new file at once (ext4), so two quick writes can leave a file with the
 * same inode, size and time as the one read. A write made after a read gets a time at least the
 * read's time minus the resolution: once the file is older than that, a change shows.
 */
const settledMillis = 2_000

/**
 * File times come from the system clock, whatever `Clock` the program runs with (a `TestClock` in
 * tests), so they are compared with the system clock.
 */
const systemNow = Effect.sync(() => Date.now())

/** The file's identity: a replacement (rename: a new inode) or a rewrite changes it. */
const identityOf = (info: Option.Option<FileSystem.File.Info>): string =>
  Option.match(info, {
    onNone: () => "none",
    onSome: (info) =>
      [
        info.dev,
        Option.getOrElse(info.ino, () => "-"),
        info.size,
        Option.match(info.mtime, { onNone: () => "-", onSome: (mtime) => mtime.getTime() })
      ].join(":")
  })

/** Whether the identity alone tells a later change: no file, or one older than `settledMillis`. */
const isSettled = (info: Option.Option<FileSystem.File.Info>, now: number): boolean =>
  Option.match(info, {
    onNone: () => true,
    onSome: (info) => Option.exists(info.mtime, (mtime) => mtime.getTime() <= now - settledMillis)
  })

/** What the file held when it was last read or written. */
interface Snapshot {
  readonly identity: string
  readonly settled: boolean
  /** `undefined`: no file. */
  readonly text: string | undefined
  readonly token: Option.Option<AccessToken.AccessToken>
}

export const make = (options: Options): Effect.Effect<TokenStore, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = options.path
    const { directory, name } = splitPath(path)
    const lock = yield* Effect.makeSemaphore(1)
    /** `None` until the file has been read; then what it held at the last read or write. */
    const mirror = yield* Ref.make(Option.none<Snapshot>())

    const fail = (operation: Operation, detail: string) =>
      new TokenStoreError({ operation, detail: `${path} ${detail}` })

    // Temp files a crashed write left behind: they may hold a token, so they go. Only old ones: a
    // young one may be another process's write in progress. Best effort.
    const abandonedBefore = (yield* systemNow) - abandonedTempMillis
    yield* fs.readDirectory(directory).pipe(
      Effect.flatMap((entries) =>
        Effect.forEach(
          entries.filter((entry) => entry.startsWith(name) && tempPattern.test(entry.slice(name.length))),
          (entry) => {
            const temp = `${path}${entry.slice(name.length)}`
            return fs.stat(temp).pipe(
              Effect.flatMap((info) =>
                Option.exists(info.mtime, (mtime) => mtime.getTime() < abandonedBefore) ? fs.remove(temp) : Effect.void
              ),
              Effect.ignore
            )
          },
          { discard: true }
        )
      ),
      Effect.ignore
    )

    const statFile = fs.stat(path).pipe(
      Effect.map(Option.some),
      Effect.catchIf(isNotFound, () => Effect.succeed(Option.none<FileSystem.File.Info>()))
    )

    const parse = (operation: Operation, text: string | undefined) =>
      text === undefined
        ? Effect.succeed(Option.none<AccessToken.AccessToken>())
        : Either.match(StoredToken.parse(text), {
          onLeft: (reason) => Effect.fail(fail(operation, `${reason}; the next set replaces it`)),
          onRight: Effect.succeed
        })

    /**
     * Reads the file and keeps what it holds. Run under the lock. The identity is taken before the
     * read: if the file changes in between, the next `get` sees a newer identity and reads again.
     * An unchanged text keeps the token object of the previous read.
     */
    const load = (operation: Operation): Effect.Effect<Option.Option<AccessToken.AccessToken>, TokenStoreError> =>
      Effect.gen(function*() {
        const cannotRead = (error: PlatformError) => fail(operation, `cannot be read: ${error.message}`)
        const now = yield* systemNow
        const info = yield* Effect.mapError(statFile, cannotRead)
        const text = Option.isNone(info) ? undefined : yield* fs.readFileString(path).pipe(
          Effect.catchIf(isNotFound, () => Effect.succeed(undefined)),
          Effect.mapError(cannotRead)
        )
        const previous = yield* Ref.get(mirror)
        const token = Option.isSome(previous) && previous.value.text === text
          ? previous.value.token
          : yield* parse(operation, text)
        yield* Ref.set(mirror, Option.some({ identity: identityOf(info), settled: isSettled(info, now), text, token }))
        return token
      })

    const syncDirectory = Effect.scoped(Effect.flatMap(fs.open(directory, { flag: "r" }), (dir) => dir.sync)).pipe(
      // Not every platform can open or fsync a directory (Windows cannot): the rename is done.
      Effect.ignore
    )

    /**
     * Writes a temp file next to the target, fsyncs it and renames it over the target, then
     * updates the mirror with the temp file's identity (a rename keeps it). On failure the temp
     * file is removed and the mirror is untouched.
     */
    const write = (operation: Operation, token: Option.Option<AccessToken.AccessToken>) =>
      Effect.gen(function*() {
        const text = yield* Either.match(StoredToken.serialize(token), {
          onLeft: (reason) => Effect.fail(new TokenStoreError({ operation, detail: reason })),
          onRight: Effect.succeed
        })
        const bytes = new TextEncoder().encode(text)
        const temp = `${path}.${globalThis.crypto.randomUUID()}.tmp`
        const now = yield* systemNow
        let created = false
        const info = yield* fs.makeDirectory(directory, { recursive: true, mode: 0o700 }).pipe(
          Effect.zipRight(Effect.scoped(
            fs.open(temp, { flag: "wx", mode: 0o600 }).pipe(
              Effect.tap(() => Effect.sync(() => (created = true))),
              Effect.flatMap((file) =>
                file.writeAll(bytes).pipe(Effect.zipRight(file.sync), Effect.zipRight(file.stat))
              )
            )
          )),
          Effect.tap(() => fs.rename(temp, path)),
          Effect.tapError(() => created ? Effect.ignore(fs.remove(temp)) : Effect.void),
          Effect.mapError((error) => fail(operation, `cannot be written: ${error.message}`))
        )
        yield* Ref.set(
          mirror,
          Option.some({
            identity: identityOf(Option.some(info)),
            settled: isSettled(Option.some(info), now),
            text,
            token
          })
        )
        yield* syncDirectory
      }).pipe(Effect.uninterruptible)

    return {
      // One `stat`: the mirror serves while the file keeps the identity it had when read.
      get: Effect.flatMap(
        Effect.either(statFile),
        (info) =>
          Effect.flatMap(
            Ref.get(mirror),
            (snapshot) =>
              Either.isRight(info) && Option.isSome(snapshot) && snapshot.value.settled &&
                snapshot.value.identity === identityOf(info.right)
                ? Effect.succeed(snapshot.value.token)
                : lock.withPermits(1)(load("get"))
          )
      ),
      set: (token) => lock.withPermits(1)(write("set", token)),
      // Compares with the file as it is now, never with the mirror: another process may have
      // rotated the token since.
      compareAndSet: (expected, next) =>
        lock.withPermits(1)(
          Effect.flatMap(load("compareAndSet"), (token) =>
            Option.isSome(token) && AccessToken.sameValue(token.value, expected)
              ? Effect.as(write("compareAndSet", next), true)
              : Effect.succeed(false))
        )
    } satisfies TokenStore
  })
