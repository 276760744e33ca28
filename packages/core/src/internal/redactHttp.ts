/**
 * Copies of `@effect/platform` requests, responses and `HttpClientError`s that carry no
 * credential in any rendering (`JSON.stringify`, `util.inspect`, `String`, `.message`,
 * `Cause.pretty`), for everything that leaves the library.
 *
 * Effect redacts `Headers.currentRedactedNames` only while it writes a log line or a span
 * attribute; a request in an error value is printed with its headers in clear anywhere else
 * (`console.log(error)`, `JSON.stringify(error)` outside a fiber). So the requests a caller can
 * reach (`error.request`, `error.response.request`, `response.request`, and through `error.cause`)
 * are replaced with a copy that keeps the method and the URL and loses the credential.
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { placeholder, scrub } from "./redact.js"

export { placeholder }

/** What to hide: headers by name, and secret values wherever else they appear. */
export interface Redaction {
  /** Header names (any case) or patterns whose values become `<redacted>`. */
  readonly headers: ReadonlyArray<string | RegExp>
  /** Values scrubbed from the URL, the other headers, descriptions and causes, in any encoding. */
  readonly secrets: ReadonlyArray<Redacted.Redacted<string>>
}

/** Headers that carry a credential whatever `Headers.currentRedactedNames` says. */
export const credentialHeaders: ReadonlyArray<string> = [
  "authorization",
  "proxy-authorization",
  "x-api-key",
  "cookie",
  "set-cookie"
]

/** Query parameter names whose values are credentials (OAuth, signed URLs). */
const sensitiveParam = /token|secret|password|passwd|assertion|code|key|credential|signature|^sig$/i

const userinfo = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i

