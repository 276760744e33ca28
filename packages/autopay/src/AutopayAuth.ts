/**
 * Autopay authentication, as the Autopay "Authentication" and "Request an access token" docs
 * describe it:
 *
 * - the OAuth 2.0 client credentials grant at `POST https://api-auth.autopay.io/oauth/token` with
 *   a JSON body (`Content-Type: application/json`) holding `client_id`, `client_secret`,
 *   `grant_type: "client_credentials"` and `audience: "https://api.autopay.io"` (always);
 * - tokens live "usually 10-24 hours" (`expires_in`); they are cached and refreshed in the
 *   background shortly before expiry (core's 60 s buffer);
 * - "generating excessive access tokens ... may lead to termination of API access": a token
 *   budget guard is on by default ({@link defaultBudget}: at most 10 tokens obtained in any 24
 *   hours), failing with a typed `TokenCache.TokenBudgetExceeded` instead of sending more;
 * - an error body `{"error":"access_denied","error_description":"Unauthorized"}` (401) comes out
 *   as a typed `TokenError.OAuthError`;
 * - a 401 from the API discards the token, gets a new one and retries once (then
 *   `AuthenticatedClient.Unauthorized`).
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
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"

/**
 * The Autopay provider in an application's context: the current token, compare-and-invalidate,
 * and an authenticated `HttpClient` whose relative URLs resolve against {@link apiBaseUrl}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { AutopayAuth } from "@auth-pipeline/autopay"
 *
 * const token = Effect.flatMap(AutopayAuth.AutopayAuth, (autopay) => autopay.token)
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class AutopayAuth extends Context.Tag("@auth-pipeline/autopay/AutopayAuth")<
  AutopayAuth,
  ProviderAuth.ProviderAuth
>() {}

/**
 * The provider's name, used for the token cache, spans and metrics.
 *
 * @example
 * ```ts
 * import { AutopayAuth } from "@auth-pipeline/autopay"
 *
 * assert.strictEqual(AutopayAuth.name, "autopay")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const name = "autopay"

/**
 * The documented token endpoint.
 *
 * @example
 * ```ts
 * import { AutopayAuth } from "@auth-pipeline/autopay"
 *
 * assert.strictEqual(AutopayAuth.tokenUrl, "https://api-auth.autopay.io/oauth/token")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const tokenUrl = "https://api-auth.autopay.io/oauth/token"

/**
 * The audience every token request must carry ("must always be `https://api.autopay.io`").
 *
 * @example
 * ```ts
 * import { AutopayAuth } from "@auth-pipeline/autopay"
 *
 * assert.strictEqual(AutopayAuth.audience, "https://api.autopay.io")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const audience = "https://api.autopay.io"

/**
 * The base URL of the Autopay APIs that relative request URLs resolve against.
 *
 * @example
 * ```ts
 * import { AutopayAuth } from "@auth-pipeline/autopay"
 *
 * assert.strictEqual(AutopayAuth.apiBaseUrl, "https://api.autopay.io")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const apiBaseUrl = "https://api.autopay.io"

/**
 * A limit on tokens obtained: at most `maxRequests` in any `window`.
 *
 * @example
 * ```ts
 * import type { AutopayAuth } from "@auth-pipeline/autopay"
 *
 * const budget: AutopayAuth.Budget = { maxRequests: 3, window: "1 hour" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Budget {
  /** How many tokens may be obtained in any `window`; the next request fails with `TokenBudgetExceeded`. */
  readonly maxRequests: number
  /** The sliding window the requests are counted over. */
  readonly window: Duration.DurationInput
}

/**
 * The default token budget: at most 10 tokens obtained in any 24 hours. With 10-24 h tokens a
 * healthy application makes 1 to 3 a day, which leaves room for several 401 recoveries and
 * restarts, while a bug that asks for a token per request is stopped at the 11th with
 * `TokenBudgetExceeded` instead of getting the account's API access terminated. The count is per
 * process (per token cache): share a `TokenStore` across replicas for a fleet-wide cache. Failed
 * requests do not count (they are bounded by the cache's retry policy), so an outage of the token
 * endpoint cannot use the budget up.
 *
 * @example
 * ```ts
 * import { AutopayAuth } from "@auth-pipeline/autopay"
 * import { Redacted } from "effect"
 *
 * // a batch job that restarts often: a larger budget
 * const AutopayLive = AutopayAuth.layer({
 *   clientId: "your-client-id",
 *   clientSecret: Redacted.make("your-client-secret"),
 *   budget: { ...AutopayAuth.defaultBudget, maxRequests: 20 }
 * })
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultBudget: Budget = { maxRequests: 10, window: Duration.hours(24) }

/**
 * Token cache tuning: refresh policy, background refresh, retries of transient failures and
 * store. The budget is set with {@link Options.budget}.
 *
 * @example
 * ```ts
 * import type { AutopayAuth } from "@auth-pipeline/autopay"
 *
 * const cache: AutopayAuth.CacheOptions = { policy: { buffer: "10 minutes" } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CacheOptions = Omit<
  TokenCache.Options<TokenError.TokenError, never>,
  "acquire" | "refresh" | "name" | "budget"
>

/**
 * What {@link make} and {@link layer} take: the client credentials and optional overrides.
 *
 * @example
 * ```ts
 * import type { AutopayAuth } from "@auth-pipeline/autopay"
 * import { Redacted } from "effect"
 *
 * const options: AutopayAuth.Options = {
 *   clientId: "your-client-id",
 *   clientSecret: Redacted.make("your-client-secret"),
 *   budget: false
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ProviderAuth.CommonOptions {
  /** The client id from the Autopay dashboard, sent as the JSON member `client_id`. */
  readonly clientId: string
  /** The client secret, sent as the JSON member `client_secret`. */
  readonly clientSecret: Redacted.Redacted<string>
  /** The token endpoint. Default {@link tokenUrl}. */
  readonly tokenUrl?: string | undefined
  /** The API base URL relative request URLs resolve against. Default {@link apiBaseUrl}. */
  readonly baseUrl?: string | undefined
  /** The token budget guard, or `false` to turn it off. Default {@link defaultBudget}. */
  readonly budget?: Budget | false | undefined
  /** Token cache tuning. */
  readonly cache?: CacheOptions | undefined
}

