/**
 * `auth-pipeline token <paysera|cryptofuse|autopay>`: one token from the provider's own layer,
 * printed for a script (`header`, `curl`) or described (`json`, the value only with `--reveal`).
 *
 * @internal
 */
import * as AutopayAuth from "@auth-pipeline/autopay/AutopayAuth"
import type * as AccessToken from "@auth-pipeline/core/AccessToken"
import type * as ProviderAuth from "@auth-pipeline/core/ProviderAuth"
import type * as TokenError from "@auth-pipeline/core/TokenError"
import * as CryptofuseAuth from "@auth-pipeline/cryptofuse/CryptofuseAuth"
import * as PayseraAuth from "@auth-pipeline/paysera/PayseraAuth"
import * as Autopay from "@auth-pipeline/sandbox/Autopay"
import * as Cryptofuse from "@auth-pipeline/sandbox/Cryptofuse"
import * as Emulator from "@auth-pipeline/sandbox/Emulator"
import * as Paysera from "@auth-pipeline/sandbox/Paysera"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Credentials from "./credentials.js"
import { portBaseOption, sandboxUrl } from "./ports.js"

interface Given {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly tokenUrl: string | undefined
  readonly baseUrl: string | undefined
}

interface Provider {
  /** Prefix of the documented environment variables. */
  readonly env: string
  readonly sandboxTokenPath: string
  /** The provider's options: `given`, the rest from its documented environment variables. */
  readonly make: (given: Given) => Effect.Effect<
    { readonly auth: ProviderAuth.ProviderAuth; readonly baseUrl: string },
    ConfigError.ConfigError | TokenError.TokenRequestError,
    HttpClient.HttpClient | Scope.Scope
  >
}

/** `given` without its unset URLs: those come from the environment. */
const defined = (given: Given) => ({
  clientId: given.clientId,
  clientSecret: given.clientSecret,
  ...(given.tokenUrl === undefined ? {} : { tokenUrl: given.tokenUrl }),
  ...(given.baseUrl === undefined ? {} : { baseUrl: given.baseUrl })
})

const providers: Record<"paysera" | "cryptofuse" | "autopay", Provider> = {
  paysera: {
    env: "PAYSERA",
    sandboxTokenPath: Paysera.tokenPath,
    make: (given) =>
      Effect.gen(function*() {
        const options = yield* PayseraAuth.fromConfig(Config.succeed(defined(given)))
        return { auth: yield* PayseraAuth.make(options), baseUrl: options.baseUrl ?? PayseraAuth.apiBaseUrl }
      })
  },
  cryptofuse: {
    env: "CRYPTOFUSE",
    sandboxTokenPath: Cryptofuse.tokenPath,
    make: (given) =>
      Effect.gen(function*() {
        const options = yield* CryptofuseAuth.fromConfig(Config.succeed(defined(given)))
        return { auth: yield* CryptofuseAuth.make(options), baseUrl: options.baseUrl }
      })
  },
  autopay: {
    env: "AUTOPAY",
    sandboxTokenPath: Autopay.tokenPath,
    make: (given) =>
      Effect.gen(function*() {
        const options = yield* AutopayAuth.fromConfig(Config.succeed(defined(given)))
        return { auth: yield* AutopayAuth.make(options), baseUrl: options.baseUrl ?? AutopayAuth.apiBaseUrl }
      })
  }
}

type Format = "header" | "json" | "curl"

