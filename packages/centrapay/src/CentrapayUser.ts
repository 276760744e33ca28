/**
 * Centrapay user access tokens ("Auth": "User Access Tokens"): OpenID Connect authorization code
 * flow with PKCE against auth.centrapay.com, as the docs describe it:
 *
 * - discovery from `{issuer}/.well-known/openid-configuration` (default issuer
 *   {@link issuer}); scope `openid`; the optional `u` parameter pre-fills the login form with a
 *   phone number;
 * - three tokens: an ID token (verified with the provider's JWKS; its documented claims decoded
 *   as {@link Claims.Claims}), an access token that expires after 1 hour, and a refresh token that
 *   expires after 60 days or when revoked;
 * - the access token is sent as the docs show, `Authorization: <token>` with no "Bearer"
 *   (configurable);
 * - "silent renew": the token set is refreshed in the background with the refresh_token grant;
 *   a rotated refresh token replaces the old one; a rejected one (`invalid_grant`) clears it and
 *   surfaces `TokenCache.ReauthenticationRequired` ("login required");
 * - the userinfo endpoint is not supported by Centrapay and never called.
 *
 * @since 0.1.0
 */
import * as CredentialScheme from "@auth-pipeline/core/CredentialScheme"
import * as OidcClient from "@auth-pipeline/core/OidcClient"
import type * as ProviderAuth from "@auth-pipeline/core/ProviderAuth"
import * as ProviderConfig from "@auth-pipeline/core/ProviderConfig"
import type * as TokenCache from "@auth-pipeline/core/TokenCache"
import type * as TokenStore from "@auth-pipeline/core/TokenStore"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { apiBaseUrl } from "./CentrapayApiKey.js"
import { Claims } from "./Claims.js"

