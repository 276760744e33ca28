/**
 * The `auth-pipeline` command as a library: the root {@link command} (for embedding it in another
 * `@effect/cli` application), {@link run} for a command line, and {@link main} for a process.
 *
 * ```sh
 * auth-pipeline sandbox                          # every provider on 127.0.0.1, until Ctrl-C
 * auth-pipeline token paysera --sandbox          # Authorization: Bearer <token>
 * auth-pipeline login centrapay --sandbox        # browser sign-in, token set in a file
 * auth-pipeline whoami --sandbox                 # the user's claims
 * auth-pipeline store inspect --sandbox          # expiry, scopes, versions: never a value
 * ```
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as internal from "./internal/cli.js"
import { exitCodes } from "./internal/exitCodes.js"

/**
 * The exit codes scripts can rely on.
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success (and the sandbox stopped with Ctrl-C) |
 * | 1 | unexpected failure (a bug: please report it) |
 * | 2 | usage: unknown command or flag, a missing credential with no terminal to ask on, a bad URL |
 * | 3 | credentials refused: `invalid_client`, `unauthorized_client`, `access_denied`, HTTP 401 / 403 |
 * | 4 | provider unavailable: unreachable, timeout, HTTP 5xx, rate limited, token budget spent |
 * | 5 | not signed in, or the session can no longer be renewed (log in again) |
 * | 6 | the login did not complete: timeout, refused in the browser, a callback or ID token that failed its checks |
 * | 7 | the token store cannot be read or written |
 * | 8 | the provider answered, but not as its protocol says (an unusable token or discovery response) |
 * | 9 | the sandbox could not start (a port is taken: move it with `--port-base`) |
 * | 130 | interrupted (Ctrl-C) |
 *
 * @example
 * ```ts
 * import { Cli } from "@auth-pipeline/cli"
 *
 * assert.strictEqual(Cli.ExitCode.notSignedIn, 5) // `auth-pipeline whoami` before `login`
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const ExitCode: {
  readonly ok: 0
  readonly unexpected: 1
  readonly usage: 2
  readonly credentialsRefused: 3
  readonly unavailable: 4
  readonly notSignedIn: 5
  readonly loginFailed: 6
  readonly storeUnusable: 7
  readonly providerError: 8
  readonly sandboxFailed: 9
  readonly interrupted: 130
} = exitCodes

/**
 * One of the {@link ExitCode} values.
 *
 * @example
 * ```ts
 * import { Cli } from "@auth-pipeline/cli"
 *
 * const usage: Cli.ExitCode = Cli.ExitCode.usage
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ExitCode = typeof ExitCode[keyof typeof ExitCode]

/**
 * The package's version, as the `--version` flag prints it.
 *
 * @example
 * ```ts
 * import { Cli } from "@auth-pipeline/cli"
 *
 * assert.match(Cli.version, /^\d+\.\d+\.\d+/)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const version: string = internal.version

/**
 * The root `auth-pipeline` command with its subcommands `sandbox`, `token`, `login`, `logout`,
 * `whoami` and `store`, for `Command.run` or to nest under another command. Its handlers need
 * the Node services (`NodeContext.layer`) and an `HttpClient`.
 *
 * @example
 * ```ts
 * import { Cli } from "@auth-pipeline/cli"
 * import { Command } from "@effect/cli"
 *
 * // The same command under another name, e.g. inside a bigger tool.
 * const run = Command.run(Cli.command, { name: "my-tool auth", version: Cli.version })
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const command: typeof internal.command = internal.command

/**
 * Runs a command line (as `process.argv`: runtime and script first) with the Node services and
 * yields its {@link ExitCode}; a failure is printed as one line on stderr (the typed error's
 * message, never a stack or a secret), escape codes only on a colour terminal.
 *
 * @example
 * ```ts
 * import { Cli } from "@auth-pipeline/cli"
 * import { Effect } from "effect"
 *
 * // With `auth-pipeline sandbox` running: a sandbox token, printed as an Authorization header.
 * const program = Cli.run(["node", "auth-pipeline", "token", "paysera", "--sandbox"]).pipe(
 *   Effect.tap((code) => Effect.log(`exit code ${code}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run: (args: ReadonlyArray<string>) => Effect.Effect<number> = internal.run

/**
 * Runs the process (what the `auth-pipeline` binary does): {@link run} on `process.argv`; Ctrl-C
 * or SIGTERM interrupts it (servers and listeners close), then the process exits with the code.
 *
 * @example
 * ```ts
 * import { Cli } from "@auth-pipeline/cli"
 *
 * // A bin script of your own: the whole program, with the process's arguments.
 * export const start = () => Cli.main(process.argv)
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const main: (argv?: ReadonlyArray<string>) => void = internal.main
