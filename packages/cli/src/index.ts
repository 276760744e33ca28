/**
 * The `auth-pipeline` command: a local sandbox of every provider, tokens for scripts, the
 * Centrapay user login, the token store.
 *
 * @example
 * ```ts
 * import { Cli } from "@auth-pipeline/cli"
 * import { Effect } from "effect"
 *
 * // What `auth-pipeline --version` does, from a program.
 * Effect.runPromise(Cli.run(["node", "auth-pipeline", "--version"])).then((code) => assert.strictEqual(code, 0))
 * ```
 *
 * @since 0.1.0
 */

/**
 * The command as a library: the root command, `run`, `main`, the exit codes.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"
