/**
 * Paysera Checkout authentication, as the Paysera Checkout "Authentication" guide describes it:
 *
 * - the OAuth 2.0 client credentials grant against Paysera's Keycloak token endpoint, as a form
 *   post with `client_id` and `client_secret` in the body (`client_secret_post`, as every example
 *   in the docs does);
 * - tokens live 3600 s and come without a refresh token; they are cached and refreshed 300 s
 *   before expiry (the documented buffer), so one token serves about 55 minutes;
 * - on a 401 or an `invalid_token` error the cached token is discarded, a fresh one obtained and
 *   the call retried once; a second rejection surfaces as `AuthenticatedClient.Unauthorized`;
 * - the integration API allows 50 requests a minute and says so in `X-RateLimit-*` headers: a 429
 *   waits for the window to reset (at most 60 s) and is re-sent once, then surfaces as a typed
 *   `RateLimit.RateLimited`.
 *
 * Tokens, secrets and bodies are never logged: they stay `Redacted` end to end.
 *
 * @since 0.1.0
 */
import * as ClientAuthentication from "@auth-pipeline/core/ClientAuthentication"
import * as ProviderAuth from "@auth-pipeline/core/ProviderAuth"
import * as ProviderConfig from "@auth-pipeline/core/ProviderConfig"
import type * as RateLimit from "@auth-pipeline/core/RateLimit"
import type * as TokenCache from "@auth-pipeline/core/TokenCache"
import * as TokenEndpoint from "@auth-pipeline/core/TokenEndpoint"
import type * as TokenError from "@auth-pipeline/core/TokenError"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"

/**
 * The Paysera provider in an application's context: the current token, compare-and-invalidate,
 * and an authenticated `HttpClient` whose relative URLs resolve against {@link apiBaseUrl}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 *
 * const methods = Effect.flatMap(PayseraAuth.PayseraAuth, (paysera) =>
 *   paysera.client.get("/checkout-project/integration/v1/methods"))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class PayseraAuth extends Context.Tag("@auth-pipeline/paysera/PayseraAuth")<
  PayseraAuth,
  ProviderAuth.ProviderAuth
>() {}

/**
 * The provider's name, used for the token cache, spans and metrics.
 *
 * @example
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 * import { Effect } from "effect"
 *
 * const cacheName = Effect.map(PayseraAuth.PayseraAuth, (paysera) => paysera.name) // "paysera"
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const name = "paysera"

/**
 * The documented token endpoint (Keycloak realm `Paysera`).
 *
 * @example
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 *
 * assert.ok(PayseraAuth.tokenUrl.endsWith("/auth/realms/Paysera/protocol/openid-connect/token"))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const tokenUrl = "https://api.paysera.com/auth/realms/Paysera/protocol/openid-connect/token"

/**
 * The base URL of the Checkout integration API that relative request URLs resolve against.
 *
 * @example
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 *
 * assert.strictEqual(PayseraAuth.apiBaseUrl, "https://api.paysera.com")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const apiBaseUrl = "https://api.paysera.com"

/**
 * The documented refresh buffer: a token stops being served 300 s before it expires, so a
 * 3600 s token is reused for about 55 minutes.
 *
 * @example
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 * import { Duration } from "effect"
 *
 * assert.strictEqual(Duration.toSeconds(PayseraAuth.defaultRefreshBuffer), 300)
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultRefreshBuffer: Duration.Duration = Duration.seconds(300)

/**
 * What a 429 from the integration API does by default: wait for the window to reset
 * (`Retry-After`, else `X-RateLimit-Reset`) and re-send once. The window is one minute, so the
 * wait is bounded by 60 s; a longer announced reset, or a second 429, fails with
 * `RateLimit.RateLimited`.
 *
 * @example
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 * import { Redacted } from "effect"
 *
 * // wait at most 10 s instead of 60 s before the one re-send
 * const PayseraLive = PayseraAuth.layer({
 *   clientId: "your-client-id",
 *   clientSecret: Redacted.make("your-client-secret"),
 *   rateLimit: { ...PayseraAuth.defaultRateLimit, maxWait: "10 seconds" }
 * })
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultRateLimit: RateLimit.Options = { retryOnce: true, maxWait: "60 seconds" }

/**
 * Token cache tuning: refresh policy, background refresh, retries of transient failures, token
 * budget and store. Unset fields keep the Paysera defaults ({@link defaultRefreshBuffer}) and
 * otherwise core's.
 *
 * @example
 * ```ts
 * import type { PayseraAuth } from "@auth-pipeline/paysera"
 *
 * const cache: PayseraAuth.CacheOptions = { backgroundRefresh: false, retry: { maxRetries: 1 } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CacheOptions = Omit<TokenCache.Options<TokenError.TokenError, never>, "acquire" | "refresh" | "name">

/**
 * What {@link make} and {@link layer} take: the client credentials and optional overrides.
 *
 * @example
 * ```ts
 * import type { PayseraAuth } from "@auth-pipeline/paysera"
 * import { Redacted } from "effect"
 *
 * const options: PayseraAuth.Options = {
 *   clientId: "your-client-id",
 *   clientSecret: Redacted.make("your-client-secret"),
 *   rateLimit: false
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ProviderAuth.CommonOptions {
  /** The client id Paysera issued for the project. */
  readonly clientId: string
  /** The client secret, sent in the form body (`client_secret_post`). */
  readonly clientSecret: Redacted.Redacted<string>
  /** The token endpoint. Default {@link tokenUrl}. */
  readonly tokenUrl?: string | undefined
  /** The API base URL relative request URLs resolve against. Default {@link apiBaseUrl}. */
  readonly baseUrl?: string | undefined
  /**
   * What a 429 does: the given options (unset fields from {@link defaultRateLimit}), or `false` to
   * pass 429 responses through untouched. Default {@link defaultRateLimit}.
   */
  readonly rateLimit?: RateLimit.Options | false | undefined
  /** Token cache tuning; `policy.buffer` defaults to {@link defaultRefreshBuffer}. */
  readonly cache?: CacheOptions | undefined
}

