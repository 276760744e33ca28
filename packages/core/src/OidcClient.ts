/**
 * User access tokens through OpenID Connect: the authorization code flow with PKCE, the ID token
 * verified, the user's token set in a {@link TokenCache} refreshed in the background with the
 * refresh_token grant, an authenticated `HttpClient`, loopback login for native apps (RFC 8252)
 * and logout. The provider's metadata comes from discovery (fetched on first use, cached); the
 * userinfo endpoint is never called: the claims are those of the ID token.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type { AccessToken } from "./AccessToken.js"
import type { AuthorizationError, AuthorizationRequest, EndSessionRequest } from "./AuthorizationCode.js"
import type { ClientAuthentication } from "./ClientAuthentication.js"
import type { IdTokenError } from "./IdToken.js"
import * as internal from "./internal/oidcClient.js"
import type { Listener, LoopbackRedirectError, Options as LoopbackOptions } from "./LoopbackRedirect.js"
import type { DiscoveryError, ProviderMetadata } from "./OidcDiscovery.js"
import type { ClientOptions, ProviderAuth } from "./ProviderAuth.js"
import type * as TokenCache from "./TokenCache.js"
import type { TokenError } from "./TokenError.js"
import type { TokenStoreError } from "./TokenStore.js"

/**
 * Failures of a refresh (and so of `token` and the client): the token request, discovery, or the
 * new ID token.
 *
 * @example
 * ```ts
 * import type { OidcClient } from "@auth-pipeline/core"
 *
 * const providerDown = (error: OidcClient.RefreshError): boolean =>
 *   error._tag === "DiscoveryError" || error._tag === "TokenRequestError"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type RefreshError = TokenError | DiscoveryError | IdTokenError

/**
 * Failures of a login: the callback, the code exchange, discovery, the ID token, or storing the
 * token set.
 *
 * @example
 * ```ts
 * import type { OidcClient } from "@auth-pipeline/core"
 *
 * const userMessage = (error: OidcClient.LoginError): string =>
 *   error._tag === "AuthorizationError" && error.reason === "ErrorResponse" ? "Sign-in was cancelled" : error.message
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type LoginError = AuthorizationError | TokenError | DiscoveryError | IdTokenError | TokenStoreError

/**
 * A signed-in user: the token set (access, refresh and ID token) and the ID token's claims,
 * decoded with the client's Schema.
 *
 * @example
 * ```ts
 * import type { OidcClient } from "@auth-pipeline/core"
 *
 * const greet = (session: OidcClient.Session<{ readonly sub: string; readonly name: string }>) =>
 *   `Signed in as ${session.claims.name} (scopes: ${session.token.scopes.join(" ")})`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Session<A> {
  /** The token set the login obtained (access, refresh and ID token), now in the client's cache. */
  readonly token: AccessToken
  /** The verified ID token's claims, decoded with the client's `claims` Schema. */
  readonly claims: A
}

/**
 * Per-login choices; unset ones come from the client's options.
 *
 * @example
 * ```ts
 * import type { OidcClient } from "@auth-pipeline/core"
 *
 * const options: OidcClient.AuthorizeOptions = { scope: ["offline_access"], extraParams: { prompt: "consent" } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthorizeOptions {
  /** The `redirect_uri` of this login. Default: the client's `redirectUri`. */
  readonly redirectUri?: string | undefined
  /** Scopes besides `openid`. */
  readonly scope?: ReadonlyArray<string> | undefined
  /** Extra query parameters, merged over the client's. */
  readonly extraParams?: Readonly<Record<string, string>> | undefined
}

/**
 * Options of {@link OidcClient.loginLoopback}.
 *
 * @example
 * ```ts
 * import type { OidcClient } from "@auth-pipeline/core"
 * import { Console } from "effect"
 *
 * const options: OidcClient.LoopbackLoginOptions = {
 *   timeout: "3 minutes",
 *   open: (url) => Console.log(`Open ${url.href} to sign in`)
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface LoopbackLoginOptions extends Omit<LoopbackOptions, "state">, Omit<AuthorizeOptions, "redirectUri"> {
  /**
   * Shows the authorization URL to the user. Default: the `open` of the `LoopbackRedirect.Listener`
   * in context (on Node, print it and try the system's browser opener, ignoring a missing one).
   */
  readonly open?: ((url: URL) => Effect.Effect<void>) | undefined
}

