/**
 * `HttpClient` middleware that puts a credential on every request and recovers from a 401 once:
 * it invalidates exactly the token it sent, obtains a new one, re-sends the same request with it,
 * and surfaces a second rejection as a typed {@link Unauthorized}. Never a loop.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type { AccessToken } from "./AccessToken.js"
import * as CredentialScheme from "./CredentialScheme.js"
import { sendFollowing } from "./internal/followRedirects.js"
import * as RedactHttp from "./internal/redactHttp.js"
import { checkUrl, display } from "./internal/urlPolicy.js"
import * as Metrics from "./Metrics.js"

/**
 * The API rejected the credential: after one retry with a new token, or at once for an API key
 * (nothing to refresh). Carries no credential.
 *
 * @example
 * ```ts
 * import { AuthenticatedClient } from "@auth-pipeline/core"
 * import type { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const listPayments = (client: HttpClient.HttpClient.With<AuthenticatedClient.Unauthorized>) =>
 *   client.get("https://api.example.com/payments").pipe(
 *     Effect.catchTag("Unauthorized", (error) =>
 *       error.retried
 *         ? Effect.dieMessage("the API rejects even a fresh token: check the client's permissions")
 *         : Effect.fail(error))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Data.TaggedError("Unauthorized")<{
  /** The HTTP method of the rejected request. */
  readonly method: string
  /** The request URL without its query string. */
  readonly url: string
  /** The HTTP status of the last response (401, or the status that carried `invalid_token`). */
  readonly status: number
  /** The `error` of the `WWW-Authenticate` challenge (RFC 6750 §3), when sent. */
  readonly challengeError: Option.Option<string>
  /** Whether the request was re-sent with a new token before giving up. */
  readonly retried: boolean
}> {
  /**
   * `<method> <url> was rejected with HTTP <status>`, the challenge error and whether it was retried.
   *
   * @since 0.1.0
   */
  override get message(): string {
    const challenge = Option.match(this.challengeError, { onNone: () => "", onSome: (e) => ` (${e})` })
    const retried = this.retried ? " after one retry with a new token" : ""
    return `${this.method} ${this.url} was rejected with HTTP ${this.status}${challenge}${retried}`
  }
}

/**
 * A request through an authenticated client was refused before any token was fetched or sent:
 * its URL does not parse or holds user info (`InvalidUrl`), it is neither https nor http on a
 * loopback host (`Insecure`, RFC 6750 §5.3), or its origin is neither the API's nor one of the
 * allowed origins (`ForeignOrigin`). Carries no credential.
 *
 * @example
 * ```ts
 * import { AccessToken, AuthenticatedClient, TokenCache } from "@auth-pipeline/core"
 * import { HttpClient, HttpClientResponse } from "@effect/platform"
 * import { Effect, Redacted } from "effect"
 *
 * const api = HttpClient.make((request) => Effect.succeed(HttpClientResponse.fromWeb(request, new Response("{}"))))
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const cache = yield* TokenCache.make({
 *     acquire: Effect.succeed(AccessToken.make({ value: Redacted.make("t"), issuedAt: 0 }))
 *   })
 *   const client = AuthenticatedClient.make(api, cache, { baseUrl: "https://api.example.com" })
 *   const error = yield* Effect.flip(client.get("https://elsewhere.example.net/steal"))
 *   assert.strictEqual(error._tag === "DisallowedUrl" && error.reason, "ForeignOrigin")
 * }))
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class DisallowedUrl extends Data.TaggedError("DisallowedUrl")<{
  /**
   * `InvalidUrl` (does not parse, or carries user info), `Insecure` (neither https nor http on a
   * loopback host) or `ForeignOrigin` (not the base URL's origin nor an allowed one).
   */
  readonly reason: "InvalidUrl" | "Insecure" | "ForeignOrigin"
  /** The request's method. */
  readonly method: string
  /** The request URL without user info, query or fragment. */
  readonly url: string
  /** Why, in words. */
  readonly detail: string
}> {
  /**
   * Names the request (without query or user info) and why it was not sent.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.method} ${this.url} was not sent, no credential goes there (${this.reason}): ${this.detail}`
  }
}

/**
 * Where an authenticated client may send its credential.
 *
 * @example
 * ```ts
 * import type { AuthenticatedClient } from "@auth-pipeline/core"
 *
 * // The API, and its file host, may receive the token; any other origin gets DisallowedUrl.
 * const destinations: AuthenticatedClient.DestinationOptions = {
 *   baseUrl: "https://api.example.com/v1",
 *   allowedOrigins: ["https://files.example.com"]
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface DestinationOptions {
  /**
   * The API base URL: a relative request URL is appended to it, an absolute one is used as is,
   * and its origin may receive the credential.
   */
  readonly baseUrl?: string | undefined
  /**
   * Further origins (`https://files.example.com`; a URL counts by its origin) that may receive the
   * credential. With neither `baseUrl` nor `allowedOrigins` any origin may (the caller vouches for
   * its URLs); with either, every other origin is refused with {@link DisallowedUrl}.
   */
  readonly allowedOrigins?: ReadonlyArray<string> | undefined
}

