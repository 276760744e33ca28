/**
 * The token store the login keeps its session in, and `auth-pipeline store inspect|clear`.
 *
 * @internal
 */
import type * as AccessToken from "@auth-pipeline/core/AccessToken"
import * as FileTokenStore from "@auth-pipeline/core/FileTokenStore"
import type * as TokenStore from "@auth-pipeline/core/TokenStore"
import * as RedisConnection from "@auth-pipeline/redis/RedisConnection"
import * as RedisTokenStore from "@auth-pipeline/redis/RedisTokenStore"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as os from "node:os"
import * as path from "node:path"
import { UsageError } from "./errors.js"
import { expiry, green, keyValues, relative, table, time, yellow } from "./output.js"

/** The user's configuration directory: `%APPDATA%` on Windows, else `$XDG_CONFIG_HOME` or `~/.config`. */
export const configDirectory = (env: NodeJS.ProcessEnv = process.env): string =>
  process.platform === "win32" && env["APPDATA"]
    ? env["APPDATA"]
    : env["XDG_CONFIG_HOME"] || path.join(os.homedir(), ".config")

/** The default file of a provider's session; the sandbox's is another file, so it never replaces a real login. */
export const defaultStorePath = (provider: string, sandbox: boolean): string =>
  path.join(configDirectory(), "auth-pipeline", `${provider}${sandbox ? "-sandbox" : ""}.json`)

export const storeOption = Options.text("store").pipe(
  Options.optional,
  Options.withDescription(
    "The token store: a file path, or for `store inspect|clear` a redis:// (rediss://) URL. Default: <config dir>/auth-pipeline/centrapay.json " +
      "(centrapay-sandbox.json with --sandbox), the config dir being $XDG_CONFIG_HOME, ~/.config or %APPDATA%."
  )
)

export const sandboxFlag = Options.boolean("sandbox").pipe(
  Options.withDescription(
    "Use the sandbox's Centrapay OpenID Provider (`auth-pipeline sandbox`) and its own store file."
  )
)

export type Location = { readonly kind: "file"; readonly path: string }

export type StoreLocation = Location | { readonly kind: "redis"; readonly url: string }

const isRedisUrl = (given: string) => /^rediss?:\/\//i.test(given)

/** Where a login's session is: a file path (a `redis://` URL is refused: the Redis store holds a fleet's tokens). */
export const locate = (store: Option.Option<string>, sandbox: boolean): Effect.Effect<Location, UsageError> =>
  Option.match(store, {
    onNone: () => Effect.succeed({ kind: "file" as const, path: defaultStorePath("centrapay", sandbox) }),
    onSome: (given) =>
      isRedisUrl(given)
        ? Effect.fail(
          new UsageError({
            detail: "--store: a login keeps its session in a file; a redis:// store is for `store inspect|clear`"
          })
        )
        : Effect.succeed({ kind: "file" as const, path: path.resolve(given) })
  })

/** Where the store of `store inspect|clear` is: a file path or a Redis URL. */
export const locateStore = (store: Option.Option<string>, sandbox: boolean): Effect.Effect<StoreLocation, UsageError> =>
  Option.isSome(store) && isRedisUrl(store.value)
    ? Effect.succeed({ kind: "redis" as const, url: store.value })
    : locate(store, sandbox)

export const open = (location: Location): Effect.Effect<TokenStore.TokenStore, never, FileSystem.FileSystem> =>
  FileTokenStore.make({ path: location.path })

/** What `store inspect` shows: never a token value. */
export const describe = (
  location: Location,
  token: Option.Option<AccessToken.AccessToken>,
  mode: Option.Option<number>,
  now: number
) => ({
  store: {
    kind: location.kind,
    path: location.path,
    mode: Option.match(mode, { onNone: () => null, onSome: (m) => `0${(m & 0o777).toString(8)}` })
  },
  formatVersion: Option.isSome(mode) ? FileTokenStore.currentVersion : null,
  lease: null,
  token: Option.match(token, {
    onNone: () => null,
    onSome: (t) => ({
      tokenType: t.tokenType,
      scopes: t.scopes,
      issuedAt: new Date(t.issuedAt).toISOString(),
      expiresAt: Option.match(t.expiresAt, { onNone: () => null, onSome: (at) => new Date(at).toISOString() }),
      expired: Option.exists(t.expiresAt, (at) => at <= now),
      refreshToken: Option.isSome(t.refreshToken),
      idToken: Option.isSome(t.idToken)
    })
  })
})

