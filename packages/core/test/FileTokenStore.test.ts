import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { type PlatformError, SystemError } from "@effect/platform/Error"
import { describe, expect, layer } from "@effect/vitest"
import { Clock, Effect, Option, Redacted, Schema, TestClock } from "effect"
import * as AccessToken from "../src/AccessToken.js"
import * as FileTokenStore from "../src/FileTokenStore.js"
import * as TokenCache from "../src/TokenCache.js"
import type { TokenStoreError } from "../src/TokenStore.js"
import { _oauth, _source, _value } from "./_source.js"

const _full = AccessToken.make({
  value: Redacted.make("at-secret-1"),
  tokenType: "DPoP",
  scopes: ["openid", "offline_access", "read:all"],
  issuedAt: 1_700_000_000_123,
  expiresAt: Option.some(1_700_003_600_123),
  refreshToken: Option.some(Redacted.make("rt-secret-1")),
  idToken: Option.some(Redacted.make("id-secret-1")),
  extra: { refresh_expires_in: 1800, "not-before-policy": 0, session: { state: "abc", flags: [1, "two", null, true] } }
})

const _bare = AccessToken.make({ value: Redacted.make("at-secret-2"), issuedAt: 1_700_000_100_000 })

const _secrets = ["at-secret-1", "rt-secret-1", "id-secret-1", "at-secret-2", "at-leak", "rt-leak"]

/** Every field, with the secrets unwrapped: what "preserved exactly" means. */
const _fields = (token: AccessToken.AccessToken) => ({
  value: Redacted.value(token.value),
  tokenType: token.tokenType,
  scopes: token.scopes,
  issuedAt: token.issuedAt,
  expiresAt: token.expiresAt,
  refreshToken: Option.map(token.refreshToken, Redacted.value),
  idToken: Option.map(token.idToken, Redacted.value),
  extra: token.extra
})

const _fieldsOf = (token: Option.Option<AccessToken.AccessToken>) => Option.map(token, _fields)

/** A fresh temp directory and a file path in it. */
const _paths = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "file-token-store-" })
  return { fs, dir, path: `${dir}/tokens.json` }
})

const _expectNoSecrets = (error: TokenStoreError) => {
  const shown = [error.message, String(error), JSON.stringify(error), error.detail]
  for (const text of shown) for (const secret of _secrets) expect(text).not.toContain(secret)
}

const _simulated = (method: string, path: string) =>
  new SystemError({
    reason: "Unknown",
    module: "FileSystem",
    method,
    pathOrDescriptor: path,
    description: "simulated failure"
  })

interface Hooks {
  readonly beforeRename?: (from: string, to: string) => Effect.Effect<void, PlatformError>
  readonly writeAll?: (file: FileSystem.File, bytes: Uint8Array) => Effect.Effect<void, PlatformError>
}

/**
 * The real file system with every mutating call logged (paths relative to `dir`, temp names as
 * `<temp>`) and optional hooks to look at the disk before a rename or to fail a write.
 */
const _recording = (
  fs: FileSystem.FileSystem,
  dir: string,
  log: Array<string>,
  hooks: Hooks = {}
): FileSystem.FileSystem => {
  const label = (path: string) => path.replace(`${dir}/`, "").replace(/\.[0-9a-f-]{36}\.tmp$/, ".<temp>")
  return {
    ...fs,
    open: (path, options) =>
      Effect.map(fs.open(path, options), (file): FileSystem.File => {
        log.push(`open ${label(path)} ${options?.flag ?? "r"}`)
        return {
          [FileSystem.FileTypeId]: FileSystem.FileTypeId,
          fd: file.fd,
          stat: file.stat,
          seek: (offset, from) => file.seek(offset, from),
          sync: Effect.zipRight(Effect.sync(() => log.push(`sync ${label(path)}`)), file.sync),
          read: (buffer) => file.read(buffer),
          readAlloc: (size) => file.readAlloc(size),
          truncate: (length) =>
            Effect.zipRight(Effect.sync(() => log.push(`truncate ${label(path)}`)), file.truncate(length)),
          write: (buffer) => Effect.zipRight(Effect.sync(() => log.push(`write ${label(path)}`)), file.write(buffer)),
          writeAll: (buffer) =>
            Effect.zipRight(
              Effect.sync(() => log.push(`writeAll ${label(path)}`)),
              hooks.writeAll ? hooks.writeAll(file, buffer) : file.writeAll(buffer)
            )
        }
      }),
    rename: (from, to) =>
      Effect.zipRight(
        Effect.zipRight(
          Effect.sync(() => log.push(`rename ${label(from)} -> ${label(to)}`)),
          hooks.beforeRename?.(from, to) ?? Effect.void
        ),
        fs.rename(from, to)
      ),
    writeFile: (path, data, options) =>
      Effect.zipRight(Effect.sync(() => log.push(`writeFile ${label(path)}`)), fs.writeFile(path, data, options)),
    writeFileString: (path, data, options) =>
      Effect.zipRight(
        Effect.sync(() => log.push(`writeFileString ${label(path)}`)),
        fs.writeFileString(path, data, options)
      ),
    truncate: (path, length) =>
      Effect.zipRight(Effect.sync(() => log.push(`truncate ${label(path)}`)), fs.truncate(path, length))
  }
}