/** Single quotes for a POSIX shell. */
const shellQuote = (s: string): string => /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`

export const render = (
  format: Format,
  provider: string,
  token: AccessToken.AccessToken,
  baseUrl: string,
  reveal: boolean,
  now: number
): string => {
  const header = `Authorization: ${token.tokenType} ${Redacted.value(token.value)}`
  switch (format) {
    case "header":
      return header
    case "curl":
      return `curl -H ${shellQuote(header)} ${shellQuote(baseUrl.replace(/\/*$/, "/"))}`
    case "json":
      return JSON.stringify(
        {
          provider,
          tokenType: token.tokenType,
          scopes: token.scopes,
          issuedAt: new Date(token.issuedAt).toISOString(),
          expiresAt: Option.match(token.expiresAt, { onNone: () => null, onSome: (at) => new Date(at).toISOString() }),
          expiresIn: Option.match(token.expiresAt, {
            onNone: () => null,
            onSome: (at) => Math.max(0, Math.floor((at - now) / 1000))
          }),
          refreshToken: Option.isSome(token.refreshToken),
          ...(reveal ? { accessToken: Redacted.value(token.value) } : {})
        },
        null,
        2
      )
  }
}

export const command = Command.make(
  "token",
  {
    provider: Args.choice([["paysera", "paysera"], ["cryptofuse", "cryptofuse"], ["autopay", "autopay"]] as const, {
      name: "provider"
    }).pipe(Args.withDescription("paysera, cryptofuse or autopay")),
    sandbox: Options.boolean("sandbox").pipe(
      Options.withDescription(
        "Ask the sandbox (`auth-pipeline sandbox`) instead of the provider, with its test credentials unless " +
          "--client-id / --client-secret are given; environment variables are then ignored."
      )
    ),
    portBase: portBaseOption,
    format: Options.choice("format", ["header", "json", "curl"]).pipe(
      Options.withDefault("header" as const),
      Options.withDescription(
        "header: `Authorization: Bearer <token>`; curl: a curl command with that header and the API base URL; " +
          "json: type, scopes and expiry (the token itself only with --reveal)."
      )
    ),
    reveal: Options.boolean("reveal").pipe(Options.withDescription("With --format json: include the access token.")),
    clientId: Options.text("client-id").pipe(
      Options.optional,
      Options.withDescription("The client id (default: <PROVIDER>_CLIENT_ID, else asked on a terminal).")
    ),
    clientSecret: Options.redacted("client-secret").pipe(
      Options.optional,
      Options.withDescription(
        "The client secret (default: <PROVIDER>_CLIENT_SECRET, else asked on a terminal with hidden input). " +
          "Prefer the variable or the prompt: a flag shows in the process list and the shell history."
      )
    ),
    tokenUrl: Options.text("token-url").pipe(
      Options.optional,
      Options.withDescription("The token endpoint (default: <PROVIDER>_TOKEN_URL, else the documented one).")
    ),
    baseUrl: Options.text("base-url").pipe(
      Options.optional,
      Options.withDescription("The API base URL (default: <PROVIDER>_BASE_URL; required for cryptofuse).")
    )
  },
  (flags) =>
    Effect.scoped(Effect.gen(function*() {
      const provider = providers[flags.provider]
      const secret = Option.map(flags.clientSecret, (value) => Redacted.make(Redacted.value(value)))
      let given: Given
      if (flags.sandbox) {
        const url = sandboxUrl(flags.portBase, flags.provider)
        given = {
          clientId: Option.getOrElse(flags.clientId, () => Emulator.defaultClientId),
          clientSecret: Option.getOrElse(secret, () => Redacted.make(Emulator.defaultClientSecret)),
          tokenUrl: `${url}${provider.sandboxTokenPath}`,
          baseUrl: url
        }
      } else {
        given = {
          clientId: yield* Credentials.text(flags.clientId, `${provider.env}_CLIENT_ID`, "client-id"),
          clientSecret: yield* Credentials.secret(secret, `${provider.env}_CLIENT_SECRET`, "client-secret"),
          tokenUrl: Option.getOrUndefined(flags.tokenUrl),
          baseUrl: Option.getOrUndefined(flags.baseUrl)
        }
      }
      const { auth, baseUrl } = yield* provider.make(given)
      const token = yield* auth.token
      const now = yield* Clock.currentTimeMillis
      yield* Console.log(render(flags.format, flags.provider, token, baseUrl, flags.reveal, now))
    }))
).pipe(
  Command.withDescription(
    "Obtain a token with the provider's client credentials (from PAYSERA_* / CRYPTOFUSE_* / AUTOPAY_* " +
      "variables, flags, or a hidden prompt) and print it. The client secret is never printed."
  )
)
