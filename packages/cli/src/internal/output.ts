/**
 * Terminal output: styles that show only on a TTY, tables, times, the spinner.
 *
 * Everything the command writes goes through Effect's `Console` (stdout for results, stderr for
 * messages). Text is styled freely; {@link withTerminalConsole} strips the escape codes from a
 * stream that is not a colour terminal (a pipe, a file, `NO_COLOR`), @effect/cli's help included.
 *
 * @internal
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g

/** The text without terminal escape codes. */
export const strip = (text: string): string => text.replace(ANSI, "")

interface Stream {
  readonly isTTY?: boolean | undefined
}

/** Colours on `stream`: a TTY, unless `NO_COLOR` is set or `TERM=dumb`; `FORCE_COLOR` forces them. */
export const colorsOn = (stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean => {
  const force = env["FORCE_COLOR"]
  if (force !== undefined && force !== "" && force !== "0" && force !== "false") return true
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false
  if (env["TERM"] === "dumb") return false
  return stream.isTTY === true
}

const style = (open: number, close: number) => (text: string): string => `\u001b[${open}m${text}\u001b[${close}m`

export const bold = style(1, 22)
export const dim = style(2, 22)
export const red = style(31, 39)
export const green = style(32, 39)
export const yellow = style(33, 39)
export const cyan = style(36, 39)

const mapArgs = (args: ReadonlyArray<unknown>) => args.map((arg) => (typeof arg === "string" ? strip(arg) : arg))

/**
 * Runs `effect` with a `Console` that strips escape codes from what goes to stdout (`log`, `info`)
 * and stderr (`error`, `warn`) when that stream shows no colours.
 */
export const withTerminalConsole = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  colors: { readonly stdout: boolean; readonly stderr: boolean }
): Effect.Effect<A, E, R> =>
  Console.consoleWith((base) => {
    const out = (f: (...args: ReadonlyArray<any>) => Effect.Effect<void>, on: boolean) =>
      on ? f : (...args: ReadonlyArray<any>) => f(...mapArgs(args))
    const console: Console.Console = {
      ...base,
      log: out(base.log, colors.stdout),
      info: out(base.info, colors.stdout),
      error: out(base.error, colors.stderr),
      warn: out(base.warn, colors.stderr)
    }
    return Effect.withConsole(effect, console)
  })

/** Left-aligned columns separated by two spaces; the header row bold. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(strip(h).length, ...rows.map((row) => strip(row[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((cell, i) => i === cells.length - 1 ? cell : cell + " ".repeat(widths[i]! - strip(cell).length))
      .join("  ")
      .trimEnd()
  return [bold(line(header)), ...rows.map(line)].join("\n")
}

/** Two columns, the keys dimmed: `key   value`. */
export const keyValues = (rows: ReadonlyArray<readonly [string, string]>): string => {
  const width = Math.max(0, ...rows.map(([key]) => key.length))
  return rows.map(([key, value]) => `${dim(key.padEnd(width))}  ${value}`).join("\n")
}

/** `in 59 min`, `3 s ago`: how far `at` is from `now`. */
export const relative = (at: number, now: number): string => {
  const seconds = Math.round((at - now) / 1000)
  const abs = Math.abs(seconds)
  const amount = abs < 120
    ? `${abs} s`
    : abs < 7200
    ? `${Math.round(abs / 60)} min`
    : abs < 172800
    ? `${Math.round(abs / 3600)} h`
    : `${Math.round(abs / 86400)} days`
  return seconds >= 0 ? `in ${amount}` : `${amount} ago`
}

/** `2025-01-01T10:00:00.000Z (in 59 min)` */
export const time = (at: number, now: number): string =>
  `${new Date(at).toISOString()} ${dim(`(${relative(at, now)})`)}`

/** The expiry of a token: its time, or `no expiry` when the server sent no `expires_in`. */
export const expiry = (expiresAt: Option.Option<number>, now: number): string =>
  Option.match(expiresAt, {
    onNone: () => "no expiry given",
    onSome: (at) =>
      at <= now ? `${new Date(at).toISOString()} ${yellow(`(expired ${relative(at, now)})`)}` : time(at, now)
  })

const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

/**
 * Shows `text` after a spinner on stderr while the scope is open, when stderr is a terminal; the
 * line is erased when it stops. Elsewhere it writes `text` once.
 */
export const spinner = (text: string, interactive: boolean): Effect.Effect<void, never, Scope.Scope> =>
  interactive
    ? Effect.gen(function*() {
      let frame = 0
      const draw = Effect.sync(() => {
        process.stderr.write(`\r${cyan(frames[frame++ % frames.length]!)} ${text}`)
      })
      const fiber = yield* Effect.forkDaemon(
        Effect.forever(Effect.zipRight(draw, Effect.sleep("80 millis")))
      )
      yield* Effect.addFinalizer(() =>
        Effect.zipRight(Fiber.interrupt(fiber), Effect.sync(() => process.stderr.write("\r\u001b[2K")))
      )
    })
    : Console.error(text)
