/**
 * The token store the login keeps its session in, and `auth-pipeline store inspect|clear`.
 *
 * @internal
 */
import type * as AccessToken from "@auth-pipeline/core/AccessToken"
import * as FileTokenStore from "@auth-pipeline/core/FileTokenStore"
import type * as TokenStore from "@auth-pipeline/core/TokenStore"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as os from "node:os"
import * as path from "node:path"
import { UsageError } from "./errors.js"
import { expiry, green, keyValues, time, yellow } from "./output.js"

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
    "The token store: a file path. Default: <config dir>/auth-pipeline/centrapay.json " +
      "(centrapay-sandbox.json with --sandbox), the config dir being $XDG_CONFIG_HOME, ~/.config or %APPDATA%."
  )
)

export const sandboxFlag = Options.boolean("sandbox").pipe(
  Options.withDescription(
    "Use the sandbox's Centrapay OpenID Provider (`auth-pipeline sandbox`) and its own store file."
  )
)

export type Location = { readonly kind: "file"; readonly path: string }

/** Where the store is: a file path (a `redis://` URL is refused until the Redis store exists). */
export const locate = (store: Option.Option<string>, sandbox: boolean): Effect.Effect<Location, UsageError> =>
  Option.match(store, {
    onNone: () => Effect.succeed({ kind: "file" as const, path: defaultStorePath("centrapay", sandbox) }),
    onSome: (given) =>
      /^rediss?:\/\//i.test(given)
        ? Effect.fail(new UsageError({ detail: "--store: the Redis token store is not available in this version" }))
        : Effect.succeed({ kind: "file" as const, path: path.resolve(given) })
  })

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

const inspect = Command.make(
  "inspect",
  {
    sandbox: sandboxFlag,
    store: storeOption,
    format: Options.choice("format", ["table", "json"]).pipe(Options.withDefault("table" as const))
  },
  ({ format, sandbox, store }) =>
    Effect.gen(function*() {
      const location = yield* locate(store, sandbox)
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
).pipe(
  Command.withDescription(
    "Show what the token store holds: format version, token type, scopes, issue and expiry times, whether a " +
      "refresh and an ID token are there, lease state. Never a token value."
  )
)

const clear = Command.make(
  "clear",
  { sandbox: sandboxFlag, store: storeOption },
  ({ sandbox, store }) =>
    Effect.gen(function*() {
      const location = yield* locate(store, sandbox)
      yield* (yield* open(location)).set(Option.none())
      yield* Console.log(`cleared ${location.path} (the provider was not told: use logout to revoke)`)
    })
).pipe(Command.withDescription("Forget the stored token set (no revocation at the provider: that is logout)."))

export const command = Command.make(
  "store",
  {},
  () =>
    Effect.fail(
      new UsageError({ detail: "store needs a subcommand: inspect or clear (see auth-pipeline store --help)" })
    )
).pipe(
  Command.withDescription("Inspect or clear the token store of `login` (a file; the Redis store once it exists)."),
  Command.withSubcommands([inspect, clear])
)
