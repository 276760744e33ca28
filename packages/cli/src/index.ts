/**
 * The `auth-pipeline` command: a local sandbox of every provider, tokens for scripts, the
 * Centrapay user login, the token store.
 *
 * @since 0.1.0
 */

/**
 * The command as a library: the root command, `run`, `main`, the exit codes.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"
