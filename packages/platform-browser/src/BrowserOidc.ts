/**
 * OpenID Connect in a browser application, in place of `oidc-client`'s `UserManager`: redirect
 * sign-in with the authorization code flow and PKCE, the callback, the session in Web Storage,
 * silent renew shared across the tabs of the origin, session change events, a manual refresh,
 * sign-out through the end-session endpoint, and the authenticated `HttpClient` (401 → refresh →
 * one retry). Built on core's `OidcClient`; a provider package supplies the options (e.g.
 * `CentrapayUser.oidcOptions`).
 *
 * - `signinRedirect`: the authorization URL with PKCE `S256`, `state` and `nonce` (256 random bits
 *   each); the verifier and nonce are kept in `sessionStorage` (the transaction store) under the
 *   `state` until the callback, and the page goes to the provider (`location.assign`).
 * - `handleCallback`: first rewrites the address bar and the current history entry without the
 *   callback's parameters (`history.replaceState`), then takes the transaction of the callback's
 *   `state` out of the store (so a replayed or foreign callback finds none:
 *   `AuthorizationError` `StateMismatch`), checks `iss`, exchanges the code, verifies the ID
 *   token with the nonce, stores the session and yields the app state given at sign-in.
 * - The session (access, refresh and ID token) lives in `localStorage` by default, shared by the
 *   origin's tabs and kept across reloads. Anything that runs script on the origin can read
 *   `localStorage` and `sessionStorage`: an XSS flaw hands over the refresh token. Choose
 *   `"sessionStorage"` (one tab, lost when it closes) or `"memory"` (lost on reload) to shrink
 *   that window, at the cost of signing in again.
 * - Silent renew is the token cache's background refresh with the refresh token (no iframe). Each
 *   refresh runs under a Web Lock (`navigator.locks`) named after the session, and re-reads the
 *   session inside it: a tab that finds the token it meant to refresh already replaced by another
 *   tab takes that one, so two tabs never spend one refresh token twice.
 * - `sessions` emits the current session, then each change (a renewal with new claims, a sign-in
 *   or sign-out in this tab or another one, via `BroadcastChannel`): oidc-client's `userLoaded`.
 *
 * @since 0.1.0
 */
import type { AuthorizationError } from "@auth-pipeline/core/AuthorizationCode"
import type { IdTokenError } from "@auth-pipeline/core/IdToken"
import type * as OidcClient from "@auth-pipeline/core/OidcClient"
import type { DiscoveryError } from "@auth-pipeline/core/OidcDiscovery"
import type { TokenCacheError } from "@auth-pipeline/core/TokenCache"
import type { TokenStoreError } from "@auth-pipeline/core/TokenStore"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as KeyValueStore from "@effect/platform/KeyValueStore"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/browserOidc.js"
import type { Navigation } from "./Navigation.js"
import type { TabSync } from "./TabSync.js"

