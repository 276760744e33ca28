/**
 * The root command, and running it as a process: Node services, exit codes, one-line errors,
 * colours only on a terminal, Ctrl-C.
 *
 * @internal
 */
import * as NodeLoopbackRedirect from "@auth-pipeline/platform-node/NodeLoopbackRedirect"
import * as Command from "@effect/cli/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as Centrapay from "./centrapay.js"
import { report, UsageError } from "./errors.js"
import { exitCodes } from "./exitCodes.js"
import { colorsOn, red, strip, withTerminalConsole, yellow } from "./output.js"
import { interruptedExitCode } from "./runtime.js"
import * as Sandbox from "./sandbox.js"
import * as Store from "./store.js"
import * as Token from "./token.js"

export const version: string = (() => {
  try {
    return JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version
  } catch {
    return "unknown"
  }
})()

export const command = Command.make("auth-pipeline", {}, () =>
  Effect.fail(
    new UsageError({
      detail: "a command is required: sandbox, token, login, logout, whoami or store (see auth-pipeline --help)"
    })
  )).pipe(
    Command.withDescription(
      "API authentication with payment providers from a terminal: a local sandbox of every provider, tokens " +
        "for scripts, the Centrapay user login, the token store."
    ),
    Command.withSubcommands([Sandbox.command, Token.command, ...Centrapay.commands, Store.command])
  )

const cli = Command.run(command, { name: "auth-pipeline", version })

/** Warnings the libraries log (a failed background refresh, a refresh token not revoked): one line on stderr. */
const logger = Logger.make(({ logLevel, message }) => {
  const text = (Array.isArray(message) ? message : [message]).map(String).join(" ")
  const line = `${logLevel.label.toLowerCase()}: ${text}`
  process.stderr.write(`${colorsOn(process.stderr) ? yellow(line) : strip(line)}\n`)
})

const NodeLive = Layer.mergeAll(NodeContext.layer, NodeHttpClient.layerUndici, NodeLoopbackRedirect.layer)

/**
 * Runs the command line `args` (as `process.argv`: runtime and script first) and yields the exit
 * code, having printed a failure as one line on stderr.
 */
export const run = (args: ReadonlyArray<string>): Effect.Effect<number> => {
  const colors = { stdout: colorsOn(process.stdout), stderr: colorsOn(process.stderr) }
  return cli(args).pipe(
    Effect.provide(NodeLive),
    Effect.exit,
    Effect.flatMap((exit) => {
      if (Exit.isSuccess(exit)) return Effect.succeed(exitCodes.ok)
      if (Cause.isInterruptedOnly(exit.cause)) return Effect.succeed(interruptedExitCode())
      const { code, line } = report(exit.cause)
      return Option.match(line, {
        onNone: () => Effect.succeed(code),
        onSome: (text) => Effect.as(Console.error(`${red("error:")} ${text}`), code)
      })
    }),
    (effect) => withTerminalConsole(effect, colors),
    Effect.provide(Logger.replace(Logger.defaultLogger, logger))
  )
}

/**
 * Runs the process: `run(process.argv)`, Ctrl-C (SIGINT) and SIGTERM interrupt it (its scopes
 * close: servers stop, the loopback listener closes), then the process exits with the code.
 */
export const main = (argv: ReadonlyArray<string> = process.argv): void => {
  const keepAlive = setInterval(() => {}, 2 ** 31 - 1)
  const fiber = Effect.runFork(run(argv))
  const onSignal = () => {
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
    fiber.unsafeInterruptAsFork(fiber.id())
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  fiber.addObserver((exit) => {
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
    clearInterval(keepAlive)
    const code = Exit.isSuccess(exit) ? exit.value : interruptedExitCode()
    process.exitCode = code
    // Open keep-alive sockets must not hold the process: leave once the output is flushed.
    setTimeout(() => process.exit(code), 200).unref()
  })
}
