/**
 * Centrapay user access tokens: oidc-provider configured like Centrapay's (Cognito-like)
 * authorization server, and the protected API on the same origin.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as jose from "jose"
import type * as http from "node:http"
import type {
  ClientMetadata,
  Configuration,
  default as Provider,
  KoaContextWithOIDC,
  ResourceServer
} from "oidc-provider"
import * as Centrapay from "../Centrapay.js"
import {
  type CentrapayOidc,
  type Client,
  type Counters,
  LoginError,
  type LoginOptions,
  type Options,
  type ResourceOutcome,
  type Ttl,
  type UnauthorizedReason,
  type User
} from "../CentrapayOidc.js"
import * as OidcServer from "../OidcServer.js"
import { reveal } from "./clientAuth.js"
import * as OidcLogin from "./oidcLogin.js"
import { base64UrlToken } from "./random.js"

export const defaultClientId = "7mapl0nqonkgl5vfeb3cf86miu"
export const webClientId = "centrapay-sandbox-web"

export const defaultClients: ReadonlyArray<Client> = [
  {
    clientId: defaultClientId,
    applicationType: "native",
    redirectUris: [
      "http://127.0.0.1/oidc-callback",
      "http://localhost/oidc-callback",
      "com.example.yourapp://oidc-callback",
      "https://yourapp.example.com/oidc-callback"
    ],
    postLogoutRedirectUris: [
      "http://127.0.0.1/oidc-logout",
      "http://localhost/oidc-logout",
      "com.example.yourapp://oidc-logout",
      "https://yourapp.example.com/oidc-logout"
    ]
  },
  {
    clientId: webClientId,
    applicationType: "web",
    redirectUris: ["https://yourapp.example.com/oidc-callback"],
    postLogoutRedirectUris: ["https://yourapp.example.com/oidc-logout"]
  }
]

export const webRedirectUris = (origin: string) => {
  const base = new URL(origin).origin
  return { redirectUri: `${base}/oidc-callback`, postLogoutRedirectUri: `${base}/oidc-logout` }
}

/** The clients with the web origins registered on the web client (added when absent). */
const withWebOrigins = (clients: ReadonlyArray<Client>, origins: ReadonlyArray<string>): ReadonlyArray<Client> => {
  if (origins.length === 0) return clients
  const uris = origins.map(webRedirectUris)
  const extend = (client: Client): Client => ({
    ...client,
    redirectUris: [...new Set([...client.redirectUris, ...uris.map((u) => u.redirectUri)])],
    postLogoutRedirectUris: [
      ...new Set([...(client.postLogoutRedirectUris ?? []), ...uris.map((u) => u.postLogoutRedirectUri)])
    ]
  })
  return clients.some((client) => client.clientId === webClientId)
    ? clients.map((client) => client.clientId === webClientId ? extend(client) : client)
    : [...clients, extend({ clientId: webClientId, applicationType: "web", redirectUris: [] })]
}

export const defaultUser: User = {
  sub: "user-1",
  email: "jane.doe@example.com",
  email_verified: true,
  phone_number: "+6421234567890",
  phone_number_verified: true,
  given_name: "Jane",
  family_name: "Doe",
  preferred_username: "janedoe"
}

export const resourceIndicator = `https://${Centrapay.productionHost}`
export const apiPrefix = "/api/"

export const defaultTtls = {
  accessToken: 3600,
  idToken: 3600,
  refreshToken: 60 * 24 * 60 * 60
} as const

/** The claims of the docs' table, all released with scope `openid` (as Cognito does). */
const userClaims = [
  "email",
  "email_verified",
  "phone_number",
  "phone_number_verified",
  "given_name",
  "family_name",
  "preferred_username"
] as const

const configurationError = (detail: string) => new OidcServer.OidcServerError({ reason: "Configuration", detail })

const seconds = (
  name: string,
  ttl: Ttl | undefined,
  fallback: number
): Effect.Effect<number, OidcServer.OidcServerError> => {
  if (ttl === undefined) return Effect.succeed(fallback)
  const value = typeof ttl === "number" ? ttl : Duration.toSeconds(Duration.decode(ttl))
  return Number.isFinite(value) && value > 0
    ? Effect.succeed(Math.ceil(value))
    : Effect.fail(configurationError(`${name} must be a positive, finite lifetime (got ${String(ttl)})`))
}