/**
 * Where the session lives: `"localStorage"` (default: every tab of the origin, across reloads),
 * `"sessionStorage"` (this tab only), `"memory"` (this page load only), or any `KeyValueStore`.
 * Web Storage is chosen by name and read only when {@link make} runs.
 *
 * @example
 * ```ts
 * import type { BrowserOidc } from "@auth-pipeline/platform-browser"
 *
 * // one tab, gone when it closes: less for a cross-site scripting flaw to take, one sign-in per tab
 * const store: BrowserOidc.SessionStorage = "sessionStorage"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type SessionStorage = "localStorage" | "sessionStorage" | "memory" | KeyValueStore.KeyValueStore

/**
 * What {@link make} takes: the OIDC client (a provider's options, or your own) and where its
 * session and sign-in transactions live. Only `client` is required.
 *
 * @example
 * ```ts
 * import { type Claims, CentrapayUser } from "@auth-pipeline/centrapay"
 * import type { BrowserOidc } from "@auth-pipeline/platform-browser"
 *
 * const options: BrowserOidc.Options<Claims.Claims, typeof Claims.Claims.Encoded> = {
 *   client: CentrapayUser.oidcOptions({
 *     clientId: "7mapl0nqonkgl5vfeb3cf86miu",
 *     redirectUri: "https://shop.example.com/oidc-callback",
 *     postLogoutRedirectUri: "https://shop.example.com/oidc-logout"
 *   }),
 *   store: "sessionStorage", // signed in in this tab only
 *   storageKey: "shop:centrapay" // keys `shop:centrapay:session`, `shop:centrapay:signin:<state>`, ...
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<A, I> {
  /** The OIDC client: a provider's options (`CentrapayUser.oidcOptions({...})`) or your own. */
  readonly client: OidcClient.Options<A, I>
  /** Where the session lives. Default `"localStorage"`. */
  readonly store?: SessionStorage | undefined
  /**
   * Where a sign-in's PKCE verifier and nonce (and a sign-out's app state) wait for their
   * callback. Default `"sessionStorage"`.
   */
  readonly transactionStore?: "sessionStorage" | "memory" | KeyValueStore.KeyValueStore | undefined
  /**
   * Prefix of the storage keys, the lock and the broadcast channel. Default
   * `auth-pipeline:<client name>:<client id>`.
   */
  readonly storageKey?: string | undefined
  /**
   * Send trace context headers (`traceparent`, `b3`) to the provider and the API. Default
   * `false`: on a cross-origin request they need the server's CORS preflight to allow them.
   */
  readonly tracerPropagation?: boolean | undefined
}

/**
 * Options of {@link BrowserOidc.signinRedirect}.
 *
 * @example
 * ```ts
 * import type { BrowserOidc } from "@auth-pipeline/platform-browser"
 *
 * // back to the basket once signed in, with Centrapay's login form prefilled with a phone number
 * const options: BrowserOidc.SigninRedirectOptions = {
 *   state: "https://shop.example.com/basket",
 *   extraQueryParams: { u: "+6421234567890" }
 * }
 * const signIn = <A>(oidc: BrowserOidc.BrowserOidc<A>) => oidc.signinRedirect(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface SigninRedirectOptions {
  /** App state returned by `handleCallback` (e.g. `location.href` to come back to). */
  readonly state?: string | undefined
  /** Extra authorization parameters, e.g. Centrapay's `{ u: phoneNumber }`. */
  readonly extraQueryParams?: Readonly<Record<string, string>> | undefined
  /** Scopes besides `openid`. */
  readonly scope?: ReadonlyArray<string> | undefined
  /** Default: the client's `redirectUri`. */
  readonly redirectUri?: string | undefined
}

/**
 * Options of {@link BrowserOidc.signoutRedirect}.
 *
 * @example
 * ```ts
 * import type { BrowserOidc } from "@auth-pipeline/platform-browser"
 *
 * // a provider that wants to know whose session ends; back to the home page afterwards
 * const options: BrowserOidc.SignoutRedirectOptions = { idTokenHint: true, state: "/" }
 * const signOut = <A>(oidc: BrowserOidc.BrowserOidc<A>) => oidc.signoutRedirect(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface SignoutRedirectOptions {
  /** App state returned by `handleSignoutCallback`. */
  readonly state?: string | undefined
  /** Send the ID token as `id_token_hint` (it is then in the URL). Default `false`. */
  readonly idTokenHint?: boolean | undefined
  /** Default: the client's `postLogoutRedirectUri`. */
  readonly postLogoutRedirectUri?: string | undefined
  /** Revoke the refresh token at the provider first. Default `true`. */
  readonly revoke?: boolean | undefined
}

