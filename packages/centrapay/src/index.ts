/**
 * `@auth-pipeline/centrapay`: Centrapay authentication for Effect: API keys in `X-Api-Key`, user access
 * tokens through OpenID Connect (authorization code + PKCE, loopback login, background refresh), the
 * documented ID token claims, and the documented roles and permissions as typed data.
 *
 * @example
 * ```ts
 * import { CentrapayApiKey } from "@auth-pipeline/centrapay"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * const CentrapayLive = CentrapayApiKey.layer({ apiKey: CentrapayApiKey.testMerchantApiKey }).pipe(
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * const memberships = Effect.flatMap(CentrapayApiKey.CentrapayApiKey, ({ client }) =>
 *   client.get("/api/account-memberships")).pipe(Effect.provide(CentrapayLive))
 * ```
 *
 * @since 0.1.0
 */

/**
 * Centrapay with an API key: the `CentrapayApiKey` Tag, `layer`, `layerConfig` and the test merchant key.
 *
 * @example
 * ```ts
 * import { CentrapayApiKey } from "@auth-pipeline/centrapay"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * const CentrapayLive = CentrapayApiKey.layer({ apiKey: CentrapayApiKey.testMerchantApiKey }).pipe(
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * const memberships = Effect.flatMap(CentrapayApiKey.CentrapayApiKey, ({ client }) =>
 *   client.get("/api/account-memberships")).pipe(Effect.provide(CentrapayLive))
 * ```
 *
 * @since 0.1.0
 */
export * as CentrapayApiKey from "./CentrapayApiKey.js"

/**
 * Centrapay user access tokens: an `OidcClient` configured for auth.centrapay.com.
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 *
 * const CentrapayUserLive = CentrapayUser.layer({ clientId: "7mapl0nqonkgl5vfeb3cf86miu" }).pipe(
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
export * as CentrapayUser from "./CentrapayUser.js"

/**
 * The documented claims of a Centrapay ID token, as a Schema.
 *
 * @example
 * ```ts
 * import { Claims } from "@auth-pipeline/centrapay"
 * import { Schema } from "effect"
 *
 * const user = Schema.decodeUnknownSync(Claims.Claims)({ sub: "user-1", email: "ada@example.com" })
 * ```
 *
 * @since 0.1.0
 */
export * as Claims from "./Claims.js"

/**
 * The documented roles, flags and permissions, and `may` to check a request against them.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * assert.ok(Permissions.may("MerchantTerminal", "payment-requests:create", { orgAccount: true }))
 * ```
 *
 * @since 0.1.0
 */
export * as Permissions from "./Permissions.js"
