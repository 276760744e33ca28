/**
 * Reading a credential: a flag, else the documented environment variable, else a prompt on a
 * terminal (hidden for secrets), else a usage error naming what to set.
 *
 * @internal
 */
import * as Prompt from "@effect/cli/Prompt"
import type * as Terminal from "@effect/platform/Terminal"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { UsageError } from "./errors.js"

const interactive = () => process.stdin.isTTY === true && process.stderr.isTTY === true

export const text = (
  flag: Option.Option<string>,
  variable: string,
  flagName: string
): Effect.Effect<string, UsageError | Terminal.QuitException, Prompt.Prompt.Environment> =>
  Option.match(flag, {
    onSome: Effect.succeed,
    onNone: () =>
      Effect.flatMap(
        Effect.orElseSucceed(Config.option(Config.nonEmptyString(variable)), () => Option.none<string>()),
        Option.match({
          onSome: (value): Effect.Effect<string, UsageError | Terminal.QuitException, Prompt.Prompt.Environment> =>
            Effect.succeed(value),
          onNone: () =>
            interactive()
              ? Prompt.run(Prompt.text({ message: `${variable} (or --${flagName})` }))
              : Effect.fail(new UsageError({ detail: `${variable} is not set: set it or pass --${flagName}` }))
        })
      )
  })

export const secret = (
  flag: Option.Option<Redacted.Redacted<string>>,
  variable: string,
  flagName: string
): Effect.Effect<Redacted.Redacted<string>, UsageError | Terminal.QuitException, Prompt.Prompt.Environment> =>
  Option.match(flag, {
    onSome: Effect.succeed,
    onNone: () =>
      Effect.flatMap(
        Effect.orElseSucceed(
          Config.option(Config.redacted(Config.nonEmptyString(variable))),
          () => Option.none<Redacted.Redacted<string>>()
        ),
        Option.match({
          onSome: (
            value
          ): Effect.Effect<Redacted.Redacted<string>, UsageError | Terminal.QuitException, Prompt.Prompt.Environment> =>
            Effect.succeed(value),
          onNone: () =>
            interactive()
              ? Effect.map(Prompt.run(Prompt.hidden({ message: `${variable} (input hidden)` })), (value) =>
                // @effect/cli's Redacted is effect's Redacted; re-wrapped to drop its type tag.
                Redacted.make(Redacted.value(value)))
              : Effect.fail(
                new UsageError({
                  detail: `${variable} is not set: set it, pass --${flagName}, or run in a terminal to be asked`
                })
              )
        })
      )
  })
