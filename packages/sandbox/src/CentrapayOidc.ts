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
 * @since 0.1.0
 * @category models
 */
export interface User {
  /** The Centrapay user id; also the login name on the development login form. */
  readonly sub: string
  readonly email?: string | undefined
  readonly email_verified?: boolean | undefined
  readonly phone_number?: string | undefined
  readonly phone_number_verified?: boolean | undefined
  readonly given_name?: string | undefined
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
 * @since 0.1.0
 * @category models
 */
export interface Client {
  readonly clientId: string
  readonly redirectUris: ReadonlyArray<string>
  readonly postLogoutRedirectUris?: ReadonlyArray<string> | undefined
  readonly applicationType?: "native" | "web" | undefined
}

/**
 * A lifetime: a number of SECONDS (as `expires_in`), or an Effect `Duration` / duration string
 * (`"5 seconds"`). Rounded up to whole seconds; must be positive.
 *
 * @since 0.1.0
 * @category models
 */
export type Ttl = number | Duration.Duration | `${number} ${Duration.Unit}`

/**
 * Options of {@link start}. Every field has a default (see the constants).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default `[defaultUser]`. */
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
  /** Default 3600 s. */
  readonly accessTokenTtl?: Ttl | undefined
  /** Default 3600 s. */
  readonly idTokenTtl?: Ttl | undefined
  /**
   * Default 60 days. Counted from the login: a rotated refresh token keeps the expiry of the one
   * it replaces.
   */
  readonly refreshTokenTtl?: Ttl | undefined
  /** Issue a new refresh token on every refresh (default `true`). */
  readonly rotateRefreshToken?: boolean | undefined
}

/**
 * Options of {@link CentrapayOidc.login}.
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
 * @since 0.1.0
 * @category models
 */
export type UnauthorizedReason = "missing" | "malformed" | "invalid" | "expired" | "revoked" | "unknown_api_key"

/**
 * Exact counts since start (or the last `resetCounters`). Records hold only the keys seen,
 * except `resourceRequestsByOutcome`, which always has all three.
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
  readonly resourceRequestsByOutcome: Readonly<Record<ResourceOutcome, number>>
  readonly unauthorizedByReason: Readonly<Partial<Record<UnauthorizedReason, number>>>
}

/**
 * {@link CentrapayOidc.login} could not reach the redirect back to the client: the URL is not on
 * the issuer, the server refused the user, answered with an error page, or something else
 * unexpected.
 *
 * @since 0.1.0
 * @category errors
 */
export class LoginError extends Data.TaggedError("LoginError")<{
  readonly reason: "NotIssuer" | "UnknownUser" | "ErrorPage" | "UnexpectedResponse" | "Transport"
  /** The URL of the request that went wrong. */
  readonly url: string
  readonly status?: number | undefined
  readonly detail: string
}> {
  /**
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
  readonly clients: ReadonlyArray<Client>
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
  readonly counters: Effect.Effect<Counters>
  readonly resetCounters: Effect.Effect<void>
}

/**
 * The docs' example client id, `7mapl0nqonkgl5vfeb3cf86miu`: the default native client.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultClientId: string = internal.defaultClientId

/**
 * The id of the default web client, `centrapay-sandbox-web`.
 *
 * @since 0.1.0
 * @category constants
 */
export const webClientId: string = internal.webClientId

/**
 * The redirect and post-logout redirect URIs a web app on `origin` gets with
 * {@link Options.webOrigins}: `<origin>/oidc-callback` and `<origin>/oidc-logout`.
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
 * @since 0.1.0
 * @category constants
 */
export const defaultClients: ReadonlyArray<Client> = internal.defaultClients

/**
 * The default user: `sub` `"user-1"`, `jane.doe@example.com`, `+6421234567890` (the docs'
 * example number), both verified, Jane Doe, `janedoe`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultUser: User = internal.defaultUser

/**
 * The resource indicator and access token audience, `https://service.centrapay.com` (the API
 * host). Clients need not send `resource`: it is the default.
 *
 * @since 0.1.0
 * @category constants
 */
export const resourceIndicator: string = internal.resourceIndicator

/**
 * The path prefix of the protected API, `/api/`: everything under it is the resource server,
 * everything else is oidc-provider.
 *
 * @since 0.1.0
 * @category constants
 */
export const apiPrefix: string = internal.apiPrefix

/**
 * The documented lifetimes in seconds: access token 3600, ID token 3600, refresh token
 * 60 days.
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
 * Starts the provider and the API on a free loopback port until the scope closes (server and
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
 * The service of {@link layer}.
 *
 * @since 0.1.0
 * @category tags
 */
export class Service extends Context.Tag("@auth-pipeline/sandbox/CentrapayOidc/Service")<Service, CentrapayOidc>() {}

/**
 * A Layer running {@link start} for the Layer's lifetime.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<Service, OidcServerError> =>
  Layer.scoped(Service, internal.start(options))
