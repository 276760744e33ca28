/**
 * An emulator of Centrapay user access tokens ("Auth": "User Access Tokens"): a real OpenID
 * Provider (`oidc-provider`) on `http://127.0.0.1:<free port>`, configured the way the docs
 * describe Centrapay's authorization server (which behaves like AWS Cognito), plus the
 * protected API on the same origin.
 *
 * - Authorization code flow only, PKCE `S256` required for every client, public clients
 *   (`token_endpoint_auth_method: "none"`), scope `openid` (`email`, `phone`, `profile` and
 *   `offline_access` are accepted too).
 * - The ID token carries the documented claims (`sub` and whichever of `email`,
 *   `email_verified`, `phone_number`, `phone_number_verified`, `given_name`, `family_name`,
 *   `preferred_username` the user has) for scope `openid` alone: the userinfo endpoint is not
 *   supported (absent from discovery, 404).
 * - Access tokens are JWTs (RFC 9068, `typ: at+jwt`) for the audience {@link resourceIndicator};
 *   a refresh token comes with scope `openid` alone (no `offline_access` or `prompt=consent`
 *   needed), rotated on every use unless `rotateRefreshToken: false`; a replayed one is
 *   `invalid_grant` and revokes the grant. Default lifetimes: access and ID token 1 hour,
 *   refresh token 60 days (as documented).
 * - `GET /api/account-memberships` on the same origin takes the access token RAW in
 *   `Authorization` (no `Bearer`, as the docs show) or an API key in `X-Api-Key` (the documented
 *   test merchant key by default, as in {@link Centrapay}).
 * - `end_session_endpoint` (RP-initiated logout), `revocation_endpoint`, the docs' extra `u`
 *   authorization parameter (phone number to prefill the login form) are supported.
 *
 * Logins use oidc-provider's development forms (any password; the login name is the user's
 * `sub`); {@link CentrapayOidc.login} fills them in over plain HTTP, without a browser.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { ApiKey } from "./Centrapay.js"
import * as internal from "./internal/centrapayOidc.js"
import type { OidcServerError } from "./OidcServer.js"

/**
 * A user who can log in, with the claims the docs list (claim names as on the wire). At least
 * one of `email` and `phone_number` is required, as the docs promise one of them.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * const ada: CentrapayOidc.User = { sub: "user-2", email: "ada@example.com", email_verified: true }
 * const server = CentrapayOidc.start({ users: [CentrapayOidc.defaultUser, ada] })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface User {
  /** The Centrapay user id; also the login name on the development login form. */
  readonly sub: string
  /** The email address (one of `email` and `phone_number` is required). */
  readonly email?: string | undefined
  /** Whether the email address was verified. */
  readonly email_verified?: boolean | undefined
  /** The phone number, E.164 (one of `email` and `phone_number` is required). */
  readonly phone_number?: string | undefined
  /** Whether the phone number was verified. */
  readonly phone_number_verified?: boolean | undefined
  /** Given name(s). */
  readonly given_name?: string | undefined
  /** Surname. */
  readonly family_name?: string | undefined
  /** The Centrapay user handle. */
  readonly preferred_username?: string | undefined
}

/**
 * A registered public client (no secret; PKCE is what protects the code).
 *
 * `applicationType` `"native"` (the default) accepts `http://127.0.0.1/<path>` or
 * `http://localhost/<path>` redirect URIs on any port (RFC 8252 §7.3), custom schemes
 * (`com.example.yourapp://oidc-callback`) and claimed `https` URIs; `"web"` accepts `http(s)`
 * URIs, matched exactly (port included).
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * const webApp: CentrapayOidc.Client = {
 *   clientId: "shop-web",
 *   applicationType: "web",
 *   redirectUris: ["https://shop.example.com/callback"],
 *   postLogoutRedirectUris: ["https://shop.example.com/"]
 * }
 * const server = CentrapayOidc.start({ clients: [webApp] })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Client {
  /** The client id; the token endpoint authenticates it with `none` (a public client). */
  readonly clientId: string
  /** The redirect URIs it may use (loopback ones on any port for a native client). */
  readonly redirectUris: ReadonlyArray<string>
  /** Where RP-initiated logout may send the browser back. Default none. */
  readonly postLogoutRedirectUris?: ReadonlyArray<string> | undefined
  /** `native` (the default: loopback, custom scheme and claimed https URIs) or `web`. */
  readonly applicationType?: "native" | "web" | undefined
}