const queryPair = /([?&;])([^=&#;]*)=([^&#;]*)/g

/**
 * A URL without credentials: userinfo, the values of credential-like query parameters and the
 * fragment become `<redacted>`, and known secrets are scrubbed. Works on text, so URLs that do
 * not parse (an `InvalidUrl` error) are covered too.
 */
export const redactUrl = (url: string, secrets: ReadonlyArray<Redacted.Redacted<string>> = []): string =>
  scrub(
    url
      .replace(userinfo, `$1${placeholder}@`)
      .replace(queryPair, (pair, separator: string, name: string) =>
        sensitiveParam.test(name) ? `${separator}${name}=${placeholder}` : pair)
      .replace(/#.*$/s, `#${placeholder}`),
    secrets
  )

const named = (name: string, names: ReadonlyArray<string | RegExp>): boolean => {
  const lower = name.toLowerCase()
  for (const n of names) {
    if (typeof n === "string" ? n.toLowerCase() === lower : new RegExp(n.source, n.flags.replace("g", "")).test(name)) {
      return true
    }
  }
  return false
}

/** Objects this module made: already safe, returned as they are. */
const redacted = new WeakSet<object>()

/**
 * A copy of `self` for reporting: same method and URL (see {@link redactUrl}); credential headers
 * and those named in `redaction` hold `<redacted>`, the others are scrubbed of the secrets; a body
 * (form bodies carry client secrets, codes, verifiers, refresh tokens) is replaced by `<redacted>`
 * with its content type kept. Not meant to be sent again.
 */
export const request = (
  self: HttpClientRequest.HttpClientRequest,
  redaction: Redaction
): HttpClientRequest.HttpClientRequest => {
  if (redacted.has(self)) return self
  const names = [...credentialHeaders, ...redaction.headers]
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(self.headers)) {
    headers[name] = named(name, names) ? placeholder : scrub(value, redaction.secrets)
  }
  const body = self.body
  const out = HttpClientRequest.get("").pipe(
    HttpClientRequest.setMethod(self.method),
    HttpClientRequest.setUrl(redactUrl(self.url, redaction.secrets)),
    HttpClientRequest.setUrlParams(
      self.urlParams.map(([name, value]) =>
        [name, sensitiveParam.test(name) ? placeholder : scrub(value, redaction.secrets)] as const
      )
    ),
    (r) => Option.isSome(self.hash) ? HttpClientRequest.setHash(r, placeholder) : r,
    HttpClientRequest.setHeaders(headers),
    HttpClientRequest.setBody(
      body._tag === "Empty"
        ? body
        : HttpBody.raw(placeholder, { contentType: "contentType" in body ? body.contentType : undefined })
    )
  )
  redacted.add(out)
  return out
}

/** A JSON rendering with every string scrubbed of the secrets. */
const scrubDeep = (value: unknown, secrets: ReadonlyArray<Redacted.Redacted<string>>, depth = 0): unknown => {
  if (typeof value === "string") return scrub(value, secrets)
  if (value === null || typeof value !== "object") return value
  if (depth > 8) return placeholder
  const toJSON = (value as { toJSON?: unknown }).toJSON
  if (typeof toJSON === "function") return scrubDeep(toJSON.call(value), secrets, depth + 1)
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, secrets, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, secrets, depth + 1)
  return out
}

/** Fails with the redacted copy of an `HttpClientError` (body reads raise them long after the exchange). */
const redactFailure = (redaction: Redaction) => <E>(e: E): E =>
  HttpClientError.isHttpClientError(e) ? error(e, redaction) as E : e

/**
 * A response delegating to the original (status, headers, body), except that `request` is the
 * redacted copy, the errors its body reads raise carry that copy, and its renderings are scrubbed
 * of the secrets (an API that echoes the credential in its body does not print it).
 */
class RedactedResponse implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  private safeRequest: HttpClientRequest.HttpClientRequest | undefined
  constructor(
    private readonly original: HttpClientResponse.HttpClientResponse,
    private readonly redaction: Redaction,
    safeRequest: HttpClientRequest.HttpClientRequest | undefined
  ) {
    this.safeRequest = safeRequest
  }
  get request(): HttpClientRequest.HttpClientRequest {
    return this.safeRequest ??= request(this.original.request, this.redaction)
  }
  get status() {
    return this.original.status
  }
  get headers() {
    return this.original.headers
  }
  get cookies() {
    return this.original.cookies
  }
  get remoteAddress() {
    return this.original.remoteAddress
  }
  get formData() {
    return Effect.mapError(this.original.formData, redactFailure(this.redaction))
  }
  get text() {
    return Effect.mapError(this.original.text, redactFailure(this.redaction))
  }
  get json() {
    return Effect.mapError(this.original.json, redactFailure(this.redaction))
  }
  get urlParamsBody() {
    return Effect.mapError(this.original.urlParamsBody, redactFailure(this.redaction))
  }
  get arrayBuffer() {
    return Effect.mapError(this.original.arrayBuffer, redactFailure(this.redaction))
  }
  get stream() {
    return Stream.mapError(this.original.stream, redactFailure(this.redaction))
  }
  toJSON(): unknown {
    const json = this.original.toJSON()
    if (typeof json !== "object" || json === null) return scrubDeep(json, this.redaction.secrets)
    const safe: Record<string, unknown> = { ...json }
    if ("request" in safe) safe.request = this.request.toJSON()
    if (typeof safe.headers === "object" && safe.headers !== null) {
      // response headers such as set-cookie: redacted by name, as Effect does in its logs
      const names = [...credentialHeaders, ...this.redaction.headers]
      const headers: Record<string, unknown> = {}
      for (const [name, value] of Object.entries(safe.headers)) headers[name] = named(name, names) ? placeholder : value
      safe.headers = headers
    }
    return scrubDeep(safe, this.redaction.secrets)
  }
  toString(): string {
    return Inspectable.format(this.toJSON())
  }
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/**
 * The response as the caller gets it: see {@link RedactedResponse}. So the caller's own
 * `filterStatusOk`, which runs outside the middleware, raises an error with the redacted request.
 */
export const response = (
  self: HttpClientResponse.HttpClientResponse,
  redaction: Redaction,
  redactedRequest?: HttpClientRequest.HttpClientRequest
): HttpClientResponse.HttpClientResponse => {
  if (redacted.has(self)) return self
  const out = new RedactedResponse(self, redaction, redactedRequest)
  redacted.add(out)
  return out
}

/** A copy of an error cause that holds no request and no secret. */
const cause = (value: unknown, redaction: Redaction, depth: number): unknown => {
  if (value === undefined || value === null) return value
  if (typeof value === "string") return scrub(value, redaction.secrets)
  if (typeof value !== "object") return value
  if (redacted.has(value)) return value
  if (HttpClientError.isHttpClientError(value)) return error(value, redaction)
  if (HttpClientRequest.TypeId in value) return request(value as HttpClientRequest.HttpClientRequest, redaction)
  if (depth > 4) return placeholder
  if (value instanceof Error) {
    const copy = new Error(scrub(value.message, redaction.secrets))
    copy.name = value.name
    copy.stack = scrub(value.stack ?? `${value.name}: ${value.message}`, redaction.secrets)
    // keep what tells network failures apart (code, errno, syscall, address, port); drop objects
    for (const [k, v] of Object.entries(value)) {
      if (k === "message" || k === "stack" || k === "cause") continue
      if (typeof v === "string") (copy as unknown as Record<string, unknown>)[k] = scrub(v, redaction.secrets)
      else if (typeof v === "number" || typeof v === "boolean") (copy as unknown as Record<string, unknown>)[k] = v
    }
    if (value.cause !== undefined) copy.cause = cause(value.cause, redaction, depth + 1)
    redacted.add(copy)
    return copy
  }
  return scrub(Inspectable.format(value), redaction.secrets)
}

const withStack = <E extends Error>(out: E, original: string | undefined, redaction: Redaction): E => {
  const frames = (original ?? "").split("\n").filter((line) => /^\s+at /.test(line))
  if (frames.length > 0) {
    out.stack = scrub([`${out.name}: ${out.message}`, ...frames].join("\n"), redaction.secrets)
  }
  return out
}

/**
 * A copy of an `HttpClientError` whose `request`, `response.request` and `cause` are redacted
 * (see {@link request}, {@link response}), with the original stack frames. Same class, `_tag`,
 * `reason` and status, so callers match on it as before.
 */
export const error = (self: HttpClientError.HttpClientError, redaction: Redaction): HttpClientError.HttpClientError => {
  if (redacted.has(self)) return self
  const safeRequest = request(self.request, redaction)
  const fields = {
    request: safeRequest,
    ...(self.cause === undefined ? {} : { cause: cause(self.cause, redaction, 0) }),
    ...(self.description === undefined ? {} : { description: scrub(self.description, redaction.secrets) })
  }
  const out = self._tag === "RequestError"
    ? new HttpClientError.RequestError({ ...fields, reason: self.reason })
    : new HttpClientError.ResponseError({
      ...fields,
      reason: self.reason,
      response: response(self.response, redaction, safeRequest)
    })
  redacted.add(out)
  return withStack(out, self.stack, redaction)
}

/**
 * Runs one exchange so that nothing it returns carries the credential: the response leaves
 * through {@link response}, an `HttpClientError` through {@link error}; the headers redacted are
 * the credential headers, `headers`, and `Headers.currentRedactedNames` of the running fiber.
 */
export const exchange = <E, R>(
  effect: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>,
  headers: ReadonlyArray<string>,
  secrets: ReadonlyArray<Redacted.Redacted<string>>
): Effect.Effect<HttpClientResponse.HttpClientResponse, E, R> =>
  FiberRef.getWith(Headers.currentRedactedNames, (names) => {
    const redaction: Redaction = { headers: [...headers, ...names], secrets }
    return Effect.mapBoth(effect, {
      onFailure: (e) => (HttpClientError.isHttpClientError(e) ? error(e, redaction) as E : e),
      onSuccess: (r) => response(r, redaction)
    })
  })