const validateUsers = (users: ReadonlyArray<User>): Effect.Effect<void, OidcServer.OidcServerError> => {
  const subs = new Set<string>()
  for (const user of users) {
    if (user.sub === "") return Effect.fail(configurationError("a user has an empty sub"))
    if (subs.has(user.sub)) return Effect.fail(configurationError(`duplicate user sub ${JSON.stringify(user.sub)}`))
    subs.add(user.sub)
    if (user.email === undefined && user.phone_number === undefined) {
      return Effect.fail(configurationError(`user ${JSON.stringify(user.sub)} needs an email or a phone_number`))
    }
  }
  return users.length === 0 ? Effect.fail(configurationError("at least one user is required")) : Effect.void
}

const toMetadata = (client: Client): ClientMetadata => ({
  client_id: client.clientId,
  application_type: client.applicationType ?? "native",
  token_endpoint_auth_method: "none",
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  redirect_uris: [...client.redirectUris],
  post_logout_redirect_uris: [...(client.postLogoutRedirectUris ?? [])]
})

/**
 * The default policy, plus: a login whose name is no user's `sub` (oidc-provider's development
 * form accepts any name) asks for the login again. Without it, `findAccount` returning
 * `undefined` after a login crashes the consent check with a 500.
 */
const policy = (oidc: OidcServer.OidcProviderModule) => {
  const base = oidc.interactionPolicy.base()
  base.get("login")?.checks.add(
    new oidc.interactionPolicy.Check(
      "unknown_account",
      "the login name is not a known user",
      (ctx) => ctx.oidc.session?.accountId !== undefined && ctx.oidc.account === undefined
    ),
    0
  )
  return base
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"])

/** A browser origin may call the API / token endpoint when it is a redirect URI's origin (any port on loopback for native clients). */
const originAllowed = (origin: string, client: Client): boolean => {
  const parsed = URL.parse(origin)
  if (parsed === null || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) return false
  return client.redirectUris.some((uri) => {
    const allowed = URL.parse(uri)
    if (allowed === null) return false
    if (allowed.origin === parsed.origin) return true
    return (client.applicationType ?? "native") === "native" && allowed.protocol === "http:" &&
      parsed.protocol === "http:" && LOOPBACK_HOSTS.has(allowed.hostname) && allowed.hostname === parsed.hostname
  })
}

const emptyCounters = (): Counters => ({
  authorizationRequests: 0,
  tokenRequests: 0,
  tokenRequestsByGrantType: {},
  tokensIssued: 0,
  tokenErrors: {},
  resourceRequests: 0,
  resourceRequestsByOutcome: { access_token: 0, api_key: 0, unauthorized: 0 },
  unauthorizedByReason: {}
})

const bump = <K extends string>(record: Readonly<Partial<Record<K, number>>>, key: K): Readonly<Record<K, number>> =>
  ({ ...record, [key]: (record[key] ?? 0) + 1 }) as Record<K, number>

const sendJson = (
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
) => {
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    ...headers
  })
  response.end(JSON.stringify(body))
}

