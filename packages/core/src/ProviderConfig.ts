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
 * @example
 * ```ts
 * import type { ProviderConfig } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const fields: ProviderConfig.ClientCredentialsFields = {
 *   clientId: "my-client",
 *   clientSecret: Redacted.make("s3cret"),
 *   tokenUrl: "https://auth.example.com/oauth2/token"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientCredentialsFields {
  /** `<PREFIX>_CLIENT_ID`: the client identifier. */
  readonly clientId: string
  /** `<PREFIX>_CLIENT_SECRET`, read with `Config.redacted`. */
  readonly clientSecret: Redacted.Redacted<string>
  /** `<PREFIX>_TOKEN_URL`: overrides the provider's token endpoint (e.g. a sandbox). */
  readonly tokenUrl?: string | undefined
  /** `<PREFIX>_BASE_URL`: overrides the provider's API base URL. */
  readonly baseUrl?: string | undefined
}

/**
 * An optional string variable; an empty or blank value counts as unset.
 *
 * @example
 * ```ts
 * import { ProviderConfig } from "@auth-pipeline/core"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const program = Effect.withConfigProvider(
 *   ProviderConfig.optionalString("PAYSERA_BASE_URL"),
 *   ConfigProvider.fromMap(new Map([["PAYSERA_BASE_URL", "  "]]))
 * )
 * assert.strictEqual(Effect.runSync(program), undefined) // blank counts as unset
 * ```
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
 * @example
 * ```ts
 * import { ProviderConfig } from "@auth-pipeline/core"
 * import { ConfigProvider, Effect, Redacted } from "effect"
 *
 * const env = ConfigProvider.fromMap(new Map([["ACME_CLIENT_ID", "my-client"], ["ACME_CLIENT_SECRET", "s3cret"]]))
 * const fields = Effect.runSync(
 *   Effect.withConfigProvider(ProviderConfig.clientCredentials("ACME", { baseUrl: "https://sandbox.acme.test" }), env)
 * )
 * assert.strictEqual(fields.clientId, "my-client")
 * assert.strictEqual(Redacted.value(fields.clientSecret), "s3cret")
 * assert.strictEqual(fields.baseUrl, "https://sandbox.acme.test") // given values win
 * ```
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