const _makeWith = (fs: FileSystem.FileSystem, path: string) =>
  Effect.provideService(FileTokenStore.make({ path }), FileSystem.FileSystem, fs)

const _decodeFile = (fs: FileSystem.FileSystem, path: string) =>
  Effect.flatMap(
    fs.readFileString(path),
    (text) => Schema.decodeUnknown(Schema.parseJson(FileTokenStore.Document))(text)
  )

/** The access token value in the file, read past any store. */
const _onDisk = (fs: FileSystem.FileSystem, path: string) =>
  Effect.map(_decodeFile(fs, path), (document) => Option.map(document.token, _value))

/** The real file system, with every `readFileString` of the token file counted. */
const _countingReads = (fs: FileSystem.FileSystem, reads: { count: number }): FileSystem.FileSystem => ({
  ...fs,
  readFileString: (path, encoding) =>
    Effect.zipRight(
      Effect.sync(() => (reads.count += path.endsWith("tokens.json") ? 1 : 0)),
      fs.readFileString(path, encoding)
    )
})

/** Sets a file's times to `at` (a wall-clock time: file times are the system clock's, not the TestClock's). */
const _touch = (fs: FileSystem.FileSystem, path: string, at: Date) => fs.utimes(path, at, at)

/** A wall-clock time `millis` ago, in whole seconds so that every file system stores it exactly. */
const _ago = (millis: number) => new Date(Math.floor((Date.now() - millis) / 1000) * 1000)

/**
 * A file time the store cannot yet trust (the last 2 s), however slowly the test runs: a little
 * in the future.
 */
const _recent = () => _ago(-30_000)

/** Tokens whose files all have the same length: with the same time, only the inode tells them apart. */
const _sameLength = (tag: string) =>
  AccessToken.make({
    value: Redacted.make(`at-${tag}`),
    issuedAt: 1_700_000_000_000,
    refreshToken: Option.some(Redacted.make(`rt-${tag}`))
  })

/** The refresh token value of a stored token. */
const _refreshValue = (token: AccessToken.AccessToken) => Option.map(token.refreshToken, Redacted.value)