const isAbsolute = (url: string): boolean => {
  try {
    new URL(url)
    return true
  } catch {
    return false
  }
}

/**
 * Resolves a request URL against an API base URL: a relative URL is appended to `baseUrl` (its
 * path kept: `https://api.example.com/v1` + `/things`), an absolute URL is left as it is.
 *
 * @example
 * ```ts
 * import { AuthenticatedClient } from "@auth-pipeline/core"
 *
 * import { HttpClientRequest } from "@effect/platform"
 *
 * const resolve = AuthenticatedClient.resolveUrl("https://api.example.com/v1")
 * assert.strictEqual(resolve(HttpClientRequest.get("/things")).url, "https://api.example.com/v1/things")
 * assert.strictEqual(resolve(HttpClientRequest.get("https://files.example.com/a")).url, "https://files.example.com/a")
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const resolveUrl = (baseUrl: string) => {
  const base = baseUrl.replace(/\/+$/, "")
  return (request: HttpClientRequest.HttpClientRequest): HttpClientRequest.HttpClientRequest =>
    isAbsolute(request.url) ? request : HttpClientRequest.prependUrl(request, base)
}

const originOf = (url: string): string | undefined => {
  const checked = checkUrl(url)
  return Either.isRight(checked) ? checked.right.origin : undefined
}

/**
 * The one check every request through an authenticated client passes before a token is fetched:
 * resolve it against the base URL, then require https (or http on loopback) and, when any
 * destination is configured, one of the allowed origins.
 */
const destinationGuard = (options: DestinationOptions | undefined) => {
  const resolve = options?.baseUrl === undefined ? undefined : resolveUrl(options.baseUrl)
  const configured = options?.baseUrl !== undefined || options?.allowedOrigins !== undefined
  const origins = new Set<string>()
  for (
    const url of [...(options?.baseUrl === undefined ? [] : [options.baseUrl]), ...(options?.allowedOrigins ?? [])]
  ) {
    const origin = originOf(url)
    if (origin !== undefined) origins.add(origin)
  }
  const allowed = origins.size === 0
    ? "no API origin is configured (set baseUrl or allowedOrigins)"
    : `credentials go only to ${[...origins].join(", ")}`
  return (
    request: HttpClientRequest.HttpClientRequest
  ): Either.Either<HttpClientRequest.HttpClientRequest, DisallowedUrl> => {
    const resolved = resolve === undefined ? request : resolve(request)
    const refuse = (reason: DisallowedUrl["reason"], detail: string) =>
      Either.left(new DisallowedUrl({ reason, method: resolved.method, url: display(resolved.url), detail }))
    const checked = checkUrl(resolved.url)
    if (Either.isLeft(checked)) {
      return checked.left === "Insecure"
        ? refuse("Insecure", "credentials need https (plain http only on loopback hosts)")
        : refuse(
          "InvalidUrl",
          checked.left === "UserInfo" ? "user info in the URL is not allowed" : "not a valid absolute URL"
        )
    }
    if (configured && !origins.has(checked.right.origin)) {
      return refuse("ForeignOrigin", `${checked.right.origin} is not an allowed origin; ${allowed}`)
    }
    return Either.right(resolved)
  }
}

