import { type PlatformError, SystemError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
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

const isAlreadyExists = (error: PlatformError): boolean =>
  error._tag === "SystemError" && error.reason === "AlreadyExists"

/** Defaults of the lock across processes: how long to wait for it, and when a held one is stale. */
export const defaultLockTimeout: Duration.Duration = Duration.seconds(10)
export const defaultStaleLockAfter: Duration.Duration = Duration.seconds(10)

/**
 * Waiting for another process's lock is waiting for real time, whatever `Clock` the program runs
 * with (a `TestClock` in tests would never move on its own).
 */
const liveClock = Clock.make()

/** The process id when the platform has one (Node, Deno, Bun), for a person reading a lock file. */
const processId = (): number | null => {
  const pid = (globalThis as { readonly process?: { readonly pid?: unknown } }).process?.pid
  return typeof pid === "number" ? pid : null
}

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
    const lockPath = `${path}.lock`
    const breakPath = `${path}.lock.break`
    const lockTimeout = Duration.toMillis(options.lockTimeout ?? defaultLockTimeout)
    const staleLockAfter = Duration.toMillis(options.staleLockAfter ?? defaultStaleLockAfter)
    /** `None` until the file has been read; then what it held at the last read or write. */
    const mirror = yield* Ref.make(Option.none<Snapshot>())

    const fail = (operation: Operation, detail: string) =>
      new TokenStoreError({ operation, detail: `${path} ${detail}` })

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

    // --- The lock across processes -------------------------------------------------------------
    //
    // `<path>.lock`, created with O_EXCL (`wx`): whoever creates it holds the lock until it removes
    // it. It holds a random owner id, so a holder removes only its own lock. A lock older than
    // `staleLockAfter` (by its mtime) was left by a crashed process: it is broken, under a second
    // O_EXCL file `<path>.lock.break` so that two processes breaking the same stale lock cannot
    // remove a fresh one in between. Every write (`set`, `compareAndSet`) holds the lock, so a temp
    // file found while holding it was left by a crash.

    /** Creates `file` exclusively with `content`; `false` if it exists. Run uninterruptibly. */
    const createExclusive = (file: string, content: string) =>
      Effect.gen(function*() {
        let created = false
        return yield* Effect.scoped(
          fs.open(file, { flag: "wx", mode: 0o600 }).pipe(
            Effect.tap(() => Effect.sync(() => (created = true))),
            Effect.flatMap((handle) => handle.writeAll(new TextEncoder().encode(content)))
          )
        ).pipe(
          Effect.as(true),
          Effect.catchIf(isAlreadyExists, () => Effect.succeed(false)),
          Effect.tapError(() => created ? Effect.ignore(fs.remove(file)) : Effect.void)
        )
      })

    /** The file's modification time and identity, if it exists. */
    const stampOf = (file: string) =>
      fs.stat(file).pipe(
        Effect.map((info) =>
          Option.some({
            mtime: Option.getOrElse(Option.map(info.mtime, (mtime) => mtime.getTime()), () => 0),
            identity: identityOf(Option.some(info))
          })
        ),
        Effect.catchIf(isNotFound, () => Effect.succeed(Option.none<{ mtime: number; identity: string }>()))
      )

    const isStale = (stamp: Option.Option<{ readonly mtime: number }>, now: number) =>
      Option.exists(stamp, (s) => s.mtime <= now - staleLockAfter)

    /** Removes the lock if it is (still) stale; best effort: the next attempt looks again. */
    const breakIfStale = Effect.gen(function*() {
      const now = yield* systemNow
      const seen = yield* stampOf(lockPath)
      if (Option.isNone(seen) || !isStale(seen, now)) return
      if (!(yield* createExclusive(breakPath, JSON.stringify({ pid: processId(), at: now })))) {
        // Someone is breaking it now, or crashed doing so (a moment's work): an old one goes.
        if (isStale(yield* stampOf(breakPath), now)) yield* fs.remove(breakPath)
        return
      }
      yield* Effect.gen(function*() {
        // Still the lock judged stale (a fresh one has a recent mtime)? Then its holder is gone.
        const again = yield* stampOf(lockPath)
        if (Option.isSome(again) && again.value.identity === seen.value.identity) {
          yield* fs.remove(lockPath)
        }
      }).pipe(Effect.ensuring(Effect.ignore(fs.remove(breakPath))))
    }).pipe(Effect.catchIf(isNotFound, () => Effect.void))

    /**
     * Takes the lock, waiting up to `lockTimeout` (5 ms doubling to 100 ms between attempts).
     * `None` when the directory does not exist and `createDirectory` is off: there is no file.
     */
    const acquireLock = (
      operation: Operation,
      createDirectory: boolean
    ): Effect.Effect<Option.Option<string>, TokenStoreError> =>
      Effect.gen(function*() {
        const owner = globalThis.crypto.randomUUID()
        const started = yield* systemNow
        for (let attempt = 0;; attempt++) {
          const content = JSON.stringify({ owner, pid: processId(), at: yield* systemNow })
          const taken = yield* createExclusive(lockPath, content).pipe(
            Effect.map((taken) => Option.some(taken)),
            Effect.catchIf(isNotFound, () =>
              createDirectory
                ? Effect.as(fs.makeDirectory(directory, { recursive: true, mode: 0o700 }), Option.none<boolean>())
                : Effect.succeed(Option.some(false)))
          )
          if (Option.isSome(taken)) {
            if (taken.value) return Option.some(owner)
            if (!createDirectory && !(yield* fs.exists(directory))) return Option.none()
            yield* breakIfStale
          }
          const now = yield* systemNow
          if (now - started >= lockTimeout) {
            return yield* Effect.fail(
              fail(operation, `is locked by another process (${lockPath}) for over ${Duration.format(lockTimeout)}`)
            )
          }
          // None: the directory was just created, try again at once.
          if (Option.isNone(taken)) continue
          const delay = Math.min(100, 5 * 2 ** Math.min(attempt, 5))
          yield* Effect.interruptible(Effect.withClock(Effect.sleep(Duration.millis(delay)), liveClock))
        }
      }).pipe(
        Effect.catchIf(
          (e): e is PlatformError => !(e instanceof TokenStoreError),
          (error) => Effect.fail(fail(operation, `cannot be locked: ${error.message}`))
        )
      )

    /** Whether the lock file still holds `owner` (it is not, if it was broken as stale meanwhile). */
    const holds = (owner: string) =>
      fs.readFileString(lockPath).pipe(
        Effect.map((text) => text.includes(`"owner":"${owner}"`)),
        Effect.orElseSucceed(() => false)
      )

    const releaseLock = (owner: string) =>
      Effect.flatMap(holds(owner), (mine) => mine ? Effect.ignore(fs.remove(lockPath)) : Effect.void)

    /**
     * Runs `use` holding this store's semaphore and the lock across processes; `onNoDirectory`
     * when the directory is missing and may not be created.
     */
    const exclusive = <A>(
      operation: Operation,
      createDirectory: boolean,
      use: (owner: string) => Effect.Effect<A, TokenStoreError>,
      onNoDirectory: Effect.Effect<A, TokenStoreError>
    ): Effect.Effect<A, TokenStoreError> =>
      lock.withPermits(1)(
        Effect.acquireUseRelease(
          acquireLock(operation, createDirectory),
          Option.match({ onNone: () => onNoDirectory, onSome: use }),
          Option.match({ onNone: () => Effect.void, onSome: releaseLock })
        )
      )

    // Temp files a crashed write left behind: they hold a token set, so they go. Holding the lock,
    // every temp file is abandoned (writes hold it); when another process holds it now, only those
    // older than 10 minutes are. One try, no waiting. Best effort: building the store cannot fail.
    const sweep = Effect.gen(function*() {
      yield* Effect.ignore(breakIfStale)
      const owner = globalThis.crypto.randomUUID()
      const held = yield* createExclusive(lockPath, JSON.stringify({ owner, pid: processId(), at: yield* systemNow }))
      const abandonedBefore = held ? Infinity : (yield* systemNow) - abandonedTempMillis
      yield* fs.readDirectory(directory).pipe(
        Effect.flatMap((entries) =>
          Effect.forEach(
            entries.filter((entry) => entry.startsWith(name) && tempPattern.test(entry.slice(name.length))),
            (entry) => {
              const temp = `${path}${entry.slice(name.length)}`
              return fs.stat(temp).pipe(
                Effect.flatMap((info) =>
                  Option.exists(info.mtime, (mtime) => mtime.getTime() < abandonedBefore)
                    ? fs.remove(temp)
                    : Effect.void
                ),
                Effect.ignore
              )
            },
            { discard: true }
          )
        ),
        Effect.ensuring(held ? releaseLock(owner) : Effect.void)
      )
    }).pipe(Effect.ignore, Effect.uninterruptible)
    yield* sweep

    const syncDirectory = Effect.scoped(Effect.flatMap(fs.open(directory, { flag: "r" }), (dir) => dir.sync)).pipe(
      // Not every platform can open or fsync a directory (Windows cannot): the rename is done.
      Effect.ignore
    )

    /**
     * Writes a temp file next to the target, fsyncs it and renames it over the target, then
     * updates the mirror with the temp file's identity (a rename keeps it). On failure the temp
     * file is removed and the mirror is untouched.
     */
    const write = (operation: Operation, token: Option.Option<AccessToken.AccessToken>, owner: string) =>
      Effect.gen(function*() {
        const text = yield* Either.match(StoredToken.serialize(token), {
          onLeft: (reason) => Effect.fail(new TokenStoreError({ operation, detail: reason })),
          onRight: Effect.succeed
        })
        const bytes = new TextEncoder().encode(text)
        const temp = `${path}.${globalThis.crypto.randomUUID()}.tmp`
        const now = yield* systemNow
        let created = false
        // The lock was taken by someone else if this process stalled past `staleLockAfter`: then
        // it must not replace the file (checked as late as possible, right before the rename).
        const stillHeld = Effect.flatMap(holds(owner), (mine) =>
          mine
            ? Effect.void
            : Effect.fail(
              new SystemError({
                reason: "Busy",
                module: "FileSystem",
                method: "rename",
                description: `the lock was held over ${Duration.format(Duration.millis(staleLockAfter))} and taken over`
              })
            ))
        const info = yield* Effect.scoped(
          fs.open(temp, { flag: "wx", mode: 0o600 }).pipe(
            Effect.tap(() => Effect.sync(() => (created = true))),
            Effect.flatMap((file) => file.writeAll(bytes).pipe(Effect.zipRight(file.sync), Effect.zipRight(file.stat)))
          )
        ).pipe(
          Effect.tap(() => Effect.zipRight(stillHeld, fs.rename(temp, path))),
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
      set: (token) => exclusive("set", true, (owner) => write("set", token, owner), Effect.void),
      // Compares with the file as it is now, never with the mirror: another process may have
      // rotated the token since.
      compareAndSet: (expected, next) =>
        exclusive(
          "compareAndSet",
          // No directory: no file, no token to compare with (and nothing is created).
          false,
          (owner) =>
            Effect.flatMap(load("compareAndSet"), (token) =>
              Option.isSome(token) && AccessToken.sameValue(token.value, expected)
                ? Effect.as(write("compareAndSet", next, owner), true)
                : Effect.succeed(false)),
          Effect.succeed(false)
        )
    } satisfies TokenStore
  })
