/**
 * OpenID Connect Discovery 1.0: the provider's metadata from
 * `{issuer}/.well-known/openid-configuration`, validated with a Schema, checked to name the same
 * issuer (§4.3), and cached. Endpoint URLs must be https (or http on a loopback host).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { cachedSuccess, type DocumentFailure, fetchDocument } from "./internal/fetchDocument.js"
import { defaultMaxResponseBytes, validateUrl } from "./TokenEndpoint.js"

const SecureUrl = Schema.String.pipe(
  Schema.filter((s) => validateUrl(s)._tag === "Right", {
    message: () => "must be an https URL (or http on a loopback host)"
  })
)

const Strings = Schema.Array(Schema.String)

/**
 * The provider metadata members this library uses (OpenID Connect Discovery 1.0 §3, RFC 8414,
 * RFC 9207), with their wire names; other members are kept.
 *
 * @example
 * ```ts
 * import { OidcDiscovery } from "@auth-pipeline/core"
 * import { Schema } from "effect"
 *
 * const metadata = Schema.decodeUnknownSync(OidcDiscovery.ProviderMetadata)({
 *   issuer: "https://id.example.com",
 *   authorization_endpoint: "https://id.example.com/auth",
 *   token_endpoint: "https://id.example.com/token",
 *   jwks_uri: "https://id.example.com/jwks",
 *   response_types_supported: ["code"]
 * })
 * assert.strictEqual(metadata.token_endpoint, "https://id.example.com/token")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ProviderMetadata = Schema.Struct(
  {
    issuer: Schema.NonEmptyString,
    authorization_endpoint: SecureUrl,
    token_endpoint: SecureUrl,
    jwks_uri: SecureUrl,
    end_session_endpoint: Schema.optional(SecureUrl),
    userinfo_endpoint: Schema.optional(Schema.String),
    revocation_endpoint: Schema.optional(SecureUrl),
    response_types_supported: Strings,
    scopes_supported: Schema.optional(Strings),
    grant_types_supported: Schema.optional(Strings),
    id_token_signing_alg_values_supported: Schema.optional(Strings),
    code_challenge_methods_supported: Schema.optional(Strings),
    token_endpoint_auth_methods_supported: Schema.optional(Strings),
    claims_supported: Schema.optional(Strings),
    authorization_response_iss_parameter_supported: Schema.optional(Schema.Boolean)
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * Decoded provider metadata: the modelled members with their wire names, the rest as `unknown`.
 *
 * @example
 * ```ts
 * import type { OidcDiscovery } from "@auth-pipeline/core"
 *
 * const supportsPkce = (metadata: OidcDiscovery.ProviderMetadata): boolean =>
 *   metadata.code_challenge_methods_supported?.includes("S256") ?? false
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ProviderMetadata = typeof ProviderMetadata.Type

/**
 * A provider's published document (its discovery document or its JWKS) could not be used: the
 * URL is not allowed (`InvalidUrl`), no answer (`Transport`, `Timeout`), a redirect, which is
 * never followed (`Redirect`), a body over the size cap (`TooLarge`), a non-2xx status
 * (`Status`), not JSON (`NotJson`), not a valid document (`InvalidDocument`), or a discovery
 * document naming another issuer (`IssuerMismatch`).
 *
 * @example
 * ```ts
 * import { OidcDiscovery } from "@auth-pipeline/core"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const metadata = OidcDiscovery.discover("https://id.example.com").pipe(
 *   Effect.catchTag("DiscoveryError", (error) =>
 *     error.reason === "IssuerMismatch" ? Effect.dieMessage(error.message) : Effect.fail(error)),
 *   Effect.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class DiscoveryError extends Data.TaggedError("DiscoveryError")<{
  /** `InvalidUrl`, `Transport`, `Timeout`, `Status`, `NotJson`, `InvalidDocument` or `IssuerMismatch`. */
  readonly reason: DocumentFailure["reason"] | "IssuerMismatch"
  /** Which document. */
  readonly document: "configuration" | "jwks"
  /** The URL of the document. */
  readonly url: string
  /** The HTTP status, when there was a response. */
  readonly status?: number | undefined
  /** What was wrong, in words (for an invalid document, the offending members). */
  readonly detail: string
}> {
  /**
   * `OpenID discovery document <url> is unusable (<reason>): <detail>` (or `OpenID JWKS ...`).
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `OpenID ${
      this.document === "jwks" ? "JWKS" : "discovery document"
    } ${this.url} is unusable (${this.reason}): ${this.detail}`
  }
}

/**
 * Whether trying again later can succeed: no answer, a timeout, a 5xx or 429.
 *
 * @example
 * ```ts
 * import { OidcDiscovery } from "@auth-pipeline/core"
 *
 * const error = new OidcDiscovery.DiscoveryError({
 *   reason: "Status",
 *   document: "configuration",
 *   url: "https://id.example.com/.well-known/openid-configuration",
 *   status: 503,
 *   detail: "HTTP 503"
 * })
 * assert.ok(OidcDiscovery.isTransient(error))
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: DiscoveryError): boolean =>
  error.reason === "Transport" || error.reason === "Timeout" ||
  (error.reason === "Status" && error.status !== undefined && (error.status >= 500 || error.status === 429))

/**
 * Where the discovery document of `issuer` lives: the issuer without its trailing slash followed
 * by `/.well-known/openid-configuration` (Discovery §4).
 *
 * @example
 * ```ts
 * import { OidcDiscovery } from "@auth-pipeline/core"
 *
 * assert.strictEqual(
 *   OidcDiscovery.configurationUrl("https://id.example.com/realms/shop/"),
 *   "https://id.example.com/realms/shop/.well-known/openid-configuration"
 * )
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const configurationUrl = (issuer: string): string =>
  `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`

/**
 * How long a discovery document is kept by {@link cached}: 1 hour.
 *
 * @example
 * ```ts
 * import { OidcDiscovery } from "@auth-pipeline/core"
 * import { Duration } from "effect"
 *
 * assert.ok(Duration.equals(OidcDiscovery.defaultTtl, Duration.hours(1)))
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultTtl: Duration.Duration = Duration.hours(1)

/**
 * Options of {@link discover} and {@link cached}.
 *
 * @example
 * ```ts
 * import type { OidcDiscovery } from "@auth-pipeline/core"
 *
 * const options: OidcDiscovery.FetchOptions = { timeout: "5 seconds", maxResponseBytes: 64 * 1024 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FetchOptions {
  /** How long the request may take, body included. Default 30 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** The largest body read, in bytes (`TooLarge` beyond). Default 1 MiB (`TokenEndpoint.defaultMaxResponseBytes`). */
  readonly maxResponseBytes?: number | undefined
}

