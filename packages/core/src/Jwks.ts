/**
 * A provider's signing keys (its JSON Web Key Set, RFC 7517 §5), fetched from `jwks_uri` over
 * `HttpClient`, kept, and fetched again when a token names a key the set does not hold (key
 * rotation), at most once per cooldown.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { JSONWebKeySet } from "jose"
import { cachedSuccess, fetchDocument } from "./internal/fetchDocument.js"
import { DiscoveryError } from "./OidcDiscovery.js"
import { defaultMaxResponseBytes } from "./TokenEndpoint.js"

/**
 * A JWK Set: a `keys` array of JSON objects, each with at least `kty`.
 *
 * @example
 * ```ts
 * import { Jwks } from "@auth-pipeline/core"
 * import { Either, Schema } from "effect"
 *
 * assert.ok(Either.isRight(Schema.decodeUnknownEither(Jwks.JsonWebKeySet)({ keys: [{ kty: "EC", crv: "P-256" }] })))
 * assert.ok(Either.isLeft(Schema.decodeUnknownEither(Jwks.JsonWebKeySet)({ keys: [{}] })))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const JsonWebKeySet = Schema.Struct({
  keys: Schema.Array(
    Schema.Struct({ kty: Schema.NonEmptyString }, Schema.Record({ key: Schema.String, value: Schema.Unknown }))
  )
})

/**
 * A provider's signing keys as {@link IdToken.verify} reads them: the kept set, and a rate-limited
 * refetch for key rotation.
 *
 * @example
 * ```ts
 * import type { Jwks } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const keyIds = (jwks: Jwks.Jwks) => Effect.map(jwks.get, (set) => set.keys.map((key) => key.kid))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Jwks {
  /** The keys as last fetched (fetched on first use). */
  readonly get: Effect.Effect<JSONWebKeySet, DiscoveryError>
  /**
   * Fetches the set again, unless it was fetched (or a fetch failed) within the cooldown: then
   * the kept set is returned, so tokens naming unknown keys cannot make the client hammer the
   * provider.
   */
  readonly refresh: Effect.Effect<JSONWebKeySet, DiscoveryError>
}

/**
 * How long after a fetch an unknown key does not cause another: 30 s.
 *
 * @example
 * ```ts
 * import { Jwks } from "@auth-pipeline/core"
 * import { Duration } from "effect"
 *
 * assert.ok(Duration.equals(Jwks.defaultCooldown, Duration.seconds(30)))
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultCooldown: Duration.Duration = Duration.seconds(30)

/**
 * The key set at `url`, fetched on first use and kept (for `ttl`, default 24 hours), refetched on
 * demand at most once per `cooldown`. A redirect is not followed and at most `maxResponseBytes`
 * (default 1 MiB) of a response are read; either is a `DiscoveryError`.
 *
 * @example
 * ```ts
 * import { Jwks, OidcDiscovery } from "@auth-pipeline/core"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const metadata = yield* OidcDiscovery.discover("https://id.example.com")
 *   const keys = yield* Jwks.remote(metadata.jwks_uri, { cooldown: "1 minute" })
 *   return yield* keys.get
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const remote = (
  url: string,
  options: {
    readonly timeout?: Duration.DurationInput | undefined
    readonly ttl?: Duration.DurationInput | undefined
    readonly cooldown?: Duration.DurationInput | undefined
    readonly maxResponseBytes?: number | undefined
  } = {}
): Effect.Effect<Jwks, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<HttpClient.HttpClient>()
    const cooldown = Duration.toMillis(Duration.decode(options.cooldown ?? defaultCooldown))
    // When the set was last asked for, successfully or not: a provider that is down is not asked
    // again for every token naming an unknown key.
    let fetchedAt = Number.NEGATIVE_INFINITY
    const load = fetchDocument(
      url,
      JsonWebKeySet,
      options.timeout ?? Duration.seconds(30),
      options.maxResponseBytes ?? defaultMaxResponseBytes
    ).pipe(
      Effect.mapError((failure) => new DiscoveryError({ ...failure, document: "jwks" })),
      Effect.map((set) => set as unknown as JSONWebKeySet),
      Effect.onExit(() => Effect.map(Clock.currentTimeMillis, (now) => (fetchedAt = now))),
      Effect.provide(context)
    )
    const cache = yield* cachedSuccess(load, options.ttl ?? Duration.hours(24))
    // One refresh at a time, the cooldown checked inside: concurrent tokens naming an unknown key
    // share one fetch instead of queueing one each.
    const refreshLock = yield* Effect.makeSemaphore(1)
    return {
      get: cache.get,
      refresh: refreshLock.withPermits(1)(
        Effect.flatMap(Clock.currentTimeMillis, (now) => now - fetchedAt < cooldown ? cache.get : cache.reload)
      )
    }
  })

/**
 * A fixed key set (tests, or keys configured out of band).
 *
 * @example
 * ```ts
 * import { Jwks } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const key = { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", kid: "k1" }
 * const keys = Jwks.fromKeys({ keys: [key] })
 * assert.strictEqual(Effect.runSync(keys.get).keys.length, 1)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromKeys = (keys: JSONWebKeySet): Jwks => ({ get: Effect.succeed(keys), refresh: Effect.succeed(keys) })
