/**
 * Cryptofuse: a django-oauth-toolkit style `/o/token/` endpoint (Basic or body credentials,
 * scopes read/write/admin) and its bearer-protected API.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { CryptofuseClient, Options, Scope } from "../Cryptofuse.js"
import { type Emulator, sandboxHost } from "../Emulator.js"
import * as Bearer from "./bearer.js"
import { defaultClients } from "./clientAuth.js"
import * as ClientCredentials from "./clientCredentials.js"
import * as Emulators from "./emulator.js"
import * as Random from "./random.js"
import { json, oauthError, tokenResponse } from "./responses.js"
import * as TokenRequest from "./tokenRequest.js"

export const name = "cryptofuse"
export const tokenPath = "/o/token/"
export const resourcePath = "/payments/"
export const hosts: ReadonlyArray<string> = [sandboxHost(name)]
export const expiresIn = 36000
export const scopes: ReadonlyArray<Scope> = ["read", "write", "admin"]
export const defaultScope = "read write"

// The descriptions are the doc's "Error Responses" table.
const invalidRequest = "Missing required parameter or unsupported parameter value"
const invalidClient = "Client authentication failed (invalid client_id or client_secret)"

const isScope = (s: string): s is Scope => (scopes as ReadonlyArray<string>).includes(s)

export const make = (options: Options = {}): Effect.Effect<Emulator> => {
  const clients = (options.clients ?? (defaultClients as ReadonlyArray<CryptofuseClient>))
    .map((client) => ({ ...client, scopes: client.scopes ?? scopes }))
  type Entry = (typeof clients)[number]

  // An asked-for scope must be documented and allowed for the client; without `scope` the
  // client gets the default scope, narrowed to what it is allowed.
  const grant = (request: TokenRequest.TokenRequest, client: Entry) => {
    const asked = request.params.get("scope")
    const words = [...new Set((asked ?? options.defaultScope ?? defaultScope).split(" "))].filter((s) => s !== "")
    const allowed = (s: string) => isScope(s) && client.scopes.includes(s)
    const granted = asked === undefined ? words.filter(allowed) : words
    const refused = granted.filter((s) => !allowed(s))
    return refused.length > 0 || granted.length === 0
      ? Either.left(oauthError(400, "invalid_scope", `Scope not allowed: ${refused.join(" ") || "(none)"}`))
      : Either.right(granted.join(" "))
  }

  const handleToken = ClientCredentials.handler<Entry, string>({
    clients,
    authMethods: options.clientAuthMethods ?? ["client_secret_basic", "client_secret_post"],
    invalidRequest: (description) => oauthError(400, "invalid_request", `${invalidRequest}: ${description}`),
    invalidClient: (_reason, basic) =>
      oauthError(401, "invalid_client", invalidClient, basic ? { "www-authenticate": `Basic realm="Cryptofuse"` } : {}),
    missingGrantType: oauthError(400, "invalid_request", `${invalidRequest}: grant_type`),
    unsupportedGrantType: (grantType) =>
      oauthError(400, "unsupported_grant_type", `grant_type must be client_credentials, got ${grantType}`),
    grant,
    scopeOf: (granted) => granted,
    success: (issued, granted) =>
      tokenResponse({
        access_token: issued.credential.value,
        token_type: "Bearer",
        ...ClientCredentials.expiresInField(issued),
        scope: granted
      })
  })

  return Emulators.make({
    name,
    hosts: options.hosts ?? hosts,
    expiresIn: options.expiresIn ?? expiresIn,
    // like the doc's example token: 30 characters of [A-Za-z0-9]
    newTokenValue: () => Random.alphanumericToken(30),
    token: { path: tokenPath, read: TokenRequest.readForm, handle: handleToken },
    resource: {
      path: resourcePath,
      handle: (request, ctx) =>
        Effect.map(ctx.authenticateBearer(request), (auth) => {
          if (auth._tag !== "Valid") return Bearer.unauthorized("Cryptofuse", auth)
          if (!(auth.credential.scope ?? "").split(" ").includes("read")) {
            return json(
              { error: "insufficient_scope", error_description: "The read scope is required" },
              403,
              { "www-authenticate": `Bearer realm="Cryptofuse", error="insufficient_scope", scope="read"` }
            )
          }
          return json(Bearer.resourceBody(name, request, auth.credential))
        })
    }
  })
}
