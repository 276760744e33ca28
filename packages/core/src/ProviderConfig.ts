/**
 * Reading a provider's documented environment variables with `Config`: the client credentials
 * (the secret as `Redacted`) and optional URL overrides, for every field the caller left unset.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

/**
 * The fields every client-credentials provider reads from its environment.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientCredentialsFields {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly tokenUrl?: string | undefined
  readonly baseUrl?: string | undefined
}

/**
 * An optional string variable; an empty or blank value counts as unset.
 *
 * @since 0.1.0
 * @category config
 */
export const optionalString = (key: string): Config.Config<string | undefined> =>
  Config.map(
    Config.option(Config.string(key)),
    (value) => Option.getOrUndefined(Option.filter(value, (s) => s.trim().length > 0))
  )

/**
 * Fills what `given` leaves unset from `<PREFIX>_CLIENT_ID`, `<PREFIX>_CLIENT_SECRET` (read with
 * `Config.redacted`), and the optional `<PREFIX>_TOKEN_URL` and `<PREFIX>_BASE_URL`. A missing
 * variable is a `ConfigError` naming it; no secret is ever part of the error.
 *
 * @since 0.1.0
 * @category config
 */
export const clientCredentials = <O extends Partial<ClientCredentialsFields>>(
  prefix: string,
  given: O
): Effect.Effect<O & ClientCredentialsFields, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    return {
      ...given,
      clientId: given.clientId ?? (yield* Config.nonEmptyString(`${prefix}_CLIENT_ID`)),
      clientSecret: given.clientSecret ?? (yield* Config.redacted(Config.nonEmptyString(`${prefix}_CLIENT_SECRET`))),
      tokenUrl: given.tokenUrl ?? (yield* optionalString(`${prefix}_TOKEN_URL`)),
      baseUrl: given.baseUrl ?? (yield* optionalString(`${prefix}_BASE_URL`))
    }
  })
