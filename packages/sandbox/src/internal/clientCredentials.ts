/**
 * The client credentials grant (RFC 6749 §4.4) as the emulators run it. The order of checks is
 * shared; each provider supplies its "dialect": accepted clients and methods, and the exact
 * error responses its docs show.
 *
 * @internal
 */
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { ClientAuthMethod } from "../Emulator.js"
import { authenticate, type ClientAuthResult, type ClientEntry } from "./clientAuth.js"
import type { HandlerContext, IssuedToken } from "./emulator.js"
import type { TokenRequest } from "./tokenRequest.js"

export type Rejection = Extract<ClientAuthResult<never>, { readonly _tag: "Rejected" }>["reason"]

export interface Dialect<C extends ClientEntry, Granted> {
  readonly clients: ReadonlyArray<C>
  readonly authMethods: ReadonlyArray<ClientAuthMethod>
  /** 400 for a request that is not a well-formed token request. */
  readonly invalidRequest: (description: string) => HttpServerResponse.HttpServerResponse
  /** Client authentication failed; `basic` is true when the client used an Authorization header. */
  readonly invalidClient: (reason: Rejection, basic: boolean) => HttpServerResponse.HttpServerResponse
  readonly missingGrantType: HttpServerResponse.HttpServerResponse
  readonly unsupportedGrantType: (grantType: string) => HttpServerResponse.HttpServerResponse
  /** Provider checks after the grant type (scope, audience): a response to reject, or what to grant. */
  readonly grant: (request: TokenRequest, client: C) => Either.Either<Granted, HttpServerResponse.HttpServerResponse>
  readonly scopeOf: (granted: Granted) => string | undefined
  readonly success: (issued: IssuedToken, granted: Granted) => HttpServerResponse.HttpServerResponse
}

/** Check order: well-formed request → client authentication → grant_type → provider checks → issue. */
export const handler = <C extends ClientEntry, Granted>(dialect: Dialect<C, Granted>) =>
(
  request: TokenRequest,
  ctx: HandlerContext
): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  if (request.malformed !== undefined) return Effect.succeed(dialect.invalidRequest(request.malformed))
  const auth = authenticate(request.client, dialect.clients, dialect.authMethods)
  if (auth._tag === "Rejected") {
    return Effect.succeed(
      auth.reason === "multiple_methods"
        ? dialect.invalidRequest("Client credentials must be sent by one method only (RFC 6749 §2.3)")
        : dialect.invalidClient(auth.reason, request.client.method === "client_secret_basic")
    )
  }
  if (request.grantType === undefined) return Effect.succeed(dialect.missingGrantType)
  if (request.grantType !== "client_credentials") {
    return Effect.succeed(dialect.unsupportedGrantType(request.grantType))
  }
  return Either.match(dialect.grant(request, auth.client), {
    onLeft: Effect.succeed,
    onRight: (granted) =>
      Effect.map(
        ctx.issueToken(auth.client.clientId, dialect.scopeOf(granted)),
        (issued) => dialect.success(issued, granted)
      )
  })
}

/** `{ expires_in }` or nothing, when an override leaves it out. */
export const expiresInField = (issued: IssuedToken): { readonly expires_in?: number } =>
  issued.expiresIn === undefined ? {} : { expires_in: issued.expiresIn }