/**
 * A Centrapay user session in an application's context: login (redirect or loopback), the
 * user's claims, the current token, an authenticated `HttpClient` for the Centrapay API, logout.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 *
 * const program = Effect.gen(function*() {
 *   const centrapay = yield* CentrapayUser.CentrapayUser
 *   const session = yield* centrapay.loginLoopback()
 *   console.log(`signed in as ${session.claims.sub}`)
 *   return yield* centrapay.client.get("/api/account-memberships")
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class CentrapayUser extends Context.Tag("@auth-pipeline/centrapay/CentrapayUser")<
  CentrapayUser,
  OidcClient.OidcClient<Claims>
>() {}

/**
 * The provider's name for the token cache, spans and metrics.
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 *
 * assert.strictEqual(CentrapayUser.name, "centrapay-user")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const name = "centrapay-user"

/**
 * The Centrapay authorization server.
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 * import { OidcDiscovery } from "@auth-pipeline/core"
 *
 * const discovery = OidcDiscovery.configurationUrl(CentrapayUser.issuer)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const issuer = "https://auth.centrapay.com"

/**
 * The documented access token lifetime (1 hour); the default when a response omits `expires_in`.
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 * import { Duration } from "effect"
 *
 * assert.strictEqual(Duration.toMinutes(CentrapayUser.accessTokenLifetime), 60)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const accessTokenLifetime: Duration.Duration = Duration.hours(1)

/**
 * The documented refresh token lifetime: 60 days, unless revoked. After it the user must log in
 * again (the refresh fails with `ReauthenticationRequired`).
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 * import { Duration } from "effect"
 *
 * // a stored session older than this needs a new login
 * const loginRequiredAfter = (signedInAt: number) => signedInAt + Duration.toMillis(CentrapayUser.refreshTokenLifetime)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const refreshTokenLifetime: Duration.Duration = Duration.days(60)

/**
 * How the access token is sent by default: `Authorization: <token>` (the docs' example call).
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 * import { CredentialScheme } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * assert.strictEqual(CredentialScheme.headerValue(CentrapayUser.defaultScheme, Redacted.make("at-1")), "at-1")
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultScheme: CredentialScheme.CredentialScheme = CredentialScheme.raw

/**
 * The query parameter that pre-fills the Centrapay login form with a phone number
 * (`extraQueryParams: { u: userPhoneNumber }` in the docs' example).
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 *
 * assert.strictEqual(CentrapayUser.phonePrefillParam, "u") // set it with the `phoneNumber` option
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const phonePrefillParam = "u"

/**
 * Token cache tuning (refresh policy, background refresh, retries, store).
 *
 * @example
 * ```ts
 * import type { CentrapayUser } from "@auth-pipeline/centrapay"
 *
 * const cache: CentrapayUser.CacheOptions = { policy: { buffer: "5 minutes" } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CacheOptions = Omit<
  TokenCache.Options<OidcClient.RefreshError, never>,
  "acquire" | "refresh" | "name" | "isTransient" | "store"
>

/**
 * What {@link make} and {@link layer} take: the client id and optional overrides.
 *
 * @example
 * ```ts
 * import type { CentrapayUser } from "@auth-pipeline/centrapay"
 * import { CredentialScheme } from "@auth-pipeline/core"
 *
 * const options: CentrapayUser.Options = {
 *   clientId: "7mapl0nqonkgl5vfeb3cf86miu",
 *   redirectUri: "com.example.yourapp://oidc-callback",
 *   scheme: CredentialScheme.bearer
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ProviderAuth.CommonOptions {
  /** The OAuth client id Centrapay support issued for the application. */
  readonly clientId: string
  /** The default redirect URI (a web URL or an app scheme such as `com.example.yourapp://oidc-callback`). */
  readonly redirectUri?: string | undefined
  /** The authorization server. Default {@link issuer}. */
  readonly issuer?: string | undefined
  /** The API base URL. Default `https://service.centrapay.com`. */
  readonly baseUrl?: string | undefined
  /** How the access token is sent. Default {@link defaultScheme} (raw). */
  readonly scheme?: CredentialScheme.CredentialScheme | undefined
  /** Pre-fills the login form with this phone number (`u`). */
  readonly phoneNumber?: string | undefined
  /** The default `post_logout_redirect_uri`. */
  readonly postLogoutRedirectUri?: string | undefined
  /** The logout endpoint, when discovery does not name one. */
  readonly endSessionEndpoint?: string | undefined
  /** Where the token set lives; e.g. `FileTokenStore` for a CLI. Default: memory. */
  readonly store?: TokenStore.TokenStore | undefined
  /** Token cache tuning. */
  readonly cache?: CacheOptions | undefined
}

