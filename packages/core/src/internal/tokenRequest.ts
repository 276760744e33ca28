import type * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AccessToken from "../AccessToken.js"
import * as ClientAuthentication from "../ClientAuthentication.js"
import * as Metrics from "../Metrics.js"
import type { TokenEndpoint } from "../TokenEndpoint.js"
import { defaultTokenTypes, validateUrl } from "../TokenEndpoint.js"
import { OAuthError, RateLimitedError, type TokenError, TokenRequestError, TokenResponseError } from "../TokenError.js"
import { ErrorResponse, knownFields, maxExpiresIn, TokenResponse } from "../TokenResponse.js"
import { exchange } from "./exchange.js"
import { basicCredentialForms, excerptJson, excerptText, reveal, scrub } from "./redact.js"
import { invalidPaths } from "./schemaIssues.js"
import { annotateOutcome, serverAttributes } from "./telemetry.js"

/** A request parameter; secret values stay `Redacted` until the body is encoded. */
export type Param = readonly [name: string, value: string | Redacted.Redacted<string>]

export interface TokenRequest {
  readonly grantType: string
  readonly params: ReadonlyArray<Param>
  /** Scopes asked for, used as the granted scopes when the response omits `scope`. */
  readonly requestedScopes: ReadonlyArray<string>
  /** Kept on the new token when the response carries no refresh token (refresh_token grant). */
  readonly previousRefreshToken: Option.Option<Redacted.Redacted<string>>
}

const secretsOf = (endpoint: TokenEndpoint, request: TokenRequest): ReadonlyArray<Redacted.Redacted<string>> => {
  const auth = endpoint.clientAuthentication
  return [
    ...ClientAuthentication.secret(auth),
    // a server echoing the request may show the Authorization header rather than the secret
    ...(auth._tag === "none" ? [] : basicCredentialForms(auth.clientId, auth.clientSecret)),
    ...request.params.flatMap(([, v]) => (typeof v === "string" ? [] : [v]))
  ]
}

const buildRequest = (
  endpoint: TokenEndpoint,
  url: URL,
  request: TokenRequest
): HttpClientRequest.HttpClientRequest => {
  const auth = endpoint.clientAuthentication
  const params: Array<readonly [string, string]> = [["grant_type", request.grantType]]
  for (const [name, value] of request.params) params.push([name, reveal(value)])
  const credentials = ClientAuthentication.credentials(auth)
  params.push(...credentials.params)
  const headers: Record<string, string> = { accept: "application/json", ...endpoint.headers, ...credentials.headers }
  const base = HttpClientRequest.post(url).pipe(HttpClientRequest.setHeaders(headers))
  if (endpoint.bodyEncoding === "json") {
    const body: Record<string, string | Array<string>> = {}
    for (const [name, value] of params) {
      const existing = body[name]
      body[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value]
    }
    return HttpClientRequest.bodyUnsafeJson(base, body)
  }
  return HttpClientRequest.bodyUrlParams(base, params)
}

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export const parseRetryAfter = (header: string | undefined, now: number): Option.Option<Duration.Duration> => {
  if (header === undefined) return Option.none()
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Option.some(Duration.seconds(Number(trimmed)))
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? Option.none() : Option.some(Duration.millis(Math.max(0, date - now)))
}

const invalidFields = (error: ParseResult.ParseError): string =>
  `invalid or missing member(s): ${invalidPaths(error, "(body)")}`

