/**
 * Response builders shared by the emulators.
 *
 * @internal
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"

/** RFC 6749 §5.1: token responses (and their errors) must not be cached. */
export const noStore: Readonly<Record<string, string>> = { "cache-control": "no-store", pragma: "no-cache" }

export const json = (
  body: unknown,
  status = 200,
  headers: Readonly<Record<string, string>> = {}
): HttpServerResponse.HttpServerResponse => HttpServerResponse.unsafeJson(body, { status, headers })

/** An RFC 6749 §5.2 / RFC 6750 §3 error body: `{"error": ..., "error_description": ...}`. */
export const errorBody = (error: string, description: string | undefined): Record<string, string> =>
  description === undefined ? { error } : { error, error_description: description }

/** A token endpoint error (RFC 6749 §5.2), not cacheable. */
export const oauthError = (
  status: number,
  error: string,
  description: string | undefined,
  headers: Readonly<Record<string, string>> = {}
): HttpServerResponse.HttpServerResponse => json(errorBody(error, description), status, { ...noStore, ...headers })

/** A successful token response (RFC 6749 §5.1), not cacheable. */
export const tokenResponse = (body: Readonly<Record<string, unknown>>): HttpServerResponse.HttpServerResponse =>
  json(body, 200, noStore)

export const notFound = (path: string): HttpServerResponse.HttpServerResponse =>
  json({ error: "not_found", error_description: `No route for ${path}` }, 404)

export const methodNotAllowed = (allow: string): HttpServerResponse.HttpServerResponse =>
  json({ error: "method_not_allowed", error_description: `Use ${allow}` }, 405, { allow })
