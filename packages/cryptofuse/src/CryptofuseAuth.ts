/**
 * Cryptofuse authentication, as the Cryptofuse "OAuth Token" API reference describes it:
 *
 * - the OAuth 2.0 client credentials grant at `POST {baseUrl}/o/token/` (with its trailing
 *   slash), a form post; the client authenticates with HTTP Basic (`client_secret_basic`, the
 *   default) or with `client_id` / `client_secret` in the body (`client_secret_post`);
 * - the base URL is the account's (the docs write `{{BASE_URL}}`), so it is required;
 * - scopes `read write` by default, `read write admin` with `admin: true`;
 * - tokens live 36000 s (10 hours); they are cached and refreshed in the background shortly
 *   before expiry (core's 60 s buffer);
 * - the documented errors, 400 `invalid_request` and 401 `invalid_client`, come out as a typed
 *   `TokenError.OAuthError` with the HTTP status.
 *
 * @since 0.1.0
 */
import * as ClientAuthentication from "@auth-pipeline/core/ClientAuthentication"
import * as ProviderAuth from "@auth-pipeline/core/ProviderAuth"
import * as ProviderConfig from "@auth-pipeline/core/ProviderConfig"
import type * as TokenCache from "@auth-pipeline/core/TokenCache"
import * as TokenEndpoint from "@auth-pipeline/core/TokenEndpoint"
import type * as TokenError from "@auth-pipeline/core/TokenError"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"

/**
 * The Cryptofuse provider in an application's context: the current token, compare-and-invalidate,
 * and an authenticated `HttpClient` whose relative URLs resolve against the account's base URL.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 *
 * const payments = Effect.flatMap(CryptofuseAuth.CryptofuseAuth, (cryptofuse) => cryptofuse.client.get("/payments/"))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class CryptofuseAuth extends Context.Tag("@auth-pipeline/cryptofuse/CryptofuseAuth")<
  CryptofuseAuth,
  ProviderAuth.ProviderAuth
>() {}

/**
 * The provider's name, used for the token cache, spans and metrics.
 *
 * @example
 * ```ts
 * import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 *
 * assert.strictEqual(CryptofuseAuth.name, "cryptofuse")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const name = "cryptofuse"

/**
 * The documented token endpoint path, relative to the account's base URL (the trailing slash is
 * part of it).
 *
 * @example
 * ```ts
 * import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 *
 * assert.strictEqual(CryptofuseAuth.tokenPath, "/o/token/")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const tokenPath = "/o/token/"

/**
 * The scopes asked for by default: `read write`.
 *
 * @example
 * ```ts
 * import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 *
 * assert.deepStrictEqual(CryptofuseAuth.defaultScopes, ["read", "write"])
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultScopes: ReadonlyArray<string> = ["read", "write"]

/**
 * The scopes asked for with `admin: true`: `read write admin`.
 *
 * @example
 * ```ts
 * import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 *
 * assert.ok(CryptofuseAuth.adminScopes.includes("admin"))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const adminScopes: ReadonlyArray<string> = ["read", "write", "admin"]

/**
 * The two documented ways to send the client credentials.
 *
 * @example
 * ```ts
 * import type { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 *
 * const method: CryptofuseAuth.ClientAuthenticationMethod = "client_secret_post"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ClientAuthenticationMethod = "client_secret_basic" | "client_secret_post"

/**
 * The default client authentication: HTTP Basic, as the docs' first example.
 *
 * @example
 * ```ts
 * import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 *
 * assert.strictEqual(CryptofuseAuth.defaultClientAuthentication, "client_secret_basic")
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultClientAuthentication: ClientAuthenticationMethod = "client_secret_basic"

/**
 * Token cache tuning: refresh policy, background refresh, retries of transient failures, token
 * budget and store. Unset fields keep core's defaults.
 *
 * @example
 * ```ts
 * import type { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 *
 * const cache: CryptofuseAuth.CacheOptions = { policy: { buffer: "120 seconds" } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CacheOptions = Omit<TokenCache.Options<TokenError.TokenError, never>, "acquire" | "refresh" | "name">

/**
 * What {@link make} and {@link layer} take: the client credentials, the account's base URL and choices.
 *
 * @example
 * ```ts
 * import type { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 * import { Redacted } from "effect"
 *
 * const options: CryptofuseAuth.Options = {
 *   clientId: "your_client_id",
 *   clientSecret: Redacted.make("your_client_secret"),
 *   baseUrl: "https://api.example.com",
 *   clientAuthentication: "client_secret_post"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ProviderAuth.CommonOptions {
  /** The OAuth client id of the Cryptofuse account. */
  readonly clientId: string
  /** The client secret, sent with HTTP Basic or in the body (see `clientAuthentication`). */
  readonly clientSecret: Redacted.Redacted<string>
  /** The account's API base URL, e.g. `https://api.example.com` (required: the docs leave it to the account). */
  readonly baseUrl: string
  /** The token endpoint. Default `${baseUrl}/o/token/`. */
  readonly tokenUrl?: string | undefined
  /** How the client credentials are sent. Default {@link defaultClientAuthentication} (HTTP Basic). */
  readonly clientAuthentication?: ClientAuthenticationMethod | undefined
  /** Ask for {@link adminScopes} instead of {@link defaultScopes}. Default `false`. */
  readonly admin?: boolean | undefined
  /** Token cache tuning. */
  readonly cache?: CacheOptions | undefined
}

