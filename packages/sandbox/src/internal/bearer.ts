/**
 * Bearer token authentication of protected resource requests (RFC 6750).
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type { Credential } from "../Emulator.js"
import type { CredentialStore } from "./credentialStore.js"
import { errorBody, json } from "./responses.js"

export type BearerResult =
  | { readonly _tag: "Valid"; readonly credential: Credential }
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Unknown" }
  | { readonly _tag: "Revoked" }
  | { readonly _tag: "Expired" }

export type BearerFailure = Exclude<BearerResult, { readonly _tag: "Valid" }>

/** `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1), else `undefined`. */
export const bearerToken = (request: HttpServerRequest.HttpServerRequest): string | undefined => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers["authorization"] ?? "")
  return match?.[1]
}

export const authenticate = (
  store: CredentialStore,
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<BearerResult> => {
  const token = bearerToken(request)
  if (token === undefined) return Effect.succeed({ _tag: "Missing" })
  return Effect.map(store.lookup(token), (found): BearerResult => {
    switch (found._tag) {
      case "Valid":
        // an API key is not a bearer token
        return found.credential.kind === "access_token" ? found : { _tag: "Unknown" }
      case "Expired":
      case "Revoked":
      case "Unknown":
        return { _tag: found._tag }
    }
  })
}

/** The `error_description` the emulators use for each failure. */
export const describe = (failure: BearerFailure): string => {
  switch (failure._tag) {
    case "Missing":
      return "Missing bearer token"
    case "Unknown":
      return "Token is invalid"
    case "Revoked":
      return "Token has been revoked"
    case "Expired":
      return "Token is expired"
  }
}

/**
 * A 401 with `WWW-Authenticate` as RFC 6750 §3 asks: no error code when the request carried no
 * token (§3.1), `error="invalid_token"` otherwise.
 */
export const unauthorized = (
  realm: string,
  failure: BearerFailure,
  headers: Readonly<Record<string, string>> = {}
): HttpServerResponse.HttpServerResponse => {
  const description = describe(failure)
  const challenge = failure._tag === "Missing"
    ? `Bearer realm="${realm}"`
    : `Bearer realm="${realm}", error="invalid_token", error_description="${description}"`
  return json(errorBody("invalid_token", description), 401, { ...headers, "www-authenticate": challenge })
}

/** The body of a successful protected resource call: enough for a test to see who called. */
export const resourceBody = (
  provider: string,
  request: HttpServerRequest.HttpServerRequest,
  credential: Credential
): Record<string, unknown> => ({
  provider,
  method: request.method,
  path: request.url.split("?")[0],
  client_id: credential.clientId,
  scope: credential.scope ?? null,
  credential_number: credential.number
})