/** A compact JWS: three base64url parts. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

export const start = (options: Options = {}): Effect.Effect<CentrapayOidc, OidcServer.OidcServerError, Scope.Scope> =>
  Effect.gen(function*() {
    const users = options.users ?? [defaultUser]
    yield* validateUsers(users)
    const clients = yield* Effect.try({
      try: () => withWebOrigins(options.clients ?? defaultClients, options.webOrigins ?? []),
      catch: () => configurationError(`webOrigins must be absolute http(s) origins`)
    })
    const firstClient = clients[0]
    if (firstClient === undefined) return yield* configurationError("at least one client is required")
    const accessTokenTtl = yield* seconds("accessTokenTtl", options.accessTokenTtl, defaultTtls.accessToken)
    const idTokenTtl = yield* seconds("idTokenTtl", options.idTokenTtl, defaultTtls.idToken)
    const refreshTokenTtl = yield* seconds("refreshTokenTtl", options.refreshTokenTtl, defaultTtls.refreshToken)
    const rotate = options.rotateRefreshToken ?? true
    const apiKeys = new Map(
      (options.apiKeys ?? [{ key: Centrapay.testMerchantApiKey, name: Centrapay.testMerchantKeyName }])
        .map((key, i) => [reveal(key.key), key.name ?? `api-key-${i + 1}`] as const)
    )
    const usersBySub = new Map(users.map((user) => [user.sub, user]))
    const defaultLogin = users[0]?.sub ?? ""

    // Mutable state shared with the Node request handlers; read through Effect.sync.
    let counters = emptyCounters()
    const issuedJtis = new Set<string>()
    const grantOfJti = new Map<string, string>()
    const revokedJtis = new Set<string>()
    const revokedGrants = new Set<string>()

    // Like Cognito's access tokens, ours carry the granted OIDC scopes (`scope: "openid"`); with
    // an empty resource scope oidc-provider would answer `"scope": ""`.
    const resourceServer: ResourceServer = {
      scope: "openid email phone profile",
      audience: resourceIndicator,
      accessTokenTTL: accessTokenTtl,
      accessTokenFormat: "jwt",
      jwt: { sign: { alg: "RS256" } }
    }

    const configuration = (oidc: OidcServer.OidcProviderModule): Configuration => ({
      clients: clients.map(toMetadata),
      scopes: ["openid", "offline_access", "email", "phone", "profile"],
      claims: {
        openid: ["sub", ...userClaims],
        email: ["email", "email_verified"],
        phone: ["phone_number", "phone_number_verified"],
        profile: ["given_name", "family_name", "preferred_username"]
      },
      // Scope-released claims go into the ID token of the code flow too (no userinfo here).
      conformIdTokenClaims: false,
      responseTypes: ["code"],
      // oidc-provider 9 supports S256 only (no `methods` option any more); required for every client.
      pkce: { required: () => true },
      extraParams: ["u"],
      cookies: { keys: [base64UrlToken()] },
      interactions: { policy: policy(oidc) },
      findAccount: (_ctx, sub) => {
        const user = usersBySub.get(sub)
        if (user === undefined) return undefined
        return {
          accountId: user.sub,
          claims: () => {
            const claims: Record<string, unknown> = { sub: user.sub }
            for (const name of userClaims) if (user[name] !== undefined) claims[name] = user[name]
            return claims as { sub: string }
          }
        }
      },
      features: {
        devInteractions: { enabled: true },
        userinfo: { enabled: false },
        rpInitiatedLogout: { enabled: true },
        revocation: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => resourceIndicator,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, indicator) => {
            if (indicator === resourceIndicator) return resourceServer
            throw new oidc.errors.InvalidTarget(`unknown resource ${indicator}`)
          }
        }
      },
      // Like Cognito: a refresh token with scope `openid` alone, for any client allowed the grant.
      issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
      rotateRefreshToken: () => rotate,
      // Tokens outlive the login session (the session cookie is the browser's, not the app's).
      expiresWithSession: async () => false,
      clientBasedCORS: (_ctx, origin, client) => {
        const registered = clients.find((c) => c.clientId === client.clientId)
        return registered !== undefined && originAllowed(origin, registered)
      },
      ttl: {
        AccessToken: accessTokenTtl,
        IdToken: idTokenTtl,
        // A rotated refresh token keeps the expiry of the one it replaces: 60 days from login.
        RefreshToken: (ctx) => {
          const rotated = ctx?.oidc.entities.RotatedRefreshToken
          return rotated === undefined ? refreshTokenTtl : Math.max(1, rotated.remainingTTL)
        },
        Grant: refreshTokenTtl + 3600,
        Session: refreshTokenTtl + 3600,
        AuthorizationCode: 60,
        Interaction: 3600
      }
    })

    // -------------------------------------------------------------------------------------------
    // The protected API under /api/.

    let jwks: ReturnType<typeof jose.createLocalJWKSet> | undefined
    let issuerUrl = ""

    const unauthorized = (
      response: http.ServerResponse,
      reason: UnauthorizedReason,
      headers: Record<string, string>
    ) => {
      counters = {
        ...counters,
        resourceRequestsByOutcome: bump(counters.resourceRequestsByOutcome, "unauthorized" as ResourceOutcome),
        unauthorizedByReason: bump(counters.unauthorizedByReason, reason)
      }
      sendJson(response, 401, { message: "Unauthorized" }, headers)
    }

    const accepted = (
      response: http.ServerResponse,
      outcome: ResourceOutcome,
      body: unknown,
      headers: Record<string, string>
    ) => {
      counters = { ...counters, resourceRequestsByOutcome: bump(counters.resourceRequestsByOutcome, outcome) }
      sendJson(response, 200, body, headers)
    }

    const corsHeaders = (request: http.IncomingMessage): Record<string, string> => {
      const origin = request.headers.origin
      if (origin === undefined || !clients.some((client) => originAllowed(origin, client))) return {}
      return { "access-control-allow-origin": origin, vary: "Origin" }
    }

    const handleApi = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
      const cors = corsHeaders(request)
      if (request.method === "OPTIONS") {
        response.writeHead(204, {
          ...cors,
          ...(cors["access-control-allow-origin"] === undefined ? {} : {
            "access-control-allow-methods": "GET",
            "access-control-allow-headers": "authorization, x-api-key",
            "access-control-max-age": "600"
          })
        })
        response.end()
        return
      }
      counters = { ...counters, resourceRequests: counters.resourceRequests + 1 }
      const path = new URL(request.url ?? "/", issuerUrl).pathname
      if (path !== Centrapay.resourcePath) return sendJson(response, 404, { message: "Not Found" }, cors)
      if (request.method !== "GET") {
        return sendJson(response, 405, { message: "Method Not Allowed" }, { ...cors, allow: "GET" })
      }

      const apiKey = request.headers[Centrapay.apiKeyHeader]
      if (typeof apiKey === "string" && apiKey !== "") {
        const name = apiKeys.get(apiKey)
        if (name === undefined) return unauthorized(response, "unknown_api_key", cors)
        return accepted(response, "api_key", {
          items: [{ accountId: `account-${name}`, role: "merchant-terminal" }],
          auth: "api-key",
          api_key: name
        }, cors)
      }

      const authorization = request.headers.authorization
      if (authorization === undefined || authorization === "") return unauthorized(response, "missing", cors)
      // The docs send the JWT as it is: `Authorization: <jwt>`, no scheme.
      if (!JWT_SHAPE.test(authorization) || jwks === undefined) return unauthorized(response, "malformed", cors)
      let payload: jose.JWTPayload
      try {
        const verified = await jose.jwtVerify(authorization, jwks, {
          issuer: issuerUrl,
          audience: resourceIndicator,
          typ: "at+jwt",
          algorithms: ["RS256"],
          requiredClaims: ["exp", "iat", "jti", "sub"]
        })
        payload = verified.payload
      } catch (error) {
        const code = (error as { code?: unknown }).code
        return unauthorized(response, code === "ERR_JWT_EXPIRED" ? "expired" : "invalid", cors)
      }
      const jti = payload.jti ?? ""
      const grantId = grantOfJti.get(jti)
      if (revokedJtis.has(jti) || (grantId !== undefined && revokedGrants.has(grantId))) {
        return unauthorized(response, "revoked", cors)
      }
      return accepted(response, "access_token", {
        items: [{ accountId: `account-${payload.sub}`, role: "account-owner" }],
        auth: "jwt",
        sub: payload.sub,
        client_id: payload["client_id"]
      }, cors)
    }

    const intercept = (request: http.IncomingMessage, response: http.ServerResponse): boolean => {
      if (!(request.url ?? "").startsWith(apiPrefix)) return false
      handleApi(request, response).catch((error) => {
        if (!response.headersSent) sendJson(response, 500, { message: String(error) })
        else response.destroy()
      })
      return true
    }

    const setup = (provider: Provider) => {
      provider.on("access_token.issued", (token) => {
        issuedJtis.add(token.jti)
        if (token.grantId !== undefined) grantOfJti.set(token.jti, token.grantId)
      })
      provider.on("grant.revoked", (_ctx, grantId) => {
        revokedGrants.add(grantId)
      })

      // Counts requests to the authorization and token endpoints, after oidc-provider answered.
      provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => {
        await next()
        if (ctx.path === "/auth") {
          counters = { ...counters, authorizationRequests: counters.authorizationRequests + 1 }
        } else if (ctx.path === "/token" && ctx.method === "POST") {
          const grantType = ctx.oidc?.params?.["grant_type"]
          const error = (ctx.body as { error?: unknown } | undefined)?.error
          counters = {
            ...counters,
            tokenRequests: counters.tokenRequests + 1,
            tokenRequestsByGrantType: typeof grantType === "string" && grantType !== ""
              ? bump(counters.tokenRequestsByGrantType, grantType)
              : counters.tokenRequestsByGrantType,
            tokensIssued: counters.tokensIssued + (ctx.status === 200 ? 1 : 0),
            tokenErrors: ctx.status !== 200 && typeof error === "string"
              ? bump(counters.tokenErrors, error)
              : counters.tokenErrors
          }
        }
      })
    }

    const server = yield* OidcServer.start({ configuration, setup, intercept, port: options.port })
    const issuer = server.issuer
    issuerUrl = issuer
    jwks = jose.createLocalJWKSet(server.publicJwks as jose.JSONWebKeySet)

    const resolveLoginName = (authorizationUrl: string, loginOptions: LoginOptions | undefined): string => {
      const params = URL.parse(authorizationUrl)?.searchParams
      const wanted = loginOptions?.user ?? params?.get("u") ?? params?.get("login_hint") ?? defaultLogin
      const found = users.find((user) =>
        user.sub === wanted ||
        (user.email !== undefined && user.email.toLowerCase() === wanted.toLowerCase()) ||
        (user.phone_number !== undefined && user.phone_number === wanted.replace(/[\s-]/g, ""))
      )
      // An unknown name goes to the server as typed: its findAccount refuses it.
      return found?.sub ?? wanted
    }

    const login = (authorizationUrl: string, loginOptions?: LoginOptions) => {
      const name = resolveLoginName(authorizationUrl, loginOptions)
      return OidcLogin.login(
        issuer,
        authorizationUrl,
        name,
        () =>
          `the server refused the login ${JSON.stringify(name)}: no user has that sub, email or phone_number ` +
          `(users: ${users.map((user) => JSON.stringify(user.sub)).join(", ")})`
      )
    }

    // The browser's last step: it follows the redirect to the app (a loopback listener, say).
    const signIn = (authorizationUrl: string, loginOptions?: LoginOptions) =>
      Effect.tap(login(authorizationUrl, loginOptions), OidcLogin.followRedirect)

    return {
      issuer,
      apiBaseUrl: issuer,
      resource: resourceIndicator,
      clientId: firstClient.clientId,
      clients,
      users,
      login,
      signIn,
      revokeAccessTokens: Effect.sync(() => {
        for (const jti of issuedJtis) revokedJtis.add(jti)
      }),
      counters: Effect.sync(() => counters),
      resetCounters: Effect.sync(() => {
        counters = emptyCounters()
      })
    }
  })

/** {@link CentrapayOidc.signIn} for a provider known only by an authorization URL on it. */
export const signInAt = (authorizationUrl: string, loginOptions?: LoginOptions): Effect.Effect<URL, LoginError> => {
  const url = URL.parse(authorizationUrl)
  if (url === null) {
    return Effect.fail(new LoginError({ reason: "NotIssuer", url: authorizationUrl, detail: "not a URL" }))
  }
  const name = loginOptions?.user ?? url.searchParams.get("u") ?? url.searchParams.get("login_hint") ??
    defaultUser.sub
  return Effect.tap(
    OidcLogin.login(
      url.origin,
      authorizationUrl,
      name,
      () => `the server refused the login ${JSON.stringify(name)}: no user has that sub`
    ),
    OidcLogin.followRedirect
  )
}