layer(NodeFileSystem.layer)("FileTokenStore", (it) => {
  describe("round trip", () => {
    it.scoped("a token read back has every field of the one stored", () =>
      Effect.gen(function*() {
        const { path } = yield* _paths
        const store = yield* FileTokenStore.make({ path })
        yield* store.set(Option.some(_full))
        expect(_fieldsOf(yield* store.get)).toEqual(Option.some(_fields(_full)))
        const restarted = yield* FileTokenStore.make({ path })
        expect(_fieldsOf(yield* restarted.get)).toEqual(Option.some(_fields(_full)))
        yield* restarted.set(Option.some(_bare))
        expect(_fieldsOf(yield* (yield* FileTokenStore.make({ path })).get)).toEqual(Option.some(_fields(_bare)))
      }))

    it.scoped("a second store on the same path (a restart) reads what the first wrote", () =>
      Effect.gen(function*() {
        const { path } = yield* _paths
        const first = yield* FileTokenStore.make({ path })
        yield* first.set(Option.some(_full))
        const second = yield* FileTokenStore.make({ path })
        const token = yield* second.get
        expect(Option.map(token, _value)).toEqual(Option.some("at-secret-1"))
        // Re-wrapped on read: the secrets are Redacted again.
        expect(Option.map(token, (t) => String(t.value))).toEqual(Option.some("<redacted>"))
        expect(JSON.stringify(token)).not.toContain("rt-secret-1")
      }))

    it.scoped("a missing file (or directory) is no token, and reading creates nothing", () =>
      Effect.gen(function*() {
        const { dir, fs, path } = yield* _paths
        expect(yield* (yield* FileTokenStore.make({ path })).get).toEqual(Option.none())
        expect(yield* (yield* FileTokenStore.make({ path: `${dir}/missing/tokens.json` })).get).toEqual(Option.none())
        expect(yield* fs.readDirectory(dir)).toEqual([])
      }))

    it.scoped("set(None) stores an empty document that reads back as no token", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        const store = yield* FileTokenStore.make({ path })
        yield* store.set(Option.some(_full))
        yield* store.set(Option.none())
        expect(yield* store.get).toEqual(Option.none())
        expect(JSON.parse(yield* fs.readFileString(path))).toEqual({ version: 1, token: null })
        expect(yield* (yield* FileTokenStore.make({ path })).get).toEqual(Option.none())
      }))

    it.scoped("the file is a versioned JSON document with the secrets unwrapped and times in epoch ms", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        yield* (yield* FileTokenStore.make({ path })).set(Option.some(_full))
        expect(JSON.parse(yield* fs.readFileString(path))).toEqual({
          version: 1,
          token: {
            accessToken: "at-secret-1",
            tokenType: "DPoP",
            scopes: ["openid", "offline_access", "read:all"],
            issuedAt: 1_700_000_000_123,
            expiresAt: 1_700_003_600_123,
            refreshToken: "rt-secret-1",
            idToken: "id-secret-1",
            extra: {
              refresh_expires_in: 1800,
              "not-before-policy": 0,
              session: { state: "abc", flags: [1, "two", null, true] }
            }
          }
        })
        expect(Schema.encodeSync(FileTokenStore.StoredToken)(_bare)).toEqual({
          accessToken: "at-secret-2",
          tokenType: "Bearer",
          scopes: [],
          issuedAt: 1_700_000_100_000,
          expiresAt: null,
          refreshToken: null,
          idToken: null,
          extra: {}
        })
      }))

    it.scoped("a settled file is read once: later gets only stat it and return the same token", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        yield* (yield* FileTokenStore.make({ path })).set(Option.some(_full))
        yield* _touch(fs, path, _ago(60_000))
        const reads = { count: 0 }
        const store = yield* _makeWith(_countingReads(fs, reads), path)
        const first = yield* store.get
        expect(Option.map(first, _value)).toEqual(Option.some("at-secret-1"))
        expect(yield* store.get).toBe(first)
        expect(yield* store.get).toBe(first)
        expect(reads.count).toBe(1)
      }))

    it.scoped("a file changed in the last 2 s is read by each get (file times are coarse), keeping the token object", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        const reads = { count: 0 }
        const store = yield* _makeWith(_countingReads(fs, reads), path)
        yield* store.set(Option.some(_full))
        yield* _touch(fs, path, _recent())
        expect(Option.map(yield* store.get, (token) => token === _full)).toEqual(Option.some(true))
        expect(Option.map(yield* store.get, (token) => token === _full)).toEqual(Option.some(true))
        expect(reads.count).toBe(2)
        // Once it is old enough, the identity alone serves.
        yield* _touch(fs, path, _ago(60_000))
        yield* store.get
        yield* store.get
        expect(reads.count).toBe(3)
      }))

    it.scoped("a file rewritten in place by another program is read again", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        yield* (yield* FileTokenStore.make({ path })).set(Option.some(_full))
        yield* _touch(fs, path, _ago(60_000))
        const store = yield* FileTokenStore.make({ path })
        expect(Option.map(yield* store.get, _value)).toEqual(Option.some("at-secret-1"))
        yield* fs.writeFileString(path, "not json")
        const error = yield* Effect.flip(store.get)
        expect(error.detail).toBe(`${path} is not valid JSON; the next set replaces it`)
      }))
  })

  describe("permissions", () => {
    it.scoped("the file is 0o600 and the directories it creates are 0o700", () =>
      Effect.gen(function*() {
        const { dir, fs } = yield* _paths
        const path = `${dir}/config/my-cli/tokens.json`
        const store = yield* FileTokenStore.make({ path })
        yield* store.set(Option.some(_full))
        yield* store.set(Option.some(_bare))
        expect(Option.map(yield* (yield* FileTokenStore.make({ path })).get, _value)).toEqual(
          Option.some("at-secret-2")
        )
        if (process.platform === "win32") return
        expect((yield* fs.stat(path)).mode & 0o777).toBe(0o600)
        expect((yield* fs.stat(`${dir}/config/my-cli`)).mode & 0o777).toBe(0o700)
        expect((yield* fs.stat(`${dir}/config`)).mode & 0o777).toBe(0o700)
      }))

    it.scoped("a file that was group-readable becomes 0o600 with the next write", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        yield* (yield* FileTokenStore.make({ path })).set(Option.some(_full))
        yield* fs.chmod(path, 0o644)
        yield* (yield* FileTokenStore.make({ path })).set(Option.some(_bare))
        if (process.platform === "win32") return
        expect((yield* fs.stat(path)).mode & 0o777).toBe(0o600)
      }))
  })

  describe("atomic writes", () => {
    it.scoped("no temp files remain after a set", () =>
      Effect.gen(function*() {
        const { dir, fs, path } = yield* _paths
        const store = yield* FileTokenStore.make({ path })
        yield* store.set(Option.some(_full))
        yield* store.set(Option.some(_bare))
        yield* store.compareAndSet(_bare, Option.some(_full))
        yield* store.set(Option.none())
        expect(yield* fs.readDirectory(dir)).toEqual(["tokens.json"])
      }))

    it.scoped("writes a temp file, fsyncs it and renames it over the target, which is never opened for writing", () =>
      Effect.gen(function*() {
        const { dir, fs, path } = yield* _paths
        yield* (yield* FileTokenStore.make({ path })).set(Option.some(_full))
        const log: Array<string> = []
        const seen: Array<unknown> = []
        const observing = _recording(fs, dir, log, {
          beforeRename: (from, to) =>
            Effect.gen(function*() {
              // The moment before the rename: the target still holds the whole old document, the
              // temp file the whole new one, owner-only.
              seen.push(Option.map((yield* Effect.orDie(_decodeFile(fs, to))).token, _value))
              seen.push(Option.map((yield* Effect.orDie(_decodeFile(fs, from))).token, _value))
              if (process.platform !== "win32") seen.push((yield* fs.stat(from)).mode & 0o777)
            })
        })
        const store = yield* _makeWith(observing, path)
        yield* store.set(Option.some(_bare))
        expect(seen).toEqual(
          process.platform === "win32"
            ? [Option.some("at-secret-1"), Option.some("at-secret-2")]
            : [Option.some("at-secret-1"), Option.some("at-secret-2"), 0o600]
        )
        expect(log.slice(0, 8)).toEqual([
          // make: the lock, to sweep temp files a crash left
          "open tokens.json.lock wx",
          "writeAll tokens.json.lock",
          // set: the lock across processes, then the write
          "open tokens.json.lock wx",
          "writeAll tokens.json.lock",
          "open tokens.json.<temp> wx",
          "writeAll tokens.json.<temp>",
          "sync tokens.json.<temp>",
          "rename tokens.json.<temp> -> tokens.json"
        ])
        if (process.platform !== "win32") expect(log.slice(8)).toEqual([`open ${dir} r`, `sync ${dir}`])
        expect(yield* fs.readDirectory(dir)).toEqual(["tokens.json"])
        expect(log.filter((line) => / tokens\.json( |$)/.test(line) && !line.startsWith("rename"))).toEqual([])
        expect(Option.map(yield* (yield* FileTokenStore.make({ path })).get, _value)).toEqual(
          Option.some("at-secret-2")
        )
      }))

    it.scoped("a temp file left by a crash over 10 minutes ago does not break reading and is removed", () =>
      Effect.gen(function*() {
        const { dir, fs, path } = yield* _paths
        yield* (yield* FileTokenStore.make({ path })).set(Option.some(_full))
        const stale = `${path}.0b7c1f3e-2d4a-4c8e-9f10-5a6b7c8d9e0f.tmp`
        // A crash in the middle of writing the next token set.
        yield* fs.writeFileString(stale, "{\"version\":1,\"token\":{\"accessToken\":\"at-leak\",\"refreshTo")
        yield* _touch(fs, stale, _ago(11 * 60_000))
        yield* fs.writeFileString(`${dir}/unrelated.tmp`, "not ours")
        yield* _touch(fs, `${dir}/unrelated.tmp`, _ago(60 * 60_000))
        const store = yield* FileTokenStore.make({ path })
        expect(Option.map(yield* store.get, _value)).toEqual(Option.some("at-secret-1"))
        expect((yield* fs.readDirectory(dir)).sort()).toEqual(["tokens.json", "unrelated.tmp"])
      }))

    it.scoped("a temp file left by a crash moments ago is removed on the next open: no process holds the lock", () =>
      Effect.gen(function*() {
        const { dir, fs, path } = yield* _paths
        yield* (yield* FileTokenStore.make({ path })).set(Option.some(_full))
        const crashed = `${path}.1c8d2e4f-3e5b-4d9f-8a21-6b7c8d9e0f1a.tmp`
        yield* fs.writeFileString(crashed, "{\"version\":1,\"token\":{\"accessToken\":\"at-leak\",\"refreshTo")
        const store = yield* FileTokenStore.make({ path })
        expect((yield* fs.readDirectory(dir)).sort()).toEqual(["tokens.json"])
        expect(Option.map(yield* store.get, _value)).toEqual(Option.some("at-secret-1"))
      }))

    it.scoped("a young temp file while another process holds the lock (its write in progress) is left alone", () =>
      Effect.gen(function*() {
        const { dir, fs, path } = yield* _paths
        yield* (yield* FileTokenStore.make({ path })).set(Option.some(_full))
        // The other process: holds the lock and is writing its temp file.
        yield* fs.writeFileString(`${path}.lock`, "{\"owner\":\"other\"}")
        const inProgress = `${path}.1c8d2e4f-3e5b-4d9f-8a21-6b7c8d9e0f1a.tmp`
        yield* fs.writeFileString(inProgress, "{\"version\":1,\"tok")
        yield* _touch(fs, inProgress, _ago(9 * 60_000))
        const store = yield* FileTokenStore.make({ path })
        expect(Option.map(yield* store.get, _value)).toEqual(Option.some("at-secret-1"))
        expect((yield* fs.readDirectory(dir)).sort()).toEqual(
          ["tokens.json", "tokens.json.lock", inProgress.slice(dir.length + 1)].sort()
        )
        // The other process renames it over the file and lets go of the lock; this one's set then goes through.
        yield* fs.rename(inProgress, path)
        yield* fs.remove(`${path}.lock`)
        yield* store.set(Option.some(_bare))
        expect((yield* fs.readDirectory(dir)).sort()).toEqual(["tokens.json"])
      }))

    it.scoped("a temp file left by a crash before the first write is no token", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        yield* fs.writeFileString(`${path}.0b7c1f3e-2d4a-4c8e-9f10-5a6b7c8d9e0f.tmp`, "{\"version\":1,\"tok")
        expect(yield* (yield* FileTokenStore.make({ path })).get).toEqual(Option.none())
      }))

    it.scoped("a failed rename fails the set, leaves the file and the store's token unchanged, and removes the temp", () =>
      Effect.gen(function*() {
        const { dir, fs, path } = yield* _paths
        const failing = _recording(fs, dir, [], { beforeRename: (_, to) => Effect.fail(_simulated("rename", to)) })
        const store = yield* _makeWith(failing, path)
        expect(yield* store.get).toEqual(Option.none())
        const error = yield* Effect.flip(store.set(Option.some(_full)))
        expect(error).toMatchObject({ _tag: "TokenStoreError", operation: "set" })
        expect(error.detail).toContain("cannot be written")
        _expectNoSecrets(error)
        expect(yield* store.get).toEqual(Option.none())
        expect(yield* fs.readDirectory(dir)).toEqual([])
      }))

    it.scoped("a write that fails halfway (disk full) keeps the previous token in the file and in memory", () =>
      Effect.gen(function*() {
        const { dir, fs, path } = yield* _paths
        let failWrites = false
        const diskFull = _recording(fs, dir, [], {
          writeAll: (file, bytes) =>
            failWrites
              ? Effect.zipRight(
                file.writeAll(bytes.subarray(0, bytes.length >> 1)),
                Effect.fail(_simulated("writeAll", "fd"))
              )
              : file.writeAll(bytes)
        })
        const store = yield* _makeWith(diskFull, path)
        yield* store.set(Option.some(_full))
        failWrites = true
        const error = yield* Effect.flip(store.set(Option.some(_bare)))
        expect(error).toMatchObject({ _tag: "TokenStoreError", operation: "set" })
        _expectNoSecrets(error)
        const casError = yield* Effect.flip(store.compareAndSet(_full, Option.some(_bare)))
        expect(casError).toMatchObject({ _tag: "TokenStoreError", operation: "compareAndSet" })
        expect(Option.map(yield* store.get, _value)).toEqual(Option.some("at-secret-1"))
        expect(yield* fs.readDirectory(dir)).toEqual(["tokens.json"])
        expect(_fieldsOf(yield* (yield* FileTokenStore.make({ path })).get)).toEqual(Option.some(_fields(_full)))
      }))
  })

  describe("corrupt files", () => {
    it.scoped("a file that is not JSON fails get without quoting it, and the next set replaces it", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        yield* fs.writeFileString(
          path,
          "{\"version\":1,\"token\":{\"accessToken\":\"at-leak\",\"refreshToken\":\"rt-le"
        )
        const store = yield* FileTokenStore.make({ path })
        const error = yield* Effect.flip(store.get)
        expect(error).toMatchObject({ _tag: "TokenStoreError", operation: "get" })
        expect(error.detail).toBe(`${path} is not valid JSON; the next set replaces it`)
        _expectNoSecrets(error)
        expect(yield* Effect.flip(store.compareAndSet(_full, Option.none()))).toMatchObject({
          operation: "compareAndSet"
        })
        yield* store.set(Option.some(_full))
        expect(Option.map(yield* store.get, _value)).toEqual(Option.some("at-secret-1"))
        expect(Option.map(yield* (yield* FileTokenStore.make({ path })).get, _value)).toEqual(
          Option.some("at-secret-1")
        )
      }))

    it.scoped("a schema-invalid file names the bad members, never their values", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        yield* fs.writeFileString(
          path,
          JSON.stringify({
            version: 1,
            token: {
              accessToken: "at-leak",
              tokenType: "Bearer",
              scopes: ["a", 7],
              issuedAt: "rt-leak",
              expiresAt: null,
              refreshToken: "rt-leak",
              extra: {}
            }
          })
        )
        const error = yield* Effect.flip((yield* FileTokenStore.make({ path })).get)
        expect(error.detail).toBe(
          `${path} does not match the stored token schema (at token.scopes[1], token.issuedAt, token.idToken); the next set replaces it`
        )
        _expectNoSecrets(error)
      }))

    it.scoped("a file of another format version is refused by version", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        yield* fs.writeFileString(path, JSON.stringify({ version: 2, tokens: { default: { accessToken: "at-leak" } } }))
        const error = yield* Effect.flip((yield* FileTokenStore.make({ path })).get)
        expect(error.detail).toBe(`${path} has format version 2, this version reads 1; the next set replaces it`)
        _expectNoSecrets(error)
      }))

    it.scoped("a token that cannot be serialized fails set and leaves the file alone", () =>
      Effect.gen(function*() {
        const { dir, fs, path } = yield* _paths
        const store = yield* FileTokenStore.make({ path })
        yield* store.set(Option.some(_full))
        const broken = AccessToken.make({ value: Redacted.make("at-leak"), issuedAt: Number.NaN, extra: {} })
        const error = yield* Effect.flip(store.set(Option.some(broken)))
        expect(error).toMatchObject({ operation: "set" })
        expect(error.detail).toContain("token.issuedAt")
        _expectNoSecrets(error)
        const cyclic: Record<string, unknown> = {}
        cyclic.self = cyclic
        const unserializable = AccessToken.make({ value: Redacted.make("at-leak"), issuedAt: 0, extra: cyclic })
        _expectNoSecrets(yield* Effect.flip(store.set(Option.some(unserializable))))
        expect(Option.map(yield* store.get, _value)).toEqual(Option.some("at-secret-1"))
        expect(yield* fs.readDirectory(dir)).toEqual(["tokens.json"])
      }))
  })

  describe("compareAndSet", () => {
    it.scoped("replaces the token only when the current one has the expected access token value", () =>
      Effect.gen(function*() {
        const { path } = yield* _paths
        const store = yield* FileTokenStore.make({ path })
        expect(yield* store.compareAndSet(_full, Option.some(_bare))).toBe(false)
        expect(yield* store.get).toEqual(Option.none())
        yield* store.set(Option.some(_full))
        expect(yield* store.compareAndSet(_bare, Option.none())).toBe(false)
        // Same value, another object: matches (like TokenStore.inMemory).
        const sameValue = AccessToken.make({ value: Redacted.make("at-secret-1"), issuedAt: 0 })
        expect(yield* store.compareAndSet(sameValue, Option.some(_bare))).toBe(true)
        expect(Option.map(yield* store.get, _value)).toEqual(Option.some("at-secret-2"))
        expect(Option.map(yield* (yield* FileTokenStore.make({ path })).get, _value)).toEqual(
          Option.some("at-secret-2")
        )
        expect(yield* store.compareAndSet(_bare, Option.none())).toBe(true)
        expect(yield* (yield* FileTokenStore.make({ path })).get).toEqual(Option.none())
      }))

    it.scoped("concurrent compareAndSets on the same expected token: exactly one wins", () =>
      Effect.gen(function*() {
        const { path } = yield* _paths
        const store = yield* FileTokenStore.make({ path })
        yield* store.set(Option.some(_full))
        const candidates = Array.from({ length: 20 }, (_, i) =>
          AccessToken.make({ value: Redacted.make(`next-${i}`), issuedAt: i }))
        const results = yield* Effect.forEach(candidates, (next) =>
          store.compareAndSet(_full, Option.some(next)), {
          concurrency: "unbounded"
        })
        expect(results.filter((won) => won)).toHaveLength(1)
        const winner = `next-${results.indexOf(true)}`
        expect(Option.map(yield* store.get, _value)).toEqual(Option.some(winner))
        expect(Option.map(yield* (yield* FileTokenStore.make({ path })).get, _value)).toEqual(Option.some(winner))
      }))
  })

  describe("the lock across processes", () => {
    /** A lock file another process holds (its content is the other's owner id). */
    const _foreignLock = (fs: FileSystem.FileSystem, path: string) =>
      fs.writeFileString(`${path}.lock`, "{\"owner\":\"another-process\"}")

    it.scoped("set and compareAndSet wait for another process's lock and fail after lockTimeout, changing nothing", () =>
      Effect.gen(function*() {
        const { dir, fs, path } = yield* _paths
        const store = yield* FileTokenStore.make({ path, lockTimeout: 0 })
        yield* store.set(Option.some(_full))
        yield* _foreignLock(fs, path)
        const error = yield* Effect.flip(store.set(Option.some(_bare)))
        expect(error).toMatchObject({ _tag: "TokenStoreError", operation: "set" })
        expect(error.detail).toContain("is locked by another process")
        const casError = yield* Effect.flip(store.compareAndSet(_full, Option.some(_bare)))
        expect(casError).toMatchObject({ _tag: "TokenStoreError", operation: "compareAndSet" })
        expect(yield* _onDisk(fs, path)).toEqual(Option.some("at-secret-1"))
        expect((yield* fs.readDirectory(dir)).sort()).toEqual(["tokens.json", "tokens.json.lock"])
      }))

    it.scoped("a write waits while another process holds the lock and goes ahead once it is released", () =>
      Effect.gen(function*() {
        const { dir, fs, path } = yield* _paths
        let lockAttempts = 0
        const releasing: FileSystem.FileSystem = {
          ...fs,
          // The other process lets go of the lock just before this one's third try (the first is
          // the sweep when the store is built, the second finds the other's lock).
          open: (file, options) =>
            file.endsWith(".lock") && options?.flag === "wx" && ++lockAttempts === 3
              ? Effect.zipRight(fs.remove(file), fs.open(file, options))
              : fs.open(file, options)
        }
        const store = yield* _makeWith(releasing, path)
        yield* _foreignLock(fs, path)
        yield* store.set(Option.some(_full))
        expect(lockAttempts).toBe(3)
        expect(yield* _onDisk(fs, path)).toEqual(Option.some("at-secret-1"))
        expect(yield* fs.readDirectory(dir)).toEqual(["tokens.json"])
      }))

    it.scoped("a lock left by a crashed process is broken once older than staleLockAfter", () =>
      Effect.gen(function*() {
        const { dir, fs, path } = yield* _paths
        const store = yield* FileTokenStore.make({ path, lockTimeout: "5 seconds" })
        yield* store.set(Option.some(_full))
        yield* _foreignLock(fs, path)
        yield* _touch(fs, `${path}.lock`, _ago(11_000))
        expect(yield* store.compareAndSet(_full, Option.some(_bare))).toBe(true)
        expect(yield* _onDisk(fs, path)).toEqual(Option.some("at-secret-2"))
        expect(yield* fs.readDirectory(dir)).toEqual(["tokens.json"])
      }))

    it.scoped("a holder whose lock was taken over (it stalled past staleLockAfter) does not replace the file", () =>
      Effect.gen(function*() {
        const { dir, fs, path } = yield* _paths
        yield* (yield* FileTokenStore.make({ path })).set(Option.some(_full))
        const stalled: FileSystem.FileSystem = {
          ...fs,
          // While this process was suspended writing its temp file, another broke its lock and took it.
          open: (file, options) =>
            file.endsWith(".tmp")
              ? Effect.zipRight(_foreignLock(fs, path), fs.open(file, options))
              : fs.open(file, options)
        }
        const store = yield* _makeWith(stalled, path)
        const error = yield* Effect.flip(store.compareAndSet(_full, Option.some(_bare)))
        expect(error).toMatchObject({ _tag: "TokenStoreError", operation: "compareAndSet" })
        expect(error.detail).toContain("taken over")
        _expectNoSecrets(error)
        expect(yield* _onDisk(fs, path)).toEqual(Option.some("at-secret-1"))
        // Its temp file is gone, and the other's lock is left to the other.
        expect((yield* fs.readDirectory(dir)).sort()).toEqual(["tokens.json", "tokens.json.lock"])
      }))

    it.scoped("compareAndSet on a file whose directory does not exist is false and creates nothing", () =>
      Effect.gen(function*() {
        const { dir, fs } = yield* _paths
        const store = yield* FileTokenStore.make({ path: `${dir}/missing/tokens.json` })
        expect(yield* store.compareAndSet(_full, Option.some(_bare))).toBe(false)
        expect(yield* fs.readDirectory(dir)).toEqual([])
      }))
  })

  describe("two processes on one file (two stores on one path)", () => {
    it.scoped("a rotation by one is seen by the other's next get, and the other's stale compareAndSet cannot undo it", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        const a = yield* FileTokenStore.make({ path })
        const b = yield* FileTokenStore.make({ path })
        yield* a.set(Option.some(_full))
        // Settled: from here only the file's identity tells b that it changed.
        yield* _touch(fs, path, _ago(60_000))
        expect(Option.map(yield* b.get, _value)).toEqual(Option.some("at-secret-1"))
        expect(yield* a.compareAndSet(_full, Option.some(_bare))).toBe(true)
        expect(Option.map(yield* b.get, _value)).toEqual(Option.some("at-secret-2"))
        // b, still holding the old token (say its refresh failed with invalid_grant), drops it: refused.
        expect(yield* b.compareAndSet(_full, Option.none())).toBe(false)
        expect(yield* _onDisk(fs, path)).toEqual(Option.some("at-secret-2"))
        expect(Option.map(yield* a.get, _value)).toEqual(Option.some("at-secret-2"))
      }))

    it.scoped("compareAndSet compares with the file even when get was not called since the other's write", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        const a = yield* FileTokenStore.make({ path })
        const b = yield* FileTokenStore.make({ path })
        yield* a.set(Option.some(_full))
        yield* _touch(fs, path, _ago(60_000))
        expect(Option.map(yield* b.get, _value)).toEqual(Option.some("at-secret-1"))
        yield* a.set(Option.some(_bare))
        expect(yield* b.compareAndSet(_full, Option.none())).toBe(false)
        expect(yield* b.compareAndSet(_bare, Option.some(_full))).toBe(true)
        expect(yield* _onDisk(fs, path)).toEqual(Option.some("at-secret-1"))
        expect(Option.map(yield* a.get, _value)).toEqual(Option.some("at-secret-1"))
      }))

    it.scoped("a replacement of the same size and the same time is seen: the rename gives the file a new inode", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        const a = yield* FileTokenStore.make({ path })
        const reads = { count: 0 }
        const b = yield* _makeWith(_countingReads(fs, reads), path)
        const settled = _ago(60_000)
        yield* a.set(Option.some(_sameLength("aaaa")))
        yield* _touch(fs, path, settled)
        const before = yield* fs.stat(path)
        expect(Option.map(yield* b.get, _value)).toEqual(Option.some("at-aaaa"))
        expect(Option.map(yield* b.get, _value)).toEqual(Option.some("at-aaaa"))
        expect(reads.count).toBe(1)
        yield* a.set(Option.some(_sameLength("bbbb")))
        yield* _touch(fs, path, settled)
        const after = yield* fs.stat(path)
        expect(after.size).toBe(before.size)
        expect(after.mtime).toEqual(before.mtime)
        if (process.platform !== "win32") expect(after.ino).not.toEqual(before.ino)
        expect(Option.map(yield* b.get, _value)).toEqual(Option.some("at-bbbb"))
      }))

    it.scoped("two replacements within one time tick, the second reusing the first one's inode, are seen", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        const a = yield* FileTokenStore.make({ path })
        const b = yield* FileTokenStore.make({ path })
        const tick = _recent()
        yield* a.set(Option.some(_sameLength("aaaa")))
        yield* _touch(fs, path, tick)
        const before = yield* fs.stat(path)
        expect(Option.map(yield* b.get, _value)).toEqual(Option.some("at-aaaa"))
        yield* a.set(Option.some(_sameLength("bbbb")))
        // ext4 gives this file the inode the first one had: same inode, size and time.
        yield* a.set(Option.some(_sameLength("cccc")))
        yield* _touch(fs, path, tick)
        const after = yield* fs.stat(path)
        expect([after.size, after.mtime]).toEqual([before.size, before.mtime])
        expect(Option.map(yield* b.get, _value)).toEqual(Option.some("at-cccc"))
      }))

    it.scoped("a file removed by the other reads as no token, and compareAndSet does not bring it back", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        const a = yield* FileTokenStore.make({ path })
        const b = yield* FileTokenStore.make({ path })
        yield* a.set(Option.some(_full))
        yield* _touch(fs, path, _ago(60_000))
        expect(Option.map(yield* b.get, _value)).toEqual(Option.some("at-secret-1"))
        yield* fs.remove(path)
        expect(yield* b.get).toEqual(Option.none())
        expect(yield* b.compareAndSet(_full, Option.some(_bare))).toBe(false)
        expect(yield* fs.exists(path)).toBe(false)
      }))

    it.scoped("set replaces whatever the other wrote (a login or a logout: the last writer wins)", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        const a = yield* FileTokenStore.make({ path })
        const b = yield* FileTokenStore.make({ path })
        yield* a.set(Option.some(_full))
        expect(Option.map(yield* b.get, _value)).toEqual(Option.some("at-secret-1"))
        expect(yield* a.compareAndSet(_full, Option.some(_bare))).toBe(true)
        yield* b.set(Option.none())
        expect(yield* a.get).toEqual(Option.none())
        expect(yield* _onDisk(fs, path)).toEqual(Option.none())
      }))
  })

  describe("under TokenCache", () => {
    it.scoped("a token set through one cache is served by a new cache on the same file without a request", () =>
      Effect.gen(function*() {
        const { path } = yield* _paths
        const source = yield* _source({ lifetime: "1 hour" })
        const first = yield* TokenCache.make({ acquire: source.acquire, store: yield* FileTokenStore.make({ path }) })
        yield* first.set(source.issue(7, 0))
        const restarted = yield* TokenCache.make({
          acquire: source.acquire,
          store: yield* FileTokenStore.make({ path })
        })
        expect(_value(yield* restarted.get)).toBe("tok-7")
        expect(yield* source.count).toBe(0)
      }))

    it.scoped("a refresh-token rotation done by the cache is persisted", () =>
      Effect.gen(function*() {
        const { path } = yield* _paths
        const source = yield* _source({ lifetime: "1 hour", refreshTokens: true })
        const used: Array<string> = []
        const refresh = (rt: Redacted.Redacted<string>) =>
          Effect.zipRight(Effect.sync(() => used.push(Redacted.value(rt))), source.acquire)
        const cache = yield* TokenCache.make({
          refresh,
          backgroundRefresh: false,
          store: yield* FileTokenStore.make({ path })
        })
        yield* cache.set(source.issue(0, 0))
        yield* TestClock.adjust("1 hour")
        expect(_value(yield* cache.get)).toBe("tok-1")
        expect(used).toEqual(["rt-0"])
        // After a restart the rotated refresh token is the one used.
        const stored = yield* (yield* FileTokenStore.make({ path })).get
        expect(Option.flatMap(stored, (t) => Option.map(t.refreshToken, Redacted.value))).toEqual(Option.some("rt-1"))
        const restarted = yield* TokenCache.make({
          refresh,
          backgroundRefresh: false,
          store: yield* FileTokenStore.make({ path })
        })
        expect(_value(yield* restarted.get)).toBe("tok-1")
        yield* TestClock.adjust("1 hour")
        expect(_value(yield* restarted.refresh)).toBe("tok-2")
        expect(used).toEqual(["rt-0", "rt-1"])
      }))

    it.scoped("a cache in another process refreshes with the refresh token this one rotated, not its stale one", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        const source = yield* _source({ lifetime: "1 hour", refreshTokens: true })
        // The provider rotates refresh tokens: only the last one issued is accepted.
        let valid = "rt-0"
        const used: Array<string> = []
        const refresh = (rt: Redacted.Redacted<string>) =>
          Effect.suspend(() => {
            used.push(Redacted.value(rt))
            return Redacted.value(rt) === valid
              ? Effect.tap(source.acquire, (token) =>
                Effect.sync(() => (valid = Option.getOrThrow(_refreshValue(token)))))
              : Effect.fail(_oauth("invalid_grant"))
          })
        const processCache = (name: string) =>
          Effect.flatMap(
            FileTokenStore.make({ path }),
            (store) => TokenCache.make({ name, refresh, backgroundRefresh: false, store })
          )
        const a = yield* processCache("a")
        const b = yield* processCache("b")
        // The test clock is shared by the tests of this layer: issue at its current time.
        yield* a.set(source.issue(0, yield* Clock.currentTimeMillis))
        expect(_value(yield* b.get)).toBe("tok-0")
        yield* TestClock.adjust("1 hour")
        // a refreshes: rt-0 is spent, rt-1 is on disk.
        expect(_value(yield* a.get)).toBe("tok-1")
        // b serves a's token without a request, and its own refresh uses rt-1.
        expect(_value(yield* b.get)).toBe("tok-1")
        expect(used).toEqual(["rt-0"])
        expect(_value(yield* b.refresh)).toBe("tok-2")
        expect(used).toEqual(["rt-0", "rt-1"])
        expect(_value(yield* a.get)).toBe("tok-2")
        expect(Option.flatMap((yield* _decodeFile(fs, path)).token, _refreshValue)).toEqual(Option.some("rt-2"))
        expect(yield* source.count).toBe(2)
      }))

    it.scoped("a corrupt file surfaces as a TokenStoreError from the cache until a login replaces it", () =>
      Effect.gen(function*() {
        const { fs, path } = yield* _paths
        yield* fs.writeFileString(path, "{\"version\":1,\"token\":{\"accessToken\":\"at-leak\"")
        const source = yield* _source({ lifetime: "1 hour" })
        const cache = yield* TokenCache.make({ acquire: source.acquire, store: yield* FileTokenStore.make({ path }) })
        const error = yield* Effect.flip(cache.get)
        expect(error).toMatchObject({ _tag: "TokenStoreError", operation: "get" })
        _expectNoSecrets(error as TokenStoreError)
        yield* cache.set(source.issue(1, 0))
        expect(_value(yield* cache.get)).toBe("tok-1")
        expect(Option.map(yield* (yield* FileTokenStore.make({ path })).get, _value)).toEqual(Option.some("tok-1"))
      }))
  })
})
