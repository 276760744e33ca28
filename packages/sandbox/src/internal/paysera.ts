/**
 * Paysera Checkout: a Keycloak client credentials endpoint (form post) and the rate limited
 * integration API.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { type Client, type Emulator, sandboxHost } from "../Emulator.js"
import type { Options } from "../Paysera.js"
import * as Bearer from "./bearer.js"
import { defaultClients } from "./clientAuth.js"
import * as ClientCredentials from "./clientCredentials.js"
import * as Emulators from "./emulator.js"
import * as Random from "./random.js"
import * as RateLimit from "./rateLimit.js"
import { json, oauthError, tokenResponse } from "./responses.js"
import * as TokenRequest from "./tokenRequest.js"

export const name = "paysera"
export const tokenPath = "/auth/realms/Paysera/protocol/openid-connect/token"
export const resourcePath = "/checkout-project/integration/v1/methods"
export const productionHost = "api.paysera.com"
export const hosts: ReadonlyArray<string> = [productionHost, sandboxHost(name)]
export const expiresIn = 3600
export const scope = "profile email"
export const rateLimit = { limit: 50, window: Duration.minutes(1) }

const invalidClientDescription = "Invalid client credentials"

export const make = (options: Options = {}): Effect.Effect<Emulator> =>
  Effect.gen(function*() {
    const limits = options.rateLimit === false ? undefined : (options.rateLimit ?? rateLimit)
    const limiter = limits === undefined
      ? undefined
      : yield* RateLimit.make(limits.limit, Duration.toMillis(Duration.decode(limits.window)))
    const grantedScope = options.scope ?? scope

    const handleToken = ClientCredentials.handler<Client, string>({
      clients: options.clients ?? defaultClients,
      authMethods: options.clientAuthMethods ?? ["client_secret_post", "client_secret_basic"],
      invalidRequest: (description) => oauthError(400, "invalid_request", description),
      invalidClient: (_reason, basic) =>
        oauthError(
          401,
          "invalid_client",
          invalidClientDescription,
          basic ? { "www-authenticate": `Basic realm="Paysera"` } : {}
        ),
      missingGrantType: oauthError(400, "invalid_request", "Missing form parameter: grant_type"),
      unsupportedGrantType: () => oauthError(400, "unsupported_grant_type", "Unsupported grant_type"),
      grant: () => Either.right(grantedScope),
      scopeOf: (granted) => granted,
      success: (issued, granted) =>
        tokenResponse({
          access_token: issued.credential.value,
          ...ClientCredentials.expiresInField(issued),
          refresh_expires_in: 0,
          token_type: "Bearer",
          "not-before-policy": 0,
          scope: granted
        })
    })

    return yield* Emulators.make({
      name,
      hosts: options.hosts ?? hosts,
      expiresIn: options.expiresIn ?? expiresIn,
      newTokenValue: () => Random.base64UrlToken(),
      token: { path: tokenPath, read: TokenRequest.readForm, handle: handleToken },
      resource: {
        path: resourcePath,
        handle: (request, ctx) =>
          Effect.gen(function*() {
            const address = Option.getOrElse(request.remoteAddress, () => "unknown")
            const decision = limiter === undefined ? undefined : yield* limiter.hit(address)
            const headers = decision === undefined ? {} : RateLimit.headers(decision)
            if (decision !== undefined && !decision.allowed) {
              return json(
                { error: "too_many_requests", error_description: "Rate limit exceeded" },
                429,
                { ...headers, "retry-after": String(decision.resetSeconds) }
              )
            }
            const auth = yield* ctx.authenticateBearer(request)
            if (auth._tag !== "Valid") return Bearer.unauthorized("Paysera", auth, headers)
            return json(Bearer.resourceBody(name, request, auth.credential), 200, headers)
          })
      },
      onReset: limiter?.reset ?? Effect.void
    })
  })