/**
 * A lifetime: a number of SECONDS (as `expires_in`), or an Effect `Duration` / duration string
 * (`"5 seconds"`). Rounded up to whole seconds; must be positive.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * const accessTokenTtl: CentrapayOidc.Ttl = "5 seconds" // or 5, or Duration.seconds(5)
 * const server = CentrapayOidc.start({ accessTokenTtl })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Ttl = number | Duration.Duration | `${number} ${Duration.Unit}`

/**
 * Options of {@link start}. Every field has a default (see the constants).
 *
 * @example
 * ```ts
 * import type { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * // short access tokens and no rotation, to exercise the refresh path quickly
 * const options: CentrapayOidc.Options = { accessTokenTtl: 2, rotateRefreshToken: false }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The users who can log in. Default `[defaultUser]`. */
  readonly users?: ReadonlyArray<User> | undefined
  /** Default {@link defaultClients}; the first one is `CentrapayOidc.clientId`. */
  readonly clients?: ReadonlyArray<Client> | undefined
  /**
   * Origins of web apps (`http://127.0.0.1:5173`) registered on the web client
   * ({@link webClientId}, added to `clients` when absent): redirect URI `<origin>/oidc-callback`
   * and post-logout redirect URI `<origin>/oidc-logout` (see {@link webRedirectUris}). Like any
   * redirect URI's origin, they get CORS on the token, revocation and API endpoints, as Centrapay
   * gives a whitelisted origin.
   */
  readonly webOrigins?: ReadonlyArray<string> | undefined
  /** API keys accepted in `X-Api-Key`; default the documented test merchant key. */
  readonly apiKeys?: ReadonlyArray<ApiKey> | undefined
  /** Access token lifetime. Default 3600 s. */
  readonly accessTokenTtl?: Ttl | undefined
  /** ID token lifetime. Default 3600 s. */
  readonly idTokenTtl?: Ttl | undefined
  /**
   * Refresh token lifetime. Default 60 days. Counted from the login: a rotated refresh token keeps
   * the expiry of the one it replaces.
   */
  readonly refreshTokenTtl?: Ttl | undefined
  /** Issue a new refresh token on every refresh (default `true`). */
  readonly rotateRefreshToken?: boolean | undefined
  /**
   * The port on 127.0.0.1; the issuer is `http://127.0.0.1:<port>`. Default 0: a free port chosen
   * by the operating system. A fixed port that is taken fails {@link start} (`OidcServerError`,
   * reason `"Listen"`).
   */
  readonly port?: number | undefined
}

/**
 * Options of {@link CentrapayOidc.login}.
 *
 * @example
 * ```ts
 * import type { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * const asJane: CentrapayOidc.LoginOptions = { user: "jane.doe@example.com" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface LoginOptions {
  /**
   * Who logs in: a user's `sub`, `email` or `phone_number`. Default: the authorization URL's
   * `u` parameter (the docs' phone prefill) or `login_hint` when present, else the first user.
   * A user the server does not know fails the login with reason `"UnknownUser"`.
   */
  readonly user?: string | undefined
}

