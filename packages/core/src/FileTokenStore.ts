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
 * Where {@link make} keeps the token set.
 *
 * @example
 * ```ts
 * import type { FileTokenStore } from "@auth-pipeline/core"
 * import * as os from "node:os"
 * import * as path from "node:path"
 *
 * const options: FileTokenStore.Options = { path: path.join(os.homedir(), ".config", "my-cli", "tokens.json") }
 * ```
 *
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
 * @example
 * ```ts
 * import { FileTokenStore, TokenCache } from "@auth-pipeline/core"
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import * as os from "node:os"
 * import * as path from "node:path"
 *
 * // a cache whose token set survives restarts of the CLI
 * const program = Effect.gen(function*() {
 *   const store = yield* FileTokenStore.make({ path: path.join(os.homedir(), ".config", "my-cli", "tokens.json") })
 *   const cache = yield* TokenCache.make({ name: "my-cli", store })
 *   return yield* cache.current
 * }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<TokenStore, never, FileSystem.FileSystem> = internal.make

/**
 * The JSON form of an {@link AccessToken.AccessToken}: every field, the `Redacted` values as
 * plain strings, the times as epoch milliseconds, an empty `Option` as `null`.
 *
 * @example
 * ```ts
 * import type { FileTokenStore } from "@auth-pipeline/core"
 *
 * const stored: FileTokenStore.StoredTokenEncoded = {
 *   accessToken: "at-1",
 *   tokenType: "Bearer",
 *   scopes: ["openid"],
 *   issuedAt: 1_700_000_000_000,
 *   expiresAt: 1_700_003_600_000,
 *   refreshToken: "rt-1",
 *   idToken: null,
 *   extra: {}
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredTokenEncoded {
  /** The access token in clear. */
  readonly accessToken: string
  /** The token type, as on the token (`Bearer`, ...). */
  readonly tokenType: string
  /** The granted scopes. */
  readonly scopes: ReadonlyArray<string>
  /** Epoch milliseconds at which the token request was sent. */
  readonly issuedAt: number
  /** Epoch milliseconds at which the token expires, or `null` without `expires_in`. */
  readonly expiresAt: number | null
  /** The refresh token in clear, or `null`. */
  readonly refreshToken: string | null
  /** The OpenID Connect id token, or `null`. */
  readonly idToken: string | null
  /** The response members the library does not model, as received. */
  readonly extra: { readonly [key: string]: unknown }
}

/**
 * The codec between an {@link AccessToken.AccessToken} and its stored JSON form
 * ({@link StoredTokenEncoded}); the secrets are unwrapped only in the encoded form. Any store that
 * keeps tokens as JSON (a file, Redis) can use it.
 *
 * @example
 * ```ts
 * import { AccessToken, FileTokenStore } from "@auth-pipeline/core"
 * import { Option, Redacted, Schema } from "effect"
 *
 * const refreshToken = Option.some(Redacted.make("rt-1"))
 * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0, refreshToken })
 * const json = Schema.encodeSync(FileTokenStore.StoredToken)(token)
 * assert.strictEqual(json.refreshToken, "rt-1")
 * assert.ok(AccessToken.sameValue(Schema.decodeSync(FileTokenStore.StoredToken)(json), token))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const StoredToken: Schema.Schema<AccessToken.AccessToken, StoredTokenEncoded> = storedToken.StoredToken

/**
 * The format version this module writes and reads.
 *
 * @example
 * ```ts
 * import { FileTokenStore } from "@auth-pipeline/core"
 *
 * assert.strictEqual(FileTokenStore.currentVersion, 1)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const currentVersion: 1 = storedToken.currentVersion

/**
 * The content of the file: the format version and the token, if any.
 *
 * @example
 * ```ts
 * import { FileTokenStore } from "@auth-pipeline/core"
 * import { Option } from "effect"
 *
 * const loggedOut: FileTokenStore.Document = { version: FileTokenStore.currentVersion, token: Option.none() }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Document {
  /** The format version; a file with another version fails to decode. */
  readonly version: typeof currentVersion
  /** The stored token set, or `None` after a logout. */
  readonly token: Option.Option<AccessToken.AccessToken>
}

/**
 * The file's JSON: `{ "version": 1, "token": StoredTokenEncoded | null }`.
 *
 * @example
 * ```ts
 * import type { FileTokenStore } from "@auth-pipeline/core"
 *
 * const json: FileTokenStore.DocumentEncoded = { version: 1, token: null }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface DocumentEncoded {
  /** The format version (`1`). */
  readonly version: typeof currentVersion
  /** The stored token, or `null`. */
  readonly token: StoredTokenEncoded | null
}

/**
 * The codec of the file's content.
 *
 * @example
 * ```ts
 * import { FileTokenStore } from "@auth-pipeline/core"
 * import { Either, Option, Schema } from "effect"
 *
 * const document = Schema.decodeUnknownEither(FileTokenStore.Document)(JSON.parse('{"version":1,"token":null}'))
 * assert.ok(Either.isRight(document) && Option.isNone(document.right.token))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Document: Schema.Schema<Document, DocumentEncoded> = storedToken.Document
