/**
 * Centrapay API keys ("Auth": "API Keys"): enduring access to a single Centrapay account, sent in
 * the `X-Api-Key` header of every request. There is nothing to refresh: a 401 surfaces at once as
 * `AuthenticatedClient.Unauthorized`. The key stays `Redacted` end to end.
 *
 * @since 0.1.0
 */
import * as AuthenticatedClient from "@auth-pipeline/core/AuthenticatedClient"
import * as ProviderConfig from "@auth-pipeline/core/ProviderConfig"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Client from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/**
 * What the {@link CentrapayApiKey} Tag provides: an `HttpClient` that sends the API key.
 *
 * @example
 * ```ts
 * import type { CentrapayApiKey } from "@auth-pipeline/centrapay"
 * import { Effect } from "effect"
 *
 * const memberships = (centrapay: CentrapayApiKey.Service) =>
 *   Effect.flatMap(centrapay.client.get("/api/account-memberships"), (response) => response.json)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * An `HttpClient` whose requests carry the key; relative URLs resolve against the API base URL.
   * Only the base URL's origin gets the key: any other fails with `DisallowedUrl`.
   */
  readonly client: HttpClient.HttpClient.With<
    HttpClientError.HttpClientError | AuthenticatedClient.Unauthorized | AuthenticatedClient.DisallowedUrl
  >
}

/**
 * Centrapay, authenticated with an API key, in an application's context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CentrapayApiKey } from "@auth-pipeline/centrapay"
 *
 * const memberships = Effect.flatMap(CentrapayApiKey.CentrapayApiKey, ({ client }) =>
 *   client.get("/api/account-memberships"))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class CentrapayApiKey extends Context.Tag("@auth-pipeline/centrapay/CentrapayApiKey")<
  CentrapayApiKey,
  Service
>() {}

/**
 * The Centrapay API, `https://service.centrapay.com`.
 *
 * @example
 * ```ts
 * import { CentrapayApiKey } from "@auth-pipeline/centrapay"
 *
 * assert.strictEqual(CentrapayApiKey.apiBaseUrl, "https://service.centrapay.com")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const apiBaseUrl = "https://service.centrapay.com"

/**
 * The header the key goes in.
 *
 * @example
 * ```ts
 * import { CentrapayApiKey } from "@auth-pipeline/centrapay"
 *
 * assert.strictEqual(CentrapayApiKey.header, "X-Api-Key")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const header = "X-Api-Key"

/**
 * The Centrapay test merchant API key the docs publish "to test creating payment requests".
 *
 * @example
 * ```ts
 * import { CentrapayApiKey } from "@auth-pipeline/centrapay"
 *
 * const TestMerchant = CentrapayApiKey.layer({ apiKey: CentrapayApiKey.testMerchantApiKey })
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const testMerchantApiKey: Redacted.Redacted<string> = Redacted.make("f32c5497297084e5354b47c40d5ccacb109ce483")

/**
 * What {@link make} and {@link layer} take: the key and, optionally, another API base URL.
 *
 * @example
 * ```ts
 * import type { CentrapayApiKey } from "@auth-pipeline/centrapay"
 * import { Redacted } from "effect"
 *
 * const options: CentrapayApiKey.Options = { apiKey: Redacted.make("your-api-key") }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The API key, sent as `X-Api-Key` on every request. */
  readonly apiKey: Redacted.Redacted<string>
  /** The API base URL. Default {@link apiBaseUrl}. */
  readonly baseUrl?: string | undefined
}

/**
 * Builds the service over the `HttpClient` in context.
 *
 * @example
 * ```ts
 * import { CentrapayApiKey } from "@auth-pipeline/centrapay"
 * import { Centrapay, InMemory } from "@auth-pipeline/sandbox"
 * import { Effect, Layer } from "effect"
 *
 * const sandbox = Layer.unwrapEffect(Effect.map(Centrapay.make(), InMemory.layer)) // for real: FetchHttpClient.layer
 * const program = Effect.gen(function*() {
 *   const centrapay = yield* CentrapayApiKey.make({ apiKey: CentrapayApiKey.testMerchantApiKey })
 *   const response = yield* centrapay.client.get("/api/account-memberships")
 *   assert.strictEqual(response.status, 200)
 * }).pipe(Effect.provide(sandbox))
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.map(Client.HttpClient, (base) => ({
    client: AuthenticatedClient.apiKey(base, { key: options.apiKey, header, baseUrl: options.baseUrl ?? apiBaseUrl })
  }))

/**
 * The service as a Layer.
 *
 * @example
 * ```ts
 * // on Node; in browsers and edge runtimes: FetchHttpClient.layer from "@effect/platform"
 * import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
 * import { Layer } from "effect"
 * import { CentrapayApiKey } from "@auth-pipeline/centrapay"
 *
 * const CentrapayLive = CentrapayApiKey.layer({ apiKey: CentrapayApiKey.testMerchantApiKey }).pipe(
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<CentrapayApiKey, never, HttpClient.HttpClient> =>
  Layer.effect(CentrapayApiKey, make(options))

/**
 * Options from `config`, with every field it leaves unset from the environment:
 * `CENTRAPAY_API_KEY` (read as `Redacted`) and the optional `CENTRAPAY_BASE_URL`.
 *
 * @example
 * ```ts
 * import { CentrapayApiKey } from "@auth-pipeline/centrapay"
 * import { ConfigProvider, Effect, Redacted } from "effect"
 *
 * const env = ConfigProvider.fromMap(new Map([["CENTRAPAY_API_KEY", "your-api-key"]]))
 * const options = Effect.runSync(Effect.withConfigProvider(CentrapayApiKey.fromConfig(), env))
 * assert.strictEqual(Redacted.value(options.apiKey), "your-api-key")
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
    return {
      apiKey: given.apiKey ?? (yield* Config.redacted(Config.nonEmptyString("CENTRAPAY_API_KEY"))),
      baseUrl: given.baseUrl ?? (yield* ProviderConfig.optionalString("CENTRAPAY_BASE_URL"))
    }
  })

/**
 * The service with its options from the environment (see {@link fromConfig}).
 *
 * @example
 * ```ts
 * import { CentrapayApiKey } from "@auth-pipeline/centrapay"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 *
 * // the key from CENTRAPAY_API_KEY
 * const CentrapayLive = CentrapayApiKey.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config?: Config.Config<Partial<Options>>
): Layer.Layer<CentrapayApiKey, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(fromConfig(config), layer))