/**
 * How a resource request ended: accepted with an access token, accepted with an API key, or
 * refused with 401.
 *
 * @example
 * ```ts
 * import type { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * const accepted = (counters: CentrapayOidc.Counters) => {
 *   const outcomes: ReadonlyArray<CentrapayOidc.ResourceOutcome> = ["access_token", "api_key"]
 *   return outcomes.reduce((sum, outcome) => sum + counters.resourceRequestsByOutcome[outcome], 0)
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ResourceOutcome = "access_token" | "api_key" | "unauthorized"

/**
 * Why the resource answered 401: no credentials, an `Authorization` value that is not a bare
 * JWT (`"Bearer <jwt>"` included), a JWT that fails verification (signature, `iss`, `aud`,
 * `typ`), an expired one, a revoked one ({@link CentrapayOidc.revokeAccessTokens} or its grant
 * was revoked), an unknown or revoked API key.
 *
 * @example
 * ```ts
 * import type { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * // a client that sends "Bearer <jwt>" to Centrapay is refused as "malformed"
 * const sentBearer = (counters: CentrapayOidc.Counters) => (counters.unauthorizedByReason.malformed ?? 0) > 0
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type UnauthorizedReason = "missing" | "malformed" | "invalid" | "expired" | "revoked" | "unknown_api_key"

/**
 * Exact counts since start (or the last `resetCounters`). Records hold only the keys seen,
 * except `resourceRequestsByOutcome`, which always has all three.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * // did the client refresh instead of asking the user to log in again?
 * const refreshes = Effect.gen(function*() {
 *   const server = yield* CentrapayOidc.Service
 *   const counters = yield* server.counters
 *   return counters.tokenRequestsByGrantType["refresh_token"] ?? 0
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  /** Requests to the authorization endpoint `/auth` (resumptions after a form are not counted). */
  readonly authorizationRequests: number
  /** Every POST to the token endpoint. */
  readonly tokenRequests: number
  /** By the `grant_type` sent (requests without one are not counted here). */
  readonly tokenRequestsByGrantType: Readonly<Record<string, number>>
  /** Token responses with status 200. */
  readonly tokensIssued: number
  /** Token error responses by their `error` code. */
  readonly tokenErrors: Readonly<Record<string, number>>
  /** Every request under `/api/` (CORS preflights excepted). */
  readonly resourceRequests: number
  /** `resourceRequests` by outcome; all three keys are always present. */
  readonly resourceRequestsByOutcome: Readonly<Record<ResourceOutcome, number>>
  /** 401 answers of the resource by reason (only the reasons seen). */
  readonly unauthorizedByReason: Readonly<Partial<Record<UnauthorizedReason, number>>>
}

/**
 * {@link CentrapayOidc.login} could not reach the redirect back to the client: the URL is not on
 * the issuer, the server refused the user, answered with an error page, or something else
 * unexpected.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * const loginAs = (server: CentrapayOidc.CentrapayOidc, authorizationUrl: string, user: string) =>
 *   server.login(authorizationUrl, { user }).pipe(
 *     Effect.catchTag("LoginError", (error) =>
 *       error.reason === "UnknownUser" ? Effect.dieMessage(`no such test user: ${user}`) : Effect.fail(error))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class LoginError extends Data.TaggedError("LoginError")<{
  /** `NotIssuer`, `UnknownUser`, `ErrorPage`, `UnexpectedResponse` or `Transport`. */
  readonly reason: "NotIssuer" | "UnknownUser" | "ErrorPage" | "UnexpectedResponse" | "Transport"
  /** The URL of the request that went wrong. */
  readonly url: string
  /** The HTTP status of the response that went wrong, when there was one. */
  readonly status?: number | undefined
  /** What went wrong, in words. */
  readonly detail: string
}> {
  /**
   * `Centrapay OIDC login failed (<reason>) at <url>`, the status when there was one, and the detail.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `Centrapay OIDC login failed (${this.reason}) at ${this.url}` +
      (this.status === undefined ? "" : ` with HTTP ${this.status}`) + `: ${this.detail}`
  }
}

/**
 * A running Centrapay OpenID Provider and API.
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * // a complete user login with no browser: the sandbox plays the user
 * const program = Effect.gen(function*() {
 *   const server = yield* CentrapayOidc.start()
 *   const centrapay = yield* CentrapayUser.make({
 *     clientId: server.clientId,
 *     issuer: server.issuer,
 *     baseUrl: server.apiBaseUrl
 *   })
 *   const session = yield* centrapay.loginLoopback({ open: (url) => Effect.orDie(server.signIn(url.href)) })
 *   return session.claims.email
 * }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CentrapayOidc {
  /** `http://127.0.0.1:<port>`; discovery is at `${issuer}/.well-known/openid-configuration`. */
  readonly issuer: string
  /** Where `/api/account-memberships` lives: the issuer's origin. */
  readonly apiBaseUrl: string
  /** The access tokens' audience, {@link resourceIndicator}. */
  readonly resource: string
  /** The first client's id ({@link defaultClientId} by default). */
  readonly clientId: string
  /** The registered clients. */
  readonly clients: ReadonlyArray<Client>
  /** The users who can log in. */
  readonly users: ReadonlyArray<User>
  /**
   * Drives the development login (and consent) forms for `authorizationUrl` (an `/auth` URL
   * on the issuer) with a fresh cookie jar and manual redirects, and returns the redirect that
   * leaves the issuer, WITHOUT fetching it: the `redirect_uri` with `code`, `state` and `iss`,
   * or with `error` when the server refused the request there.
   */
  readonly login: (authorizationUrl: string, options?: LoginOptions) => Effect.Effect<URL, LoginError>
  /**
   * A user signing in with a browser, without one: {@link CentrapayOidc.login}, then a GET of the
   * redirect when it is an http(s) URL (e.g. an app's loopback listener), as the browser would.
   * Yields the redirect. Use it as the `open` of `OidcClient.loginLoopback`.
   */
  readonly signIn: (authorizationUrl: string, options?: LoginOptions) => Effect.Effect<URL, LoginError>
  /** Every access token issued so far gets 401 at the resource; later ones are accepted. */
  readonly revokeAccessTokens: Effect.Effect<void>
  /** A snapshot of the counters. */
  readonly counters: Effect.Effect<Counters>
  /** Sets every counter back to zero. */
  readonly resetCounters: Effect.Effect<void>
}