const trimSlashes = (url: string): string => url.replace(/\/+$/, "")

/**
 * The token endpoint of an account: `${baseUrl}/o/token/`.
 *
 * @example
 * ```ts
 * import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 *
 * assert.strictEqual(CryptofuseAuth.tokenUrlFor("https://api.example.com/"), "https://api.example.com/o/token/")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const tokenUrlFor = (baseUrl: string): string => `${trimSlashes(baseUrl)}${tokenPath}`

/**
 * Builds the provider in the current Scope (its background refresh lives there), over the
 * `HttpClient` in context. Fails with `TokenRequestError` (`InvalidUrl`) if the token URL is not
 * https (or http on loopback).
 *
 * @example
 * ```ts
 * import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 * import { Cryptofuse, InMemory } from "@auth-pipeline/sandbox"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const sandbox = Layer.unwrapEffect(Effect.map(Cryptofuse.make(), InMemory.layer)) // for real: FetchHttpClient.layer
 * const program = Effect.gen(function*() {
 *   const cryptofuse = yield* CryptofuseAuth.make({
 *     clientId: "sandbox-client",
 *     clientSecret: Redacted.make("sandbox-secret"),
 *     baseUrl: `https://${Cryptofuse.hosts[0]}`
 *   })
 *   const token = yield* cryptofuse.token
 *   assert.deepStrictEqual(token.scopes, ["read", "write"])
 * }).pipe(Effect.scoped, Effect.provide(sandbox))
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<ProviderAuth.ProviderAuth, TokenError.TokenRequestError, HttpClient.HttpClient | Scope.Scope> => {
  const method = options.clientAuthentication ?? defaultClientAuthentication
  return ProviderAuth.clientCredentials({
    name: options.name ?? name,
    requestSpans: options.requestSpans,
    endpoint: TokenEndpoint.make({
      url: options.tokenUrl ?? tokenUrlFor(options.baseUrl),
      clientAuthentication: method === "client_secret_post"
        ? ClientAuthentication.clientSecretPost(options.clientId, options.clientSecret)
        : ClientAuthentication.clientSecretBasic(options.clientId, options.clientSecret)
    }),
    request: { scope: options.admin ? adminScopes : defaultScopes },
    baseUrl: options.baseUrl,
    cache: options.cache
  })
}

/**
 * The Cryptofuse provider as a Layer over the `HttpClient` in context.
 *
 * @example
 * ```ts
 * // on Node; in browsers and edge runtimes: FetchHttpClient.layer from "@effect/platform"
 * import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
 * import { Layer, Redacted } from "effect"
 * import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 *
 * const CryptofuseLive = CryptofuseAuth.layer({
 *   clientId: "your_client_id",
 *   clientSecret: Redacted.make("your_client_secret"),
 *   baseUrl: "https://api.example.com",
 *   admin: true
 * }).pipe(Layer.provide(NodeHttpClient.layerUndici))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<CryptofuseAuth, TokenError.TokenRequestError, HttpClient.HttpClient> =>
  Layer.scoped(CryptofuseAuth, make(options))

/** An optional variable restricted to `allowed` (after `normalize`); empty counts as unset. */
const optionalChoice = <A extends string>(
  key: string,
  allowed: ReadonlyArray<A>,
  normalize: (s: string) => string = (s) => s.trim()
): Config.Config<A | undefined> =>
  Config.map(
    Config.option(
      Config.string(key).pipe(
        Config.validate({
          message: `Expected ${allowed.map((a) => `"${a}"`).join(" or ")}`,
          validation: (s) => normalize(s) === "" || (allowed as ReadonlyArray<string>).includes(normalize(s))
        })
      )
    ),
    (value) => Option.isNone(value) || normalize(value.value) === "" ? undefined : normalize(value.value) as A
  )