/**
 * What the middleware needs from a token cache: a token, and compare-and-invalidate.
 *
 * @example
 * ```ts
 * import { AccessToken, AuthenticatedClient } from "@auth-pipeline/core"
 * import { FetchHttpClient, HttpClient } from "@effect/platform"
 * import { Effect, Redacted } from "effect"
 *
 * // a fixed token (a TokenCache is the usual source)
 * const token = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: Date.now() })
 * const tokens: AuthenticatedClient.TokenSource<never> = {
 *   get: Effect.succeed(token),
 *   invalidate: () => Effect.succeed(false)
 * }
 * const program = Effect.gen(function*() {
 *   const client = AuthenticatedClient.make(yield* HttpClient.HttpClient, tokens)
 *   return yield* client.get("https://api.example.com/payments")
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenSource<E, E2 = never> {
  /** A usable token; called once per request and again after a rejection. */
  readonly get: Effect.Effect<AccessToken, E>
  /** Drops `token` if it is still the current one; called with the token a rejected request carried. */
  readonly invalidate: (token: AccessToken) => Effect.Effect<boolean, E2>
  /** Used to tag the 401-retry metric. */
  readonly name?: string | undefined
}

const challengeError = (response: HttpClientResponse.HttpClientResponse): Option.Option<string> => {
  const header = response.headers["www-authenticate"]
  if (header === undefined) return Option.none()
  const match = /error\s*=\s*"?([^",\s]+)"?/i.exec(header)
  return Option.fromNullable(match?.[1])
}

/**
 * Whether a response rejects the credential: HTTP 401, or a `WWW-Authenticate` challenge with
 * `error="invalid_token"` (RFC 6750 §3.1).
 *
 * @example
 * ```ts
 * import { AuthenticatedClient } from "@auth-pipeline/core"
 * import { HttpClientRequest, HttpClientResponse } from "@effect/platform"
 *
 * const request = HttpClientRequest.get("https://api.example.com/payments")
 * const response = HttpClientResponse.fromWeb(
 *   request,
 *   new Response(null, { status: 400, headers: { "www-authenticate": 'Bearer error="invalid_token"' } })
 * )
 * assert.ok(AuthenticatedClient.isRejected(response))
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRejected = (response: HttpClientResponse.HttpClientResponse): boolean =>
  response.status === 401 || Option.contains(challengeError(response), "invalid_token")

const rejectedByStatus = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<boolean> =>
  Effect.succeed(isRejected(response))

const rejectedByStatusOrBody = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<boolean> =>
  isRejected(response)
    ? Effect.succeed(true)
    : (response.status === 400 || response.status === 403) &&
        (response.headers["content-type"] ?? "").includes("json")
    ? Effect.map(
      Effect.orElseSucceed(response.json, () => null),
      (body) => typeof body === "object" && body !== null && (body as { error?: unknown }).error === "invalid_token"
    )
    : Effect.succeed(false)

const unauthorized = (
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  retried: boolean
) => {
  const url = request.url.split("?")[0]!.split("#")[0]!
  return new Unauthorized({
    method: request.method,
    url,
    status: response.status,
    challengeError: challengeError(response),
    retried
  })
}

/** Reads and drops a body that will not be returned, so the connection is released. */
const discard = (response: HttpClientResponse.HttpClientResponse) => Effect.ignore(response.arrayBuffer)

const addName = (name: string) => (names: ReadonlyArray<string | RegExp>) =>
  names.includes(name) ? names : [...names, name]

/** Names `Headers.currentRedactedNames` holds by default: nothing to add for them. */
const redactedByDefault: ReadonlyArray<string> = ["authorization", "x-api-key"]

const redacting = (name: string) =>
  redactedByDefault.includes(name)
    ? <A, E, R>(effect: Effect.Effect<A, E, R>) => effect
    : <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.locallyWith(effect, Headers.currentRedactedNames, addName(name))

