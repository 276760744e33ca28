/**
 * Autopay: an Auth0 style `/oauth/token` endpoint taking a JSON body with an audience, and a
 * bearer-protected API.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { AutopayClient, Options } from "../Autopay.js"
import { type Emulator, sandboxHost } from "../Emulator.js"
import * as Bearer from "./bearer.js"
import { defaultClients } from "./clientAuth.js"
import * as ClientCredentials from "./clientCredentials.js"
import * as Emulators from "./emulator.js"
import * as Random from "./random.js"
import { json, oauthError, tokenResponse } from "./responses.js"
import * as TokenRequest from "./tokenRequest.js"

export const name = "autopay"
export const tokenPath = "/oauth/token"
export const resourcePath = "/sandbox/protected"
export const authHost = "api-auth.autopay.io"
export const apiHost = "api.autopay.io"
export const hosts: ReadonlyArray<string> = [authHost, apiHost, sandboxHost(name)]
export const audience = "https://api.autopay.io"
export const expiresIn = 86400
export const scope = "customer_club"

export const make = (options: Options = {}): Effect.Effect<Emulator> => {
  const clients = (options.clients ?? (defaultClients as ReadonlyArray<AutopayClient>))
    .map((client) => ({ ...client, scope: client.scope ?? scope }))
  type Entry = (typeof clients)[number]
  const expectedAudience = options.audience ?? audience

  const handleToken = ClientCredentials.handler<Entry, string>({
    clients,
    // The docs only show credentials in the JSON body.
    authMethods: ["client_secret_post"],
    invalidRequest: (description) => oauthError(400, "invalid_request", description),
    // The docs: "Error response in case of invalid values in the client_id or client_secret fields"
    invalidClient: () => oauthError(401, "access_denied", "Unauthorized"),
    missingGrantType: oauthError(400, "invalid_request", "Missing required parameter: grant_type"),
    unsupportedGrantType: (grantType) =>
      oauthError(400, "unsupported_grant_type", `Unsupported grant type: ${grantType}`),
    grant: (request, client: Entry) => {
      const asked = request.params.get("audience")
      if (asked === undefined) {
        return Either.left(
          oauthError(
            403,
            "access_denied",
            "No audience parameter was provided, and no default audience has been configured"
          )
        )
      }
      if (asked !== expectedAudience) {
        return Either.left(oauthError(403, "access_denied", `Service not enabled within domain: ${asked}`))
      }
      return Either.right(client.scope)
    },
    scopeOf: (granted) => granted,
    success: (issued, granted) =>
      tokenResponse({
        access_token: issued.credential.value,
        scope: granted,
        ...ClientCredentials.expiresInField(issued),
        token_type: "Bearer"
      })
  })

  return Emulators.make({
    name,
    hosts: options.hosts ?? hosts,
    expiresIn: options.expiresIn ?? expiresIn,
    newTokenValue: () => Random.base64UrlToken(),
    token: { path: tokenPath, read: TokenRequest.readJson, handle: handleToken },
    resource: {
      path: resourcePath,
      handle: (request, ctx) =>
        Effect.map(ctx.authenticateBearer(request), (auth) =>
          auth._tag === "Valid"
            ? json(Bearer.resourceBody(name, request, auth.credential))
            : Bearer.unauthorized("Autopay", auth))
    }
  })
}