/**
 * The `OidcClient` options of a Centrapay client: the issuer, scope `openid`, the documented
 * claims, the `u` phone prefill, the API base URL, the raw `Authorization` scheme and the 1-hour
 * default lifetime. For building the client elsewhere, e.g. `BrowserOidc.make` of
 * `@auth-pipeline/platform-browser` in a web app.
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 * import { BrowserOidc } from "@auth-pipeline/platform-browser"
 *
 * const client = CentrapayUser.oidcOptions({
 *   clientId: "7mapl0nqonkgl5vfeb3cf86miu",
 *   redirectUri: "https://shop.example.com/oidc-callback",
 *   postLogoutRedirectUri: "https://shop.example.com/oidc-logout",
 *   phoneNumber: "+6421234567890"
 * })
 * assert.strictEqual(client.issuer, CentrapayUser.issuer)
 * assert.deepStrictEqual(client.extraParams, { u: "+6421234567890" })
 * // a web app's client, built in the page over `BrowserOidc.layerBrowser`
 * const centrapay = BrowserOidc.make({ client })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const oidcOptions = (options: Options): OidcClient.Options<Claims, typeof Claims.Encoded> => ({
  name: options.name ?? name,
  requestSpans: options.requestSpans,
  issuer: options.issuer ?? issuer,
  clientId: options.clientId,
  redirectUri: options.redirectUri,
  extraParams: options.phoneNumber === undefined ? undefined : { [phonePrefillParam]: options.phoneNumber },
  claims: Claims,
  baseUrl: options.baseUrl ?? apiBaseUrl,
  scheme: options.scheme ?? defaultScheme,
  postLogoutRedirectUri: options.postLogoutRedirectUri,
  endSessionEndpoint: options.endSessionEndpoint,
  cache: {
    ...options.cache,
    store: options.store,
    policy: {
      ...options.cache?.policy,
      defaultLifetime: options.cache?.policy?.defaultLifetime ?? accessTokenLifetime
    }
  }
})

/**
 * Builds the client in the current Scope (its background refresh lives there), over the
 * `HttpClient` in context. Nothing is fetched until first needed.
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 * import { FileTokenStore } from "@auth-pipeline/core"
 * import { NodeLoopbackRedirect } from "@auth-pipeline/platform-node"
 * import { FetchHttpClient } from "@effect/platform"
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { Effect } from "effect"
 *
 * // a CLI: log in once through the browser, keep the session in a file
 * const program = Effect.gen(function*() {
 *   const store = yield* FileTokenStore.make({ path: ".centrapay-session.json" })
 *   const centrapay = yield* CentrapayUser.make({ clientId: "7mapl0nqonkgl5vfeb3cf86miu", store })
 *   const session = yield* centrapay.loginLoopback()
 *   return session.claims.sub
 * }).pipe(Effect.scoped, Effect.provide([FetchHttpClient.layer, NodeFileSystem.layer, NodeLoopbackRedirect.layer]))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<OidcClient.OidcClient<Claims>, never, HttpClient.HttpClient | Scope.Scope> =>
  OidcClient.make(oidcOptions(options))

/**
 * The client as a Layer over the `HttpClient` in context.
 *
 * @example
 * ```ts
 * // on Node; in browsers and edge runtimes: FetchHttpClient.layer from "@effect/platform"
 * import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
 * import { Layer } from "effect"
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 *
 * const CentrapayUserLive = CentrapayUser.layer({ clientId: "7mapl0nqonkgl5vfeb3cf86miu" }).pipe(
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<CentrapayUser, never, HttpClient.HttpClient> =>
  Layer.scoped(CentrapayUser, make(options))

/**
 * Options from `config`, with every field it leaves unset from the environment:
 * `CENTRAPAY_CLIENT_ID`, and the optional `CENTRAPAY_ISSUER`, `CENTRAPAY_REDIRECT_URI` and
 * `CENTRAPAY_BASE_URL` (empty counts as unset).
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const env = ConfigProvider.fromMap(new Map([["CENTRAPAY_CLIENT_ID", "7mapl0nqonkgl5vfeb3cf86miu"]]))
 * const options = Effect.runSync(Effect.withConfigProvider(CentrapayUser.fromConfig(), env))
 * assert.strictEqual(options.clientId, "7mapl0nqonkgl5vfeb3cf86miu")
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
      ...given,
      clientId: given.clientId ?? (yield* Config.nonEmptyString("CENTRAPAY_CLIENT_ID")),
      issuer: given.issuer ?? (yield* ProviderConfig.optionalString("CENTRAPAY_ISSUER")),
      redirectUri: given.redirectUri ?? (yield* ProviderConfig.optionalString("CENTRAPAY_REDIRECT_URI")),
      baseUrl: given.baseUrl ?? (yield* ProviderConfig.optionalString("CENTRAPAY_BASE_URL"))
    }
  })

/**
 * The client with its options from the environment (see {@link fromConfig}).
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 *
 * // the client id from CENTRAPAY_CLIENT_ID
 * const CentrapayUserLive = CentrapayUser.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config?: Config.Config<Partial<Options>>
): Layer.Layer<CentrapayUser, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(fromConfig(config), layer))