/**
 * Options of {@link OidcClient.logout}.
 *
 * @example
 * ```ts
 * import type { OidcClient } from "@auth-pipeline/core"
 *
 * const options: OidcClient.LogoutOptions = { postLogoutRedirectUri: "https://app.example.com/", revoke: true }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface LogoutOptions {
  /** Where the provider sends the browser after logout. Default: the client's option. */
  readonly postLogoutRedirectUri?: string | undefined
  /** The `state` the post-logout redirect carries back. Default: 256 fresh random bits. */
  readonly state?: string | undefined
  /**
   * Put the ID token in the URL as `id_token_hint`. Off by default: the URL would then hold the
   * ID token (personal data) wherever it is printed or logged.
   */
  readonly idTokenHint?: boolean | undefined
  /** Revoke the refresh token at the provider. Default `true` (when it has a revocation endpoint). */
  readonly revoke?: boolean | undefined
}

/**
 * What {@link OidcClient.logout} did besides forgetting the token set.
 *
 * @example
 * ```ts
 * import type { OidcClient } from "@auth-pipeline/core"
 * import { Option } from "effect"
 *
 * const nextUrl = (result: OidcClient.LogoutResult): string | undefined =>
 *   Option.getOrUndefined(Option.map(result.endSession, (request) => request.url.href))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface LogoutResult {
  /** The provider's logout URL, when it has an end-session endpoint. */
  readonly endSession: Option.Option<EndSessionRequest>
  /** Whether the provider confirmed the refresh token's revocation. */
  readonly revoked: boolean
}

/**
 * A user-token {@link ProviderAuth}: the token, the client and the cache, plus login, claims and logout.
 * Build one with {@link make}.
 *
 * @example
 * ```ts
 * import type { AuthorizationCode, OidcClient } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * // a web app: redirect to request.url, keep `request` in the session, then complete at the callback
 * const startLogin = <A>(client: OidcClient.OidcClient<A>) => client.authorize({ scope: ["offline_access"] })
 * const completeLogin = <A>(
 *   client: OidcClient.OidcClient<A>,
 *   request: AuthorizationCode.AuthorizationRequest,
 *   callbackUrl: string
 * ) => Effect.map(client.callback(request, callbackUrl), (session) => session.claims)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface OidcClient<A> extends ProviderAuth<RefreshError> {
  /** The provider's discovery document (fetched on first use, cached). */
  readonly metadata: Effect.Effect<ProviderMetadata, DiscoveryError>
  /** Starts a login: the URL to send the user to and what to keep until the callback. */
  readonly authorize: (options?: AuthorizeOptions) => Effect.Effect<AuthorizationRequest, DiscoveryError>
  /**
   * Completes a login: checks the callback against `request`, exchanges the code with the PKCE
   * verifier, verifies the ID token (with the request's nonce), decodes its claims and puts the
   * token set in the cache, which then keeps it fresh.
   */
  readonly callback: (
    request: AuthorizationRequest,
    callback: string | URL | URLSearchParams
  ) => Effect.Effect<Session<A>, LoginError>
  /**
   * The whole login of a command-line or desktop app through a loopback redirect (RFC 8252). The
   * listener comes from the `LoopbackRedirect.Listener` in context: `NodeLoopbackRedirect.layer`
   * of `@auth-pipeline/platform-node` on Node.
   */
  readonly loginLoopback: (
    options?: LoopbackLoginOptions
  ) => Effect.Effect<Session<A>, LoginError | LoopbackRedirectError, Listener>
  /** The claims of the current ID token, if signed in. */
  readonly claims: Effect.Effect<Option.Option<A>, TokenStoreError | IdTokenError>
  /**
   * Logs out: forgets the token set, revokes its refresh token at the provider's
   * `revocation_endpoint` when there is one (RFC 7009, best effort), and yields the provider's
   * logout URL (with `post_logout_redirect_uri` and `state`) for the user's browser.
   */
  readonly logout: (options?: LogoutOptions) => Effect.Effect<LogoutResult, DiscoveryError | TokenStoreError>
}