/**
 * The docs' example client id, `7mapl0nqonkgl5vfeb3cf86miu`: the default native client.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(CentrapayOidc.defaultClientId, "7mapl0nqonkgl5vfeb3cf86miu")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultClientId: string = internal.defaultClientId

/**
 * The id of the default web client, `centrapay-sandbox-web`.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(CentrapayOidc.webClientId, "centrapay-sandbox-web")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const webClientId: string = internal.webClientId

/**
 * The redirect and post-logout redirect URIs a web app on `origin` gets with
 * {@link Options.webOrigins}: `<origin>/oidc-callback` and `<origin>/oidc-logout`. Only the
 * origin of the URL given counts (a path, query or fragment is dropped); an invalid URL throws.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * const uris = CentrapayOidc.webRedirectUris("http://127.0.0.1:5173/shop?tab=1")
 * assert.deepStrictEqual(uris, {
 *   redirectUri: "http://127.0.0.1:5173/oidc-callback",
 *   postLogoutRedirectUri: "http://127.0.0.1:5173/oidc-logout"
 * })
 * // the options of a web app's client against `CentrapayOidc.start({ webOrigins: ["http://127.0.0.1:5173"] })`
 * const client = { clientId: CentrapayOidc.webClientId, ...uris }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const webRedirectUris: (
  origin: string
) => { readonly redirectUri: string; readonly postLogoutRedirectUri: string } = internal.webRedirectUris

/**
 * The clients registered by default:
 *
 * - {@link defaultClientId}, native, redirect URIs `http://127.0.0.1/oidc-callback`,
 *   `http://localhost/oidc-callback` (any port), `com.example.yourapp://oidc-callback`,
 *   `https://yourapp.example.com/oidc-callback`; post-logout redirect URIs the same with
 *   `oidc-logout` for `oidc-callback`;
 * - {@link webClientId}, web, redirect URI `https://yourapp.example.com/oidc-callback`,
 *   post-logout `https://yourapp.example.com/oidc-logout`.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * assert.deepStrictEqual(CentrapayOidc.defaultClients.map((client) => client.clientId), [
 *   CentrapayOidc.defaultClientId,
 *   CentrapayOidc.webClientId
 * ])
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultClients: ReadonlyArray<Client> = internal.defaultClients

/**
 * The default user: `sub` `"user-1"`, `jane.doe@example.com`, `+6421234567890` (the docs'
 * example number), both verified, Jane Doe, `janedoe`.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(CentrapayOidc.defaultUser.sub, "user-1")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultUser: User = internal.defaultUser

/**
 * The resource indicator and access token audience, `https://service.centrapay.com` (the API
 * host). Clients need not send `resource`: it is the default.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(CentrapayOidc.resourceIndicator, "https://service.centrapay.com")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const resourceIndicator: string = internal.resourceIndicator

/**
 * The path prefix of the protected API, `/api/`: everything under it is the resource server,
 * everything else is oidc-provider.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(CentrapayOidc.apiPrefix, "/api/")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const apiPrefix: string = internal.apiPrefix

/**
 * The documented lifetimes in seconds: access token 3600, ID token 3600, refresh token
 * 60 days.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(CentrapayOidc.defaultTtls.refreshToken, 60 * 24 * 3600)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTtls: {
  readonly accessToken: number
  readonly idToken: number
  readonly refreshToken: number
} = internal.defaultTtls

/**
 * Starts the provider and the API on a loopback port (a free one unless `options.port` is given)
 * until the scope closes (server and
 * sockets closed). Fails if the options are inconsistent (duplicate `sub`, a user with neither
 * email nor phone number, a client oidc-provider rejects, a non-positive TTL).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const centrapay = yield* CentrapayOidc.start({ accessTokenTtl: "5 seconds" })
 *   const authorize = new URL(`${centrapay.issuer}/auth`)
 *   authorize.search = new URLSearchParams({
 *     client_id: centrapay.clientId, response_type: "code", scope: "openid",
 *     redirect_uri: "http://127.0.0.1:8765/oidc-callback", state: "s-1",
 *     // RFC 7636 Appendix B: the S256 challenge of "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
 *     code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256"
 *   }).toString()
 *   const callback = yield* centrapay.login(authorize.href) // ...?code=...&state=s-1&iss=...
 *   return callback.searchParams.get("code")
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const start: (options?: Options) => Effect.Effect<CentrapayOidc, OidcServerError, Scope.Scope> = internal.start

/**
 * A user signing in with a browser, without one and without the running provider's handle: the
 * same as {@link CentrapayOidc.signIn}, for a sandbox started elsewhere (another process, e.g.
 * `auth-pipeline sandbox`, or a test that only sees the authorization URL an application
 * printed). The issuer is the URL's origin; the login name is `options.user`, else the URL's `u`
 * or `login_hint` parameter, else {@link defaultUser}'s `sub` (an email or phone number is
 * resolved to its user only by {@link CentrapayOidc.signIn}, which knows the users: here the name
 * must be a `sub`). Fills in the login and consent forms, then GETs the redirect when it is an
 * http(s) URL (the application's loopback listener), and yields it.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 *
 * // Given the URL a CLI printed ("Open this URL in a browser to sign in: ..."), sign in as the
 * // sandbox's default user: yields the callback URL it delivered to the CLI's listener.
 * const signIn = (printed: string) => CentrapayOidc.signInAt(printed)
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const signInAt: (authorizationUrl: string, options?: LoginOptions) => Effect.Effect<URL, LoginError> =
  internal.signInAt

/**
 * The service of {@link layer}.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * const issuer = Effect.map(CentrapayOidc.Service, (server) => server.issuer).pipe(
 *   Effect.provide(CentrapayOidc.layer())
 * )
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Service extends Context.Tag("@auth-pipeline/sandbox/CentrapayOidc/Service")<Service, CentrapayOidc>() {}

/**
 * A Layer running {@link start} for the Layer's lifetime.
 *
 * @example
 * ```ts
 * import { CentrapayOidc } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * const ShortTokens = CentrapayOidc.layer({ accessTokenTtl: "5 seconds" })
 * const program = Effect.flatMap(CentrapayOidc.Service, (server) => server.revokeAccessTokens).pipe(
 *   Effect.provide(ShortTokens)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<Service, OidcServerError> =>
  Layer.scoped(Service, internal.start(options))