/**
 * Fetches and validates the discovery document of `issuer`. The document's `issuer` must equal
 * `issuer` exactly (Discovery §4.3), so a document cannot redirect tokens to another issuer. A
 * redirect is not followed and the body is read up to `maxResponseBytes`.
 *
 * @example
 * ```ts
 * import { OidcDiscovery } from "@auth-pipeline/core"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const program = OidcDiscovery.discover("https://id.example.com", { timeout: "10 seconds" }).pipe(
 *   Effect.map((metadata) => metadata.token_endpoint),
 *   Effect.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const discover = (
  issuer: string,
  options: FetchOptions = {}
): Effect.Effect<ProviderMetadata, DiscoveryError, HttpClient.HttpClient> => {
  const url = configurationUrl(issuer)
  return fetchDocument(
    url,
    ProviderMetadata,
    options.timeout ?? Duration.seconds(30),
    options.maxResponseBytes ?? defaultMaxResponseBytes
  ).pipe(
    Effect.mapError((failure) => new DiscoveryError({ ...failure, document: "configuration" })),
    Effect.filterOrFail(
      (metadata) => metadata.issuer === issuer,
      (metadata) =>
        new DiscoveryError({
          reason: "IssuerMismatch",
          document: "configuration",
          url,
          detail: `the document names issuer ${JSON.stringify(metadata.issuer)}, expected ${JSON.stringify(issuer)}`
        })
    )
  )
}

/**
 * {@link discover} fetched on first use and kept for `ttl` (default {@link defaultTtl}); a failure
 * is not kept, so the next use tries again. Concurrent first uses share one request.
 *
 * @example
 * ```ts
 * import { OidcDiscovery } from "@auth-pipeline/core"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const metadata = yield* OidcDiscovery.cached("https://id.example.com", { ttl: "6 hours" })
 *   const first = yield* metadata // fetched
 *   const again = yield* metadata // kept
 *   return first === again
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const cached = (
  issuer: string,
  options: FetchOptions & {
    readonly ttl?: Duration.DurationInput | undefined
  } = {}
): Effect.Effect<Effect.Effect<ProviderMetadata, DiscoveryError>, never, HttpClient.HttpClient> =>
  Effect.flatMap(Effect.context<HttpClient.HttpClient>(), (context) =>
    Effect.map(
      cachedSuccess(Effect.provide(discover(issuer, options), context), options.ttl ?? defaultTtl),
      (cache) => cache.get
    ))
