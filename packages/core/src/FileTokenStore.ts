/**
 * A {@link TokenStore} in a file, so a CLI or desktop app keeps its login (access, refresh and id
 * token) across restarts.
 *
 * - The file is a versioned JSON {@link Document}, validated on read; it holds the secrets in
 *   clear text and is created owner-only (`0o600`, in a `0o700` directory when the store creates
 *   it; on Windows the mode bits are not enforced: keep it in the user's profile).
 * - Writes are atomic: a unique temp file next to the target is written, fsynced and renamed over
 *   the target (then the directory is fsynced where the platform allows), so a crash leaves the old
 *   token set or the new one, never a half-written file; a rotated refresh token is not lost.
 * - Several processes of one app (two terminals running the CLI) may share the file. `get` keeps
 *   what it last read in memory and checks the file with one `stat` per call: it reads the file
 *   again when its identity (device, inode, size, modification time) changed, and while the file is
 *   less than 2 s old (file times are coarse and a replaced file's inode is soon reused, so two
 *   quick writes can look alike). So each process sees another's write on its next `get`, and a
 *   removed file reads as no token (on a local file system: a network one may cache attributes).
 * - `set` and `compareAndSet` hold a lock across processes: `<path>.lock`, created exclusively
 *   (`O_EXCL`) and removed by its holder. `compareAndSet` reads the file under that lock and
 *   compares with what it holds then, never with what this process last saw, so it is atomic
 *   across the processes sharing the file: of several processes rotating one token set, each
 *   rotation builds on the one before and none is overwritten (proven with 4 processes). `set`
 *   replaces whatever the file holds (a login, a logout: the last writer wins). Every write goes to
 *   the file first, then to memory; a failed write changes neither. `get` takes no lock: the
 *   rename makes each read see a whole file.
 * - A writer waits for the lock up to `lockTimeout` (10 s), then fails with a `TokenStoreError`. A
 *   lock older than `staleLockAfter` (10 s, by its modification time) was left by a crashed
 *   process and is broken; a holder that stalled that long (a suspended process) has lost it, and
 *   its write fails rather than replace the file. The lock is advisory: only this store honours it,
 *   and it needs a file system with exclusive create (local disks; not every network one).
 * - Not covered by the lock: two processes that refresh at the very same moment both send the
 *   same refresh token (the provider sees both); with rotation it accepts one and the other gets
 *   `invalid_grant`, whose `compareAndSet` against the token it used fails once the winner's token
 *   is in the file, and a `TokenCache` then serves the winner's token instead of asking for a
 *   login. Replicas that share a token (a fleet of servers) need a shared store with its own
 *   compare-and-set.
 * - A missing file is no token. An unreadable, corrupt or schema-invalid file fails `get` and
 *   `compareAndSet` with a `TokenStoreError` whose detail never quotes the file (it holds
 *   secrets); `set` (a new login, or `TokenCache.clear`) replaces it.
 *
 * ```ts
 * import { FileTokenStore, Grant, TokenCache, type TokenEndpoint } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 * import * as os from "node:os"
 *
 * declare const endpoint: TokenEndpoint.TokenEndpoint
 *
 * // Needs FileSystem (NodeFileSystem.layer), HttpClient and a Scope.
 * const login = Effect.gen(function*() {
 *   const store = yield* FileTokenStore.make({ path: `${os.homedir()}/.config/my-cli/tokens.json` })
 *   return yield* TokenCache.make({ name: "my-cli", refresh: (rt) => Grant.refreshToken(endpoint, rt), store })
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type * as AccessToken from "./AccessToken.js"
import * as internal from "./internal/fileTokenStore.js"
import * as storedToken from "./internal/storedToken.js"
import type { TokenStore } from "./TokenStore.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The file. Its directory is created (`0o700`, with any missing parents) on the first write;
   * temp files are written next to it as `<path>.<uuid>.tmp`, and the lock across processes is
   * `<path>.lock`.
   */
  readonly path: string
  /**
   * How long `set` and `compareAndSet` wait for another process's lock before failing with a
   * `TokenStoreError`. Default 10 s.
   */
  readonly lockTimeout?: Duration.DurationInput | undefined
  /**
   * A lock older than this (by its modification time) was left by a crashed process and is
   * broken. A holder that stalls this long (a suspended process) loses the lock, and its write
   * fails instead of replacing the file. Default 10 s; keep it well above the time one write
   * takes on the slowest disk in use.
   */
  readonly staleLockAfter?: Duration.DurationInput | undefined
}

/**
 * A store backed by the file at `options.path`. Building it reads no token and cannot fail; it
 * removes the temp files a crashed write left next to the file (they hold a token set): all of
 * them when it can take the lock at once (every write holds it, so none is in progress), else
 * only those older than 10 minutes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<TokenStore, never, FileSystem.FileSystem> = internal.make

/**
 * The JSON form of an {@link AccessToken.AccessToken}: every field, the `Redacted` values as
 * plain strings, the times as epoch milliseconds, an empty `Option` as `null`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredTokenEncoded {
  readonly accessToken: string
  readonly tokenType: string
  readonly scopes: ReadonlyArray<string>
  readonly issuedAt: number
  readonly expiresAt: number | null
  readonly refreshToken: string | null
  readonly idToken: string | null
  readonly extra: { readonly [key: string]: unknown }
}

/**
 * The codec between an {@link AccessToken.AccessToken} and its stored JSON form
 * ({@link StoredTokenEncoded}); the secrets are unwrapped only in the encoded form. Any store that
 * keeps tokens as JSON (a file, Redis) can use it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StoredToken: Schema.Schema<AccessToken.AccessToken, StoredTokenEncoded> = storedToken.StoredToken

/**
 * The format version this module writes and reads.
 *
 * @since 0.1.0
 * @category constants
 */
export const currentVersion: 1 = storedToken.currentVersion

/**
 * The content of the file: the format version and the token, if any.
 *
 * @since 0.1.0
 * @category models
 */
export interface Document {
  readonly version: typeof currentVersion
  readonly token: Option.Option<AccessToken.AccessToken>
}

/**
 * The file's JSON: `{ "version": 1, "token": StoredTokenEncoded | null }`.
 *
 * @since 0.1.0
 * @category models
 */
export interface DocumentEncoded {
  readonly version: typeof currentVersion
  readonly token: StoredTokenEncoded | null
}

/**
 * The codec of the file's content.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Document: Schema.Schema<Document, DocumentEncoded> = storedToken.Document