/**
 * Adds a header to `Headers.currentRedactedNames` for the whole program the Layer is provided to,
 * so requests logged or traced anywhere show `<redacted>` for it. `authorization` and `x-api-key`
 * are redacted by default; the middleware redacts its own header in the spans it causes either way.
 *
 * @example
 * ```ts
 * import { AuthenticatedClient } from "@auth-pipeline/core"
 * import { FetchHttpClient, HttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * // spans and logs of these requests show `x-session-token: <redacted>`
 * const program = Effect.gen(function*() {
 *   const client = yield* HttpClient.HttpClient
 *   return yield* client.get("https://api.example.com/me", { headers: { "x-session-token": "secret" } })
 * }).pipe(Effect.provide(Layer.merge(FetchHttpClient.layer, AuthenticatedClient.layerRedactHeader("X-Session-Token"))))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRedactHeader = (header: string): Layer.Layer<never> =>
  Layer.scopedDiscard(Effect.locallyScopedWith(Headers.currentRedactedNames, addName(header.toLowerCase())))

/** A credential header, unless it is the placeholder of a request copied out of an error. */
const carries = (request: HttpClientRequest.HttpClientRequest, name: string) =>
  request.headers[name] !== undefined && request.headers[name] !== RedactHttp.placeholder

const hasOwnCredential = (request: HttpClientRequest.HttpClientRequest, name: string) =>
  carries(request, "authorization") || carries(request, name)

/**
 * Wraps a client so each request carries a token from `tokens`, applied with `scheme`
 * (default Bearer). A request that already has an `Authorization` header (or the scheme's header)
 * is passed through untouched. On rejection: invalidate the token sent, get a new one, re-send
 * once; a second rejection fails with {@link Unauthorized}.
 *
 * Before any token is fetched, the request URL is resolved against `baseUrl` and checked (see
 * {@link DestinationOptions}): https or http on loopback, and an allowed origin when any is
 * configured; otherwise {@link DisallowedUrl}.
 *
 * Responses and `HttpClientError`s leave with a copy of the request that has no credential
 * (credential headers `<redacted>`, body dropped), so no rendering of them shows it.
 *
 * @example
 * ```ts
 * import { AccessToken, AuthenticatedClient, TokenCache } from "@auth-pipeline/core"
 * import { HttpClient, HttpClientResponse } from "@effect/platform"
 * import { Clock, Effect, Redacted } from "effect"
 *
 * // a fake API that accepts only the second token
 * const api = HttpClient.make((request) =>
 *   Effect.succeed(HttpClientResponse.fromWeb(
 *     request,
 *     new Response(null, { status: request.headers.authorization === "Bearer at-2" ? 200 : 401 })
 *   ))
 * )
 * let issued = 0
 * const acquire = Effect.map(Clock.currentTimeMillis, (now) =>
 *   AccessToken.make({ value: Redacted.make(`at-${++issued}`), issuedAt: now }))
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const client = AuthenticatedClient.make(api, yield* TokenCache.make({ acquire }))
 *   const response = yield* client.get("https://api.example.com/payments")
 *   assert.strictEqual(response.status, 200) // 401 with at-1, then re-sent once with at-2
 * }))
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <E, E2, Err, R>(
  client: HttpClient.HttpClient.With<Err, R>,
  tokens: TokenSource<E, E2>,
  options?: DestinationOptions & {
    readonly scheme?: CredentialScheme.CredentialScheme | undefined
    /**
     * Also treat a 400 or 403 whose JSON body has `"error": "invalid_token"` as a rejection
     * (for APIs that report an expired token in the body). Default `false`.
     */
    readonly invalidTokenInBody?: boolean | undefined
  }
): HttpClient.HttpClient.With<Err | E | E2 | Unauthorized | DisallowedUrl, R> => {
  const guard = destinationGuard(options)
  const scheme = options?.scheme ?? CredentialScheme.bearer
  const rejected = options?.invalidTokenInBody ? rejectedByStatusOrBody : rejectedByStatus
  const name = CredentialScheme.headerName(scheme)
  const retries = Metric.tagged(Metrics.unauthorizedRetries, Metrics.providerTag, tokens.name ?? "default")
  // The response and any HttpClientError leave with a copy of the request that has no credential.
  const send = (request: HttpClientRequest.HttpClientRequest, token: AccessToken) =>
    RedactHttp.exchange(
      sendFollowing(
        client,
        request,
        HttpClientRequest.setHeader(name, CredentialScheme.headerValue(scheme, token.value)),
        guard
      ),
      [name],
      [token.value]
    )
  const retry = (
    request: HttpClientRequest.HttpClientRequest,
    token: AccessToken,
    response: HttpClientResponse.HttpClientResponse
  ) =>
    Effect.gen(function*() {
      yield* discard(response)
      yield* tokens.invalidate(token)
      yield* Metric.increment(retries)
      const fresh = yield* tokens.get
      const second = yield* send(request, fresh)
      if (!(yield* rejected(second))) return second
      yield* discard(second)
      return yield* unauthorized(request, second, true)
    })
  const authenticated = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.flatMap(tokens.get, (token) =>
      Effect.flatMap(
        send(request, token),
        (response) =>
          // the common case (no error status, no challenge) is decided synchronously
          response.status < 400 && response.headers["www-authenticate"] === undefined
            ? Effect.succeed(response)
            : Effect.flatMap(
              rejected(response),
              (isRejected) => isRejected ? retry(request, token, response) : Effect.succeed(response)
            )
      ))
  const redact = redacting(name)
  return HttpClient.makeWith<never, never, Err | E | E2 | Unauthorized | DisallowedUrl, R>(
    (requestEffect) =>
      Effect.flatMap(
        Effect.flatMap(requestEffect, guard),
        (request) =>
          redact(
            hasOwnCredential(request, name)
              ? RedactHttp.exchange(client.execute(request), [name], [])
              : authenticated(request)
          )
      ),
    Effect.succeed
  )
}

