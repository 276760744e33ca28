/**
 * Centrapay API keys ("Auth": "API Keys"): enduring access to a single Centrapay account, sent in
 * the `X-Api-Key` header of every request. There is nothing to refresh: a 401 surfaces at once as
 * `AuthenticatedClient.Unauthorized`. The key stays `Redacted` end to end.
 *
 * @since 0.1.0
 */
import * as AuthenticatedClient from "@auth-pipeline/core/AuthenticatedClient"
import * as ProviderConfig from "@auth-pipeline/core/ProviderConfig"
import type { HttpClient, HttpClientError } from "@effect/platform"
import * as Client from "@effect/platform/HttpClient"
import type { ConfigError } from "effect"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/**
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
 * @since 0.1.0
 * @category constants
 */
export const apiBaseUrl = "https://service.centrapay.com"

/**
 * The header the key goes in.
 *
 * @since 0.1.0
 * @category constants
 */
export const header = "X-Api-Key"

/**
 * The Centrapay test merchant API key the docs publish "to test creating payment requests".
 *
 * @since 0.1.0
 * @category constants
 */
export const testMerchantApiKey: Redacted.Redacted<string> = Redacted.make("f32c5497297084e5354b47c40d5ccacb109ce483")

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly apiKey: Redacted.Redacted<string>
  /** The API base URL. Default {@link apiBaseUrl}. */
  readonly baseUrl?: string | undefined
}

/**
 * Builds the service over the `HttpClient` in context.
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
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import { CentrapayApiKey } from "@auth-pipeline/centrapay"
 *
 * const CentrapayLive = CentrapayApiKey.layer({ apiKey: CentrapayApiKey.testMerchantApiKey }).pipe(
 *   Layer.provide(FetchHttpClient.layer)
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
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config?: Config.Config<Partial<Options>>
): Layer.Layer<CentrapayApiKey, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(fromConfig(config), layer))