const rateLimitOptions = (option: Options["rateLimit"]): RateLimit.Options | undefined =>
  option === false ? undefined : {
    retryOnce: option?.retryOnce ?? defaultRateLimit.retryOnce,
    maxWait: option?.maxWait ?? defaultRateLimit.maxWait
  }

/**
 * Builds the provider in the current Scope (its background refresh lives there), over the
 * `HttpClient` in context. Fails with `TokenRequestError` (`InvalidUrl`) if the token URL is not
 * https (or http on loopback).
 *
 * @example
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 * import { InMemory, Paysera } from "@auth-pipeline/sandbox"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const sandbox = Layer.unwrapEffect(Effect.map(Paysera.make(), InMemory.layer)) // for real: FetchHttpClient.layer
 * const program = Effect.gen(function*() {
 *   const paysera = yield* PayseraAuth.make({
 *     clientId: "sandbox-client",
 *     clientSecret: Redacted.make("sandbox-secret")
 *   })
 *   const response = yield* paysera.client.get("/checkout-project/integration/v1/methods")
 *   assert.strictEqual(response.status, 200)
 * }).pipe(Effect.scoped, Effect.provide(sandbox))
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<ProviderAuth.ProviderAuth, TokenError.TokenRequestError, HttpClient.HttpClient | Scope.Scope> =>
  ProviderAuth.clientCredentials({
    name: options.name ?? name,
    requestSpans: options.requestSpans,
    endpoint: TokenEndpoint.make({
      url: options.tokenUrl ?? tokenUrl,
      clientAuthentication: ClientAuthentication.clientSecretPost(options.clientId, options.clientSecret)
    }),
    baseUrl: options.baseUrl ?? apiBaseUrl,
    // "On 401 or invalid_token responses, discard the cached token, re-authenticate, and retry once."
    invalidTokenInBody: true,
    rateLimit: rateLimitOptions(options.rateLimit),
    cache: {
      ...options.cache,
      policy: { ...options.cache?.policy, buffer: options.cache?.policy?.buffer ?? defaultRefreshBuffer }
    }
  })

/**
 * The Paysera provider as a Layer over the `HttpClient` in context.
 *
 * @example
 * ```ts
 * // on Node; in browsers and edge runtimes: FetchHttpClient.layer from "@effect/platform"
 * import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
 * import { Layer, Redacted } from "effect"
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 *
 * const PayseraLive = PayseraAuth.layer({
 *   clientId: "your-client-id",
 *   clientSecret: Redacted.make("your-client-secret")
 * }).pipe(Layer.provide(NodeHttpClient.layerUndici))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<PayseraAuth, TokenError.TokenRequestError, HttpClient.HttpClient> =>
  Layer.scoped(PayseraAuth, make(options))

/**
 * The documented environment variables, read with `Config` for every field `config` leaves
 * unset: `PAYSERA_CLIENT_ID`, `PAYSERA_CLIENT_SECRET` (read as `Redacted`), and the optional
 * `PAYSERA_TOKEN_URL` and `PAYSERA_BASE_URL` (empty counts as unset).
 *
 * @example
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const env = ConfigProvider.fromMap(new Map([["PAYSERA_CLIENT_ID", "id"], ["PAYSERA_CLIENT_SECRET", "secret"]]))
 * const options = Effect.runSync(Effect.withConfigProvider(PayseraAuth.fromConfig(), env))
 * assert.strictEqual(options.clientId, "id")
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const fromConfig = (
  config: Config.Config<Partial<Options>> = Config.succeed({})
): Effect.Effect<Options, ConfigError.ConfigError> =>
  Effect.flatMap(config, (given) => ProviderConfig.clientCredentials("PAYSERA", given))

/**
 * The Paysera provider with its options from `config`, and every field `config` leaves unset
 * from the environment variables `PAYSERA_CLIENT_ID`, `PAYSERA_CLIENT_SECRET`, `PAYSERA_TOKEN_URL`
 * and `PAYSERA_BASE_URL` (see {@link fromConfig}). A missing variable is a `ConfigError` naming
 * it, never showing a secret.
 *
 * @example
 * ```ts
 * import { Config } from "effect"
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 *
 * // credentials from PAYSERA_CLIENT_ID / PAYSERA_CLIENT_SECRET
 * const PayseraLive = PayseraAuth.layerConfig()
 * // the same, without the rate-limit retry
 * const PayseraNoWait = PayseraAuth.layerConfig(Config.succeed({ rateLimit: { retryOnce: false } }))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config?: Config.Config<Partial<Options>>
): Layer.Layer<PayseraAuth, ConfigError.ConfigError | TokenError.TokenRequestError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(fromConfig(config), layer))
