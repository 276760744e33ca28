/**
 * What the process does on Ctrl-C: a command that runs until stopped (the sandbox) ends with 0,
 * every other one with 130.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { exitCodes } from "./exitCodes.js"

let onInterrupt: number = exitCodes.interrupted

/** From now on, Ctrl-C (SIGINT) or SIGTERM is the normal way this run ends: exit code 0. */
export const stopIsSuccess: Effect.Effect<void> = Effect.sync(() => {
  onInterrupt = exitCodes.ok
})

export const interruptedExitCode = (): number => onInterrupt