const decodeToken = Schema.decodeUnknownEither(TokenResponse)
const decodeError = Schema.decodeUnknownEither(ErrorResponse)

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const toAccessToken = (body: TokenResponse, request: TokenRequest, sentAt: number): AccessToken.AccessToken => {
  const extra: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(body)) if (!knownFields.has(k)) extra[k] = v
  const scopes = body.scope === undefined
    ? request.requestedScopes
    : body.scope.split(" ").filter((s) => s.length > 0)
  return new AccessToken.AccessToken({
    value: Redacted.make(body.access_token),
    tokenType: normalTokenType(body.token_type),
    scopes,
    issuedAt: sentAt,
    // `expires_in: 0` would make every read fetch anew: treat it as absent (the default lifetime applies).
    // A huge one is clamped to a year, so `expiresAt` stays a valid date.
    expiresAt: body.expires_in === undefined || body.expires_in <= 0
      ? Option.none()
      : Option.some(sentAt + Math.min(body.expires_in, maxExpiresIn) * 1000),
    refreshToken: body.refresh_token === undefined
      ? request.previousRefreshToken
      : Option.some(Redacted.make(body.refresh_token)),
    idToken: body.id_token === undefined ? Option.none() : Option.some(Redacted.make(body.id_token)),
    extra
  })
}

/** The `token_type` as the token keeps it: any casing of `bearer` is `Bearer`, others as sent. */
const normalTokenType = (tokenType: string): string => tokenType.toLowerCase() === "bearer" ? "Bearer" : tokenType

/** At most 40 characters of a value the server chose, scrubbed, for a message. */
const quote = (text: string, secrets: ReadonlyArray<Redacted.Redacted<string>>): string =>
  JSON.stringify(scrub(text.length > 40 ? `${text.slice(0, 40)}…` : text, secrets))

const processResponse = (
  url: string,
  tokenTypes: ReadonlyArray<string>,
  response: { readonly status: number; readonly headers: Headers.Headers },
  text: string,
  request: TokenRequest,
  secrets: ReadonlyArray<Redacted.Redacted<string>>,
  sentAt: number,
  now: number
): Either.Either<AccessToken.AccessToken, TokenError> => {
  const status = response.status
  if (status === 429) {
    return Either.left(
      new RateLimitedError({ url, status, retryAfter: parseRetryAfter(response.headers["retry-after"], now) })
    )
  }
  // RFC 9110 §15.6.4: a 503 may say when to come back; the cache's retries honour it.
  const unavailable = status === 503
    ? { retryAfter: parseRetryAfter(response.headers["retry-after"], now) }
    : {}
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    const excerpt = excerptText(text, secrets)
    return Either.left(
      status >= 200 && status < 300
        ? new TokenResponseError({ reason: "NotJson", url, status, detail: "the body is not JSON", excerpt })
        : new TokenResponseError({
          reason: "Status",
          url,
          status,
          detail: "error status without an OAuth error body",
          excerpt,
          ...unavailable
        })
    )
  }
  const invalidBody = (e: ParseResult.ParseError) =>
    new TokenResponseError({
      reason: "InvalidBody",
      url,
      status,
      detail: invalidFields(e),
      excerpt: excerptJson(json, secrets)
    })
  if (isRecord(json) && "error" in json) {
    return Either.match(decodeError(json), {
      onLeft: (e) => Either.left(invalidBody(e)),
      onRight: (body) =>
        Either.left(
          new OAuthError({
            url,
            status,
            error: scrub(body.error, secrets),
            errorDescription: Option.map(Option.fromNullable(body.error_description), (d) => scrub(d, secrets)),
            errorUri: Option.map(Option.fromNullable(body.error_uri), (u) => scrub(u, secrets)),
            ...unavailable
          })
        )
    })
  }
  if (status < 200 || status >= 300) {
    return Either.left(
      new TokenResponseError({
        reason: "Status",
        url,
        status,
        detail: "error status without an OAuth error body",
        excerpt: excerptJson(json, secrets),
        ...unavailable
      })
    )
  }
  return Either.match(decodeToken(json), {
    onLeft: (e) => Either.left(invalidBody(e)),
    onRight: (body) => {
      // RFC 6749 §7.1: a client must not use a token whose type it does not understand.
      const tokenType = body.token_type.toLowerCase()
      if (!tokenTypes.some((accepted) => accepted.toLowerCase() === tokenType)) {
        return Either.left(
          new TokenResponseError({
            reason: "UnsupportedTokenType",
            url,
            status,
            detail: `token_type ${quote(body.token_type, secrets)} is not one this client accepts (${
              tokenTypes.join(", ") || "none"
            }); list it in the endpoint's tokenTypes to use it`,
            excerpt: excerptJson(json, secrets)
          })
        )
      }
      return Either.right(toAccessToken(body, request, sentAt))
    }
  })
}