/**
 * What `handleCallback` yields: the new session and the app state given to `signinRedirect`.
 *
 * @example
 * ```ts
 * import type { BrowserOidc } from "@auth-pipeline/platform-browser"
 * import { Option } from "effect"
 *
 * // where the page goes once signed in: back where the user was, else home
 * const returnTo = <A>(result: BrowserOidc.SigninResult<A>) => Option.getOrElse(result.state, () => "/")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface SigninResult<A> {
  /** The signed-in user: the token set (kept in the store) and the verified claims. */
  readonly session: OidcClient.Session<A>
  /** The `state` given to `signinRedirect` (e.g. the page to return to), if any. */
  readonly state: Option.Option<string>
}

/**
 * A sign-in or sign-out transaction could not be kept or read (Web Storage full, disabled, or
 * holding something unreadable). Carries no secret.
 *
 * @example
 * ```ts
 * import { BrowserOidc } from "@auth-pipeline/platform-browser"
 *
 * const error = new BrowserOidc.TransactionError({ operation: "save", detail: "QuotaExceededError" })
 * assert.strictEqual(error.message, "Sign-in transaction save failed: QuotaExceededError")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TransactionError extends Data.TaggedError("TransactionError")<{
  /** Whether keeping (`save`) or reading back (`load`) the transaction failed. */
  readonly operation: "save" | "load"
  /** What went wrong, without the transaction's content. */
  readonly detail: string
}> {
  /**
   * Names the operation and what went wrong.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `Sign-in transaction ${this.operation} failed: ${this.detail}`
  }
}

/**
 * Failures of reading the session: the store cannot be read or holds something that is not a
 * token set (`TokenStoreError`), or the stored session has no ID token or its claims do not
 * decode (`IdTokenError`).
 *
 * @example
 * ```ts
 * import type { BrowserOidc } from "@auth-pipeline/platform-browser"
 *
 * const explain = (error: BrowserOidc.SessionError) =>
 *   error._tag === "TokenStoreError" ? "the stored session cannot be read" : "the stored ID token is unusable"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type SessionError = TokenStoreError | IdTokenError

/**
 * An OpenID Connect client of a browser application: everything of core's `OidcClient` (`client`,
 * the authenticated `HttpClient`; `token`, `claims`, `cache`, ...) over the session in the
 * chosen store, plus the redirect sign-in and sign-out of a page and the session's changes.
 *
 * @example
 * ```ts
 * import type { BrowserOidc } from "@auth-pipeline/platform-browser"
 * import { Effect, Option } from "effect"
 *
 * // on page load: finish a sign-in or sign-out (yields where to go), else make sure someone is signed in
 * const onLoad = <A>(oidc: BrowserOidc.BrowserOidc<A>, here: string) =>
 *   Effect.gen(function*() {
 *     if (yield* oidc.isSigninCallback) {
 *       const { state } = yield* oidc.handleCallback
 *       return Option.some(Option.getOrElse(state, () => "/"))
 *     }
 *     if (yield* oidc.isSignoutCallback) {
 *       return Option.some(Option.getOrElse(yield* oidc.handleSignoutCallback, () => "/"))
 *     }
 *     if (Option.isNone(yield* oidc.session)) yield* oidc.signinRedirect({ state: here })
 *     return Option.none<string>()
 *   })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface BrowserOidc<A> extends OidcClient.OidcClient<A> {
  /** The current session as stored (fresh or not), with its claims; `None` when signed out. */
  readonly session: Effect.Effect<Option.Option<OidcClient.Session<A>>, SessionError>
  /**
   * The current session, then every change: a renewal (with the new ID token's claims), a sign-in
   * or sign-out, in this tab or another tab of the origin. Consecutive equal sessions are
   * emitted once.
   */
  readonly sessions: Stream.Stream<Option.Option<OidcClient.Session<A>>, SessionError>
  /** Stores a sign-in transaction and sends the page to the provider's authorization URL. */
  readonly signinRedirect: (
    options?: SigninRedirectOptions
  ) => Effect.Effect<void, DiscoveryError | TransactionError>
  /** Whether the page is the sign-in callback: the redirect URI's path, with `state` or `error`. */
  readonly isSigninCallback: Effect.Effect<boolean>
  /** Completes the sign-in the page's URL answers (see the module's description). */
  readonly handleCallback: Effect.Effect<SigninResult<A>, OidcClient.LoginError | TransactionError>
  /**
   * Refreshes the session now with its refresh token: for a token that expired while the device
   * was offline. `ReauthenticationRequired` means: sign in again.
   */
  readonly refresh: Effect.Effect<OidcClient.Session<A>, TokenCacheError<OidcClient.RefreshError> | SessionError>
  /**
   * Forgets the session (in every tab), revokes its refresh token, and sends the page to the
   * end-session endpoint with `post_logout_redirect_uri` and a fresh `state` (the app state is
   * kept under it). Without an end-session endpoint the page stays.
   */
  readonly signoutRedirect: (
    options?: SignoutRedirectOptions
  ) => Effect.Effect<void, DiscoveryError | TokenStoreError | TransactionError>
  /** Whether the page is the post-logout redirect: its path, with `state`. */
  readonly isSignoutCallback: Effect.Effect<boolean>
  /**
   * Completes a sign-out: removes `state` from the address bar and history and yields the app
   * state given to `signoutRedirect`; an unknown `state` fails with `StateMismatch`.
   */
  readonly handleSignoutCallback: Effect.Effect<Option.Option<string>, AuthorizationError | TransactionError>
}