/**
 * Options of {@link make}: the issuer and client, the claims Schema, and the defaults of logins and logouts.
 *
 * @example
 * ```ts
 * import type { OidcClient } from "@auth-pipeline/core"
 * import { Schema } from "effect"
 *
 * const Claims = Schema.Struct({ sub: Schema.String, email: Schema.optional(Schema.String) })
 * const options: OidcClient.Options<typeof Claims.Type, typeof Claims.Encoded> = {
 *   name: "my-idp",
 *   issuer: "https://id.example.com",
 *   clientId: "my-cli",
 *   scope: ["offline_access"],
 *   claims: Claims,
 *   baseUrl: "https://api.example.com"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<A, I> extends ClientOptions {
  /** A name for the cache, spans and metrics. */
  readonly name: string
  /** The issuer; its discovery document must name it exactly. */
  readonly issuer: string
  /** The client identifier registered at the provider (the ID token's audience). */
  readonly clientId: string
  /** How the client authenticates at the token endpoint. Default `none` (a public client). */
  readonly clientAuthentication?: ClientAuthentication | undefined
  /** The default redirect URI of {@link OidcClient.authorize}. */
  readonly redirectUri?: string | undefined
  /** Scopes besides `openid`. */
  readonly scope?: ReadonlyArray<string> | undefined
  /** Extra authorization query parameters. */
  readonly extraParams?: Readonly<Record<string, string>> | undefined
  /** The claims the provider documents, decoded from every verified ID token. */
  readonly claims: Schema.Schema<A, I>
  /** ID token clock tolerance. Default 30 s. */
  readonly clockTolerance?: Duration.DurationInput | undefined
  /** The logout endpoint when the discovery document has no `end_session_endpoint`. */
  readonly endSessionEndpoint?: string | undefined
  /** The default `post_logout_redirect_uri`. */
  readonly postLogoutRedirectUri?: string | undefined
  /** Timeout of each token request. Default 30 s. */
  readonly tokenTimeout?: Duration.DurationInput | undefined
  /** Discovery document timeout and lifetime in the cache. */
  readonly discovery?: {
    readonly timeout?: Duration.DurationInput | undefined
    readonly ttl?: Duration.DurationInput | undefined
  } | undefined
  /** Cache behaviour: refresh policy, background refresh, retries, store (e.g. `FileTokenStore`). */
  readonly cache?:
    | Omit<TokenCache.Options<RefreshError, never>, "acquire" | "refresh" | "name" | "isTransient">
    | undefined
}

/**
 * Builds an OIDC client over the `HttpClient` in context; its background refresh lives in the
 * current Scope. Nothing is fetched until first needed, so an app with a stored token set starts
 * offline.
 *
 * @example
 * ```ts
 * import { OidcClient } from "@auth-pipeline/core"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Schema } from "effect"
 * import { NodeLoopbackRedirect } from "@auth-pipeline/platform-node"
 *
 * const Claims = Schema.Struct({ sub: Schema.String, email: Schema.optional(Schema.String) })
 *
 * // a command-line login: browser, loopback redirect, then an authenticated request
 * const program = Effect.gen(function*() {
 *   const client = yield* OidcClient.make({
 *     name: "my-idp",
 *     issuer: "https://id.example.com",
 *     clientId: "my-cli",
 *     scope: ["offline_access"],
 *     claims: Claims,
 *     baseUrl: "https://api.example.com"
 *   })
 *   const session = yield* client.loginLoopback()
 *   yield* Effect.logInfo(`signed in as ${session.claims.sub}`)
 *   return yield* client.client.get("/me")
 * }).pipe(Effect.scoped, Effect.provide([FetchHttpClient.layer, NodeLoopbackRedirect.layer]))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <A, I>(
  options: Options<A, I>
) => Effect.Effect<OidcClient<A>, never, HttpClient.HttpClient | Scope.Scope> = internal.make