/**
 * Sends one token request and turns the answer into an AccessToken or a typed error. The expiry
 * is measured from the moment the request is sent.
 */
export const requestToken = (
  endpoint: TokenEndpoint,
  request: TokenRequest
): Effect.Effect<AccessToken.AccessToken, TokenError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const url = yield* validateUrl(endpoint.url)
    const client = yield* HttpClient.HttpClient
    const secrets = secretsOf(endpoint, request)
    const httpRequest = buildRequest(endpoint, url, request)
    const sentAt = yield* Clock.currentTimeMillis
    const { text, ...response } = yield* exchange(client, httpRequest, endpoint.maxResponseBytes).pipe(
      Effect.timeoutFail({
        duration: endpoint.timeout,
        onTimeout: () =>
          new TokenRequestError({
            reason: "Timeout",
            url: endpoint.url,
            detail: `no response within ${Duration.format(endpoint.timeout)}`
          })
      }),
      Effect.catchTags({
        ExchangeRefused: (e) =>
          Effect.fail(
            new TokenResponseError({
              reason: e.reason,
              url: endpoint.url,
              status: e.status,
              detail: e.detail,
              excerpt: ""
            })
          ),
        RequestError: (e) =>
          Effect.fail(
            new TokenRequestError({
              reason: "Transport",
              url: endpoint.url,
              detail: scrub(e.description ?? e.reason, secrets)
            })
          ),
        ResponseError: (e) =>
          Effect.fail(
            new TokenRequestError({
              reason: "Transport",
              url: endpoint.url,
              detail: scrub(e.description ?? e.reason, secrets)
            })
          )
      })
    )
    yield* Effect.annotateCurrentSpan("http.response.status_code", response.status)
    const now = yield* Clock.currentTimeMillis
    return yield* processResponse(
      endpoint.url,
      endpoint.tokenTypes ?? defaultTokenTypes,
      response,
      text,
      request,
      secrets,
      sentAt,
      now
    )
  }).pipe(
    annotateOutcome,
    (effect) => recordRequest(effect, request.grantType),
    Effect.withSpan("auth_pipeline.token_request", {
      kind: "client",
      attributes: {
        "http.request.method": "POST",
        ...serverAttributes(endpoint.url),
        "auth_pipeline.grant_type": request.grantType,
        "auth_pipeline.client_id": endpoint.clientAuthentication.clientId,
        "auth_pipeline.client_auth_method": endpoint.clientAuthentication._tag
      }
    })
  )

/**
 * Counts the token request and records its latency, tagged `grant_type` and `outcome`; the
 * `provider` tag comes from the cache around it (`Effect.tagMetrics`).
 */
const recordRequest = <A, E, R>(self: Effect.Effect<A, E, R>, grantType: string): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Clock.currentTimeMillis,
    (start) =>
      Effect.onExit(self, (exit) =>
        Effect.flatMap(Clock.currentTimeMillis, (end) => {
          const tagged = <Type, In, Out>(metric: Metric.Metric<Type, In, Out>) =>
            metric.pipe(
              Metric.tagged("grant_type", grantType),
              Metric.tagged("outcome", exit._tag === "Success" ? "success" : "failure")
            )
          return Effect.zipRight(
            Metric.increment(tagged(Metrics.tokenRequests)),
            Metric.update(tagged(Metrics.tokenRequestDuration), (end - start) / 1000)
          )
        }))
  )