/**
 * Builds the client over the `HttpClient` (`FetchHttpClient.layer`), the {@link Navigation} and the
 * {@link TabSync} in context; its silent renew lives in the current Scope. Nothing is fetched
 * until needed.
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 * import { BrowserOidc, Navigation, TabSync } from "@auth-pipeline/platform-browser"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer, Option } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const oidc = yield* BrowserOidc.make({
 *     client: CentrapayUser.oidcOptions({
 *       clientId: "7mapl0nqonkgl5vfeb3cf86miu",
 *       redirectUri: "https://shop.example.com/oidc-callback"
 *     }),
 *     store: "memory",
 *     transactionStore: "memory"
 *   })
 *   assert.ok(Option.isNone(yield* oidc.session)) // nobody signed in yet
 *   assert.strictEqual(yield* oidc.isSigninCallback, false)
 * })
 * // in a page: Effect.provide(BrowserOidc.layerBrowser); here a page in memory (and nothing is fetched)
 * const page = Layer.mergeAll(
 *   FetchHttpClient.layer,
 *   Layer.effect(Navigation.Navigation, Navigation.makeMemory("https://shop.example.com/")),
 *   Layer.effect(TabSync.TabSync, TabSync.makeMemory)
 * )
 * Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(page)))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <A, I>(
  options: Options<A, I>
) => Effect.Effect<BrowserOidc<A>, never, HttpClient.HttpClient | Navigation | TabSync | Scope.Scope> = internal.make

/**
 * What {@link make} needs in a browser: `FetchHttpClient.layer`, the page's `location` and
 * `history`, `navigator.locks` and `BroadcastChannel`.
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 * import { BrowserOidc } from "@auth-pipeline/platform-browser"
 * import { Effect } from "effect"
 *
 * // the page's script (not run here: Node has no page)
 * const main = Effect.gen(function*() {
 *   const oidc = yield* BrowserOidc.make({
 *     client: CentrapayUser.oidcOptions({
 *       clientId: "7mapl0nqonkgl5vfeb3cf86miu",
 *       redirectUri: `${location.origin}/oidc-callback`
 *     })
 *   })
 *   if (yield* oidc.isSigninCallback) yield* oidc.handleCallback
 * }).pipe(Effect.scoped, Effect.provide(BrowserOidc.layerBrowser))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerBrowser: Layer.Layer<HttpClient.HttpClient | Navigation | TabSync> = internal.layerBrowser