const scopeConfig: Config.Config<boolean | undefined> = Config.map(
  optionalChoice("CRYPTOFUSE_SCOPE", ["read write", "read write admin"], (s) => s.trim().split(/\s+/).join(" ")),
  (scope) => scope === undefined ? undefined : scope === "read write admin"
)

/**
 * The documented environment variables, read with `Config` for every field `config` leaves
 * unset: `CRYPTOFUSE_CLIENT_ID`, `CRYPTOFUSE_CLIENT_SECRET` (read as `Redacted`),
 * `CRYPTOFUSE_BASE_URL` (required), and the optional `CRYPTOFUSE_SCOPE` (`read write` or
 * `read write admin`) and `CRYPTOFUSE_CLIENT_AUTH` (`client_secret_basic` or
 * `client_secret_post`); an optional variable set to an empty string counts as unset.
 *
 * @example
 * ```ts
 * import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const env = ConfigProvider.fromMap(
 *   new Map([
 *     ["CRYPTOFUSE_CLIENT_ID", "id"],
 *     ["CRYPTOFUSE_CLIENT_SECRET", "secret"],
 *     ["CRYPTOFUSE_BASE_URL", "https://api.example.com"],
 *     ["CRYPTOFUSE_SCOPE", "read write admin"]
 *   ])
 * )
 * const options = Effect.runSync(Effect.withConfigProvider(CryptofuseAuth.fromConfig(), env))
 * assert.strictEqual(options.admin, true)
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const fromConfig = (
  config: Config.Config<Partial<Options>> = Config.succeed({})
): Effect.Effect<Options, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const given = yield* config
    return yield* ProviderConfig.clientCredentials("CRYPTOFUSE", {
      ...given,
      baseUrl: given.baseUrl ?? (yield* Config.nonEmptyString("CRYPTOFUSE_BASE_URL")),
      admin: given.admin ?? (yield* scopeConfig),
      clientAuthentication: given.clientAuthentication ??
        (yield* optionalChoice("CRYPTOFUSE_CLIENT_AUTH", ["client_secret_basic", "client_secret_post"]))
    })
  })

/**
 * The Cryptofuse provider with its options from `config`, and every field `config` leaves unset
 * from the environment variables `CRYPTOFUSE_CLIENT_ID`, `CRYPTOFUSE_CLIENT_SECRET`,
 * `CRYPTOFUSE_BASE_URL`, `CRYPTOFUSE_SCOPE` and `CRYPTOFUSE_CLIENT_AUTH` (see {@link fromConfig}).
 * A missing or invalid variable is a `ConfigError` naming it, never showing a secret.
 *
 * @example
 * ```ts
 * import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
 *
 * const CryptofuseLive = CryptofuseAuth.layerConfig()
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config?: Config.Config<Partial<Options>>
): Layer.Layer<CryptofuseAuth, ConfigError.ConfigError | TokenError.TokenRequestError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(fromConfig(config), layer))