/**
 * Builds the provider in the current Scope (its background refresh lives there), over the
 * `HttpClient` in context. Fails with `TokenRequestError` (`InvalidUrl`) if the token URL is not
 * https (or http on loopback).
 *
 * @example
 * ```ts
 * import { AutopayAuth } from "@auth-pipeline/autopay"
 * import { Autopay, InMemory } from "@auth-pipeline/sandbox"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const sandbox = Layer.unwrapEffect(Effect.map(Autopay.make(), InMemory.layer)) // for real: FetchHttpClient.layer
 * const program = Effect.gen(function*() {
 *   const autopay = yield* AutopayAuth.make({
 *     clientId: "sandbox-client",
 *     clientSecret: Redacted.make("sandbox-secret")
 *   })
 *   const response = yield* autopay.client.get(Autopay.resourcePath)
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
      // client_secret_post with a JSON body: client_id and client_secret become JSON members.
      clientAuthentication: ClientAuthentication.clientSecretPost(options.clientId, options.clientSecret),
      bodyEncoding: "json"
    }),
    request: { audience },
    baseUrl: options.baseUrl ?? apiBaseUrl,
    cache: { ...options.cache, budget: options.budget === false ? undefined : (options.budget ?? defaultBudget) }
  })

/**
 * The Autopay provider as a Layer over the `HttpClient` in context.
 *
 * @example
 * ```ts
 * // on Node; in browsers and edge runtimes: FetchHttpClient.layer from "@effect/platform"
 * import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
 * import { Layer, Redacted } from "effect"
 * import { AutopayAuth } from "@auth-pipeline/autopay"
 *
 * const AutopayLive = AutopayAuth.layer({
 *   clientId: "kWmliLIrb79QfsF9r3vJE4xrKMcdcrrA",
 *   clientSecret: Redacted.make("your-client-secret")
 * }).pipe(Layer.provide(NodeHttpClient.layerUndici))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<AutopayAuth, TokenError.TokenRequestError, HttpClient.HttpClient> =>
  Layer.scoped(AutopayAuth, make(options))

/**
 * The documented environment variables, read with `Config` for every field `config` leaves
 * unset: `AUTOPAY_CLIENT_ID`, `AUTOPAY_CLIENT_SECRET` (read as `Redacted`), and the optional
 * `AUTOPAY_TOKEN_URL` and `AUTOPAY_BASE_URL` (empty counts as unset).
 *
 * @example
 * ```ts
 * import { AutopayAuth } from "@auth-pipeline/autopay"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const env = ConfigProvider.fromMap(new Map([["AUTOPAY_CLIENT_ID", "id"], ["AUTOPAY_CLIENT_SECRET", "secret"]]))
 * const options = Effect.runSync(Effect.withConfigProvider(AutopayAuth.fromConfig(), env))
 * assert.strictEqual(options.clientId, "id")
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const fromConfig = (
  config: Config.Config<Partial<Options>> = Config.succeed({})
): Effect.Effect<Options, ConfigError.ConfigError> =>
  Effect.flatMap(config, (given) => ProviderConfig.clientCredentials("AUTOPAY", given))

/**
 * The Autopay provider with its options from `config`, and every field `config` leaves unset
 * from the environment variables `AUTOPAY_CLIENT_ID`, `AUTOPAY_CLIENT_SECRET`,
 * `AUTOPAY_TOKEN_URL` and `AUTOPAY_BASE_URL` (see {@link fromConfig}). A missing variable is a
 * `ConfigError` naming it, never showing a secret.
 *
 * @example
 * ```ts
 * import { AutopayAuth } from "@auth-pipeline/autopay"
 *
 * const AutopayLive = AutopayAuth.layerConfig()
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config?: Config.Config<Partial<Options>>
): Layer.Layer<AutopayAuth, ConfigError.ConfigError | TokenError.TokenRequestError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(fromConfig(config), layer))
