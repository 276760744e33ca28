/**
 * Reading a token request off the wire: an `application/x-www-form-urlencoded` body (RFC 6749
 * §4.4.2) or a JSON body, plus the client credentials it carries.
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import { type PresentedClient, presentedClient } from "./clientAuth.js"

export interface TokenRequest {
  /** Parameters with a value (RFC 6749 §3.1: an empty parameter counts as omitted). */
  readonly params: ReadonlyMap<string, string>
  readonly grantType: string | undefined
  readonly client: PresentedClient
  /** Why the request cannot be read as a token request at all (→ `invalid_request`). */
  readonly malformed: string | undefined
}

/** The media type of a `Content-Type` header, lower-cased, without parameters. */
export const mediaType = (request: HttpServerRequest.HttpServerRequest): string | undefined =>
  request.headers["content-type"]?.split(";")[0]?.trim().toLowerCase()

const make = (
  request: HttpServerRequest.HttpServerRequest,
  params: ReadonlyMap<string, string>,
  malformed: string | undefined
): TokenRequest => ({
  params,
  grantType: params.get("grant_type"),
  client: presentedClient(request.headers["authorization"], params.get("client_id"), params.get("client_secret")),
  malformed
})

const bodyText = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<string | undefined> =>
  Effect.orElseSucceed(request.text, () => undefined)

/** A form-encoded token request. Repeated parameters are malformed (RFC 6749 §3.2). */
export const readForm = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<TokenRequest> =>
  Effect.map(bodyText(request), (text) => {
    if (text === undefined) return make(request, new Map(), "Unreadable request body")
    const form = new URLSearchParams(text)
    const params = new Map<string, string>()
    const repeated = new Set<string>()
    for (const [key, value] of form) {
      if (value === "") continue
      if (params.has(key)) repeated.add(key)
      params.set(key, value)
    }
    if (mediaType(request) !== "application/x-www-form-urlencoded") {
      return make(request, params, "Content-Type must be application/x-www-form-urlencoded")
    }
    if (repeated.size > 0) return make(request, params, `Repeated parameter: ${[...repeated].join(", ")}`)
    return make(request, params, undefined)
  })

/** A JSON token request: an object whose fields are strings. */
export const readJson = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<TokenRequest> =>
  Effect.map(bodyText(request), (text) => {
    const wrongType = mediaType(request) === "application/json" ? undefined : "Content-Type must be application/json"
    if (text === undefined) return make(request, new Map(), "Unreadable request body")
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return make(request, new Map(), wrongType ?? "Request body is not valid JSON")
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return make(request, new Map(), wrongType ?? "Request body must be a JSON object")
    }
    const params = new Map<string, string>()
    const notStrings: Array<string> = []
    for (const [key, value] of Object.entries(body)) {
      if (typeof value === "string") {
        if (value !== "") params.set(key, value)
      } else if (value !== null && value !== undefined) {
        notStrings.push(key)
      }
    }
    const invalid = notStrings.length > 0 ? `Parameters must be strings: ${notStrings.join(", ")}` : undefined
    return make(request, params, wrongType ?? invalid)
  })