export const keyPrefixOption = Options.text("key-prefix").pipe(
  Options.optional,
  Options.withDescription(
    "With a redis:// store: the prefix of the stores' keys. Default: $AUTH_PIPELINE_REDIS_KEY_PREFIX, else auth-pipeline:"
  )
)

/** The Redis options of `store inspect|clear`: the key prefix from the flag or the environment, the key if set. */
const redisOptions = (url: string, keyPrefix: Option.Option<string>) =>
  Effect.gen(function*() {
    const fromEnv = yield* Config.option(Config.string("AUTH_PIPELINE_REDIS_KEY_PREFIX"))
    const encryptionKey = yield* Config.option(Config.redacted("AUTH_PIPELINE_REDIS_ENCRYPTION_KEY"))
    return {
      url,
      keyPrefix: Option.getOrUndefined(Option.orElse(keyPrefix, () => fromEnv)),
      encryptionKey: Option.getOrUndefined(encryptionKey)
    }
  })

/** The URL without user and password. */
export const displayUrl = RedisConnection.displayUrl

const iso = (at: number | null) => at === null ? null : new Date(at).toISOString()

/** What `store inspect` shows of a Redis store: never a token value nor a lease owner. */
export const describeRedis = (url: string, inspection: RedisTokenStore.Inspection) => ({
  store: { kind: "redis" as const, url: displayUrl(url), keyPrefix: inspection.keyPrefix },
  now: iso(inspection.now),
  records: inspection.records.map((r) => ({
    hash: r.hash,
    version: r.version,
    freshUntil: iso(r.freshUntil),
    fresh: r.freshUntil !== null && r.freshUntil > inspection.now,
    failures: r.failures,
    lease: r.lease,
    backoffMillis: r.backoffMillis,
    budgetCount: r.budgetCount,
    data: r.data,
    token: r.token === null ? null : {
      tokenType: r.token.tokenType,
      scopes: r.token.scopes,
      issuedAt: iso(r.token.issuedAt),
      expiresAt: iso(r.token.expiresAt),
      expired: r.token.expiresAt !== null && r.token.expiresAt <= inspection.now,
      refreshToken: r.token.refreshToken,
      idToken: r.token.idToken
    }
  }))
})

const tokenCell = (r: RedisTokenStore.CredentialRecord): string => {
  switch (r.data) {
    case "none":
      return yellow("none")
    case "sealed":
      return "sealed (set AUTH_PIPELINE_REDIS_ENCRYPTION_KEY to open)"
    case "unopenable":
      return yellow("does not open with AUTH_PIPELINE_REDIS_ENCRYPTION_KEY")
    case "opened":
      return `${green("present")} ${r.token!.tokenType}` +
        (r.token!.scopes.length === 0 ? "" : ` [${r.token!.scopes.join(" ")}]`) +
        (r.token!.refreshToken ? ", refresh token" : "")
  }
}

const inspectRedis = (url: string, keyPrefix: Option.Option<string>, format: "table" | "json") =>
  Effect.gen(function*() {
    const options = yield* redisOptions(url, keyPrefix)
    const inspection = yield* RedisTokenStore.inspect(options)
    if (format === "json") return yield* Console.log(JSON.stringify(describeRedis(url, inspection), null, 2))
    const now = inspection.now
    const header = keyValues([
      ["store", `redis ${displayUrl(url)}`],
      ["key prefix", inspection.keyPrefix],
      ["credentials", inspection.records.length === 0 ? yellow("none") : String(inspection.records.length)]
    ])
    if (inspection.records.length === 0) return yield* Console.log(header)
    const rows = inspection.records.map((r) => [
      r.hash,
      r.version === null ? "-" : String(r.version),
      r.freshUntil === null ? "-" : `${new Date(r.freshUntil).toISOString()} (${relative(r.freshUntil, now)})`,
      r.lease.held ? `held (${Math.ceil((r.lease.remainingMillis ?? 0) / 1000)} s left)` : "none",
      r.backoffMillis === null ? "none" : `${Math.ceil(r.backoffMillis / 1000)} s`,
      String(r.budgetCount),
      tokenCell(r),
      r.token === null
        ? "-"
        : r.token.expiresAt === null
        ? "no expiry given"
        : expiry(Option.some(r.token.expiresAt), now)
    ])
    yield* Console.log(
      header + "\n\n" +
        table(["credential", "version", "fresh until", "lease", "backoff", "budget", "token", "expires"], rows)
    )
  })