/**
 * Wraps a client so each request carries a fixed API key in `header` (default `X-Api-Key`).
 * There is nothing to refresh: a rejection fails at once with {@link Unauthorized}. The request
 * URL is resolved and checked as by {@link make} before the key is put on it.
 * Responses and `HttpClientError`s leave without the key, as with {@link make}.
 *
 * @example
 * ```ts
 * import { AuthenticatedClient } from "@auth-pipeline/core"
 * import { FetchHttpClient, HttpClient } from "@effect/platform"
 * import { Config, Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const key = yield* Config.redacted("MERCHANT_API_KEY")
 *   const client = AuthenticatedClient.apiKey(yield* HttpClient.HttpClient, { key })
 *   return yield* client.get("https://service.example.com/api/merchants")
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const apiKey = <Err, R>(
  client: HttpClient.HttpClient.With<Err, R>,
  options: DestinationOptions & { readonly key: Redacted.Redacted<string>; readonly header?: string | undefined }
): HttpClient.HttpClient.With<Err | Unauthorized | DisallowedUrl, R> => {
  const guard = destinationGuard(options)
  const scheme = CredentialScheme.header(options.header ?? "X-Api-Key")
  const name = CredentialScheme.headerName(scheme)
  const redact = redacting(name)
  return HttpClient.makeWith<never, never, Err | Unauthorized | DisallowedUrl, R>(
    (requestEffect) =>
      Effect.flatMap(Effect.flatMap(requestEffect, guard), (request) => {
        if (hasOwnCredential(request, name)) return RedactHttp.exchange(client.execute(request), [name], [])
        return Effect.flatMap(
          RedactHttp.exchange(
            sendFollowing(
              client,
              request,
              HttpClientRequest.setHeader(name, CredentialScheme.headerValue(scheme, options.key)),
              guard
            ),
            [name],
            [options.key]
          ),
          (response) =>
            isRejected(response)
              ? Effect.zipRight(discard(response), Effect.fail(unauthorized(request, response, false)))
              : Effect.succeed(response)
        )
      }).pipe(redact),
    Effect.succeed
  )
}