const inspectFile = (location: Location, format: "table" | "json") =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* Effect.option(fs.stat(location.path))
    const token = Option.isSome(info) ? yield* (yield* open(location)).get : Option.none()
    const now = yield* Clock.currentTimeMillis
    const mode = Option.map(info, (i) => i.mode)
    const described = describe(location, token, mode, now)
    if (format === "json") return yield* Console.log(JSON.stringify(described, null, 2))
    const rows: Array<readonly [string, string]> = [
      ["store", `file ${location.path}`],
      ["mode", described.store.mode === null ? "(no file yet)" : described.store.mode],
      ["format", described.formatVersion === null ? "-" : `version ${described.formatVersion}`],
      ["lease", "none (a file store holds no lease; processes share it without a lock)"]
    ]
    yield* Option.match(token, {
      onNone: () => Console.log(keyValues([...rows, ["token", yellow("none")]])),
      onSome: (t) =>
        Console.log(keyValues([
          ...rows,
          ["token", `${green("present")} (${t.tokenType}; the value is never shown)`],
          ["scopes", t.scopes.length === 0 ? "-" : t.scopes.join(" ")],
          ["issued", time(t.issuedAt, now)],
          ["expires", expiry(t.expiresAt, now)],
          ["refresh token", Option.isSome(t.refreshToken) ? "present" : "none"],
          ["id token", Option.isSome(t.idToken) ? "present" : "none"]
        ]))
    })
  })

const formatOption = Options.choice("format", ["table", "json"]).pipe(Options.withDefault("table" as const))

const inspect = Command.make(
  "inspect",
  { sandbox: sandboxFlag, store: storeOption, keyPrefix: keyPrefixOption, format: formatOption },
  ({ format, keyPrefix, sandbox, store }) =>
    Effect.flatMap(
      locateStore(store, sandbox),
      (location): Effect.Effect<
        void,
        RedisTokenStore.RedisUnavailable | ConfigError.ConfigError | TokenStore.TokenStoreError,
        FileSystem.FileSystem
      > => location.kind === "redis" ? inspectRedis(location.url, keyPrefix, format) : inspectFile(location, format)
    )
).pipe(
  Command.withDescription(
    "Show what the token store holds: format version, token type, scopes, issue and expiry times, whether a " +
      "refresh and an ID token are there, lease state. With a redis:// store: every credential under the key " +
      "prefix with its record version, fresh-until, lease, backoff and budget. Never a token value."
  )
)

const clear = Command.make(
  "clear",
  {
    sandbox: sandboxFlag,
    store: storeOption,
    keyPrefix: keyPrefixOption,
    hash: Options.text("credential").pipe(
      Options.optional,
      Options.withDescription("With a redis:// store: clear only this credential (its hash, as inspect lists it).")
    )
  },
  ({ hash, keyPrefix, sandbox, store }) =>
    Effect.gen(function*() {
      const location = yield* locateStore(store, sandbox)
      if (location.kind === "redis") {
        const options = yield* redisOptions(location.url, keyPrefix)
        const result = yield* RedisTokenStore.clear({
          url: options.url,
          keyPrefix: options.keyPrefix,
          hash: Option.getOrUndefined(hash)
        })
        return yield* Console.log(
          `cleared ${result.hashes.length} credential(s), ${result.deletedKeys} key(s) in ${
            displayUrl(location.url)
          } ` +
            `(replicas keep the token they hold; nothing was revoked)`
        )
      }
      if (Option.isSome(hash)) {
        return yield* Effect.fail(new UsageError({ detail: "--credential applies to a redis:// store only" }))
      }
      yield* (yield* open(location)).set(Option.none())
      yield* Console.log(`cleared ${location.path} (the provider was not told: use logout to revoke)`)
    })
).pipe(
  Command.withDescription(
    "Forget the stored token set (no revocation at the provider: that is logout). With a redis:// store: " +
      "delete the keys of every credential under the key prefix, or of one (--credential)."
  )
)

export const command = Command.make(
  "store",
  {},
  () =>
    Effect.fail(
      new UsageError({ detail: "store needs a subcommand: inspect or clear (see auth-pipeline store --help)" })
    )
).pipe(
  Command.withDescription("Inspect or clear a token store: the file of `login`, or a fleet's Redis store (redis://)."),
  Command.withSubcommands([inspect, clear])
)
