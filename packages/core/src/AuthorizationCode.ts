/**
 * The front-channel half of the OAuth 2.0 authorization code flow (RFC 6749 §4.1) as OpenID
 * Connect uses it: the authorization URL with a PKCE `S256` challenge (RFC 7636), `state` and
 * `nonce` from the CSPRNG; the callback checked (`state`, RFC 9207 `iss`, an error response as a
 * typed error) before its code is handed to `Grant.authorizationCode`; and the RP-initiated
 * logout URL.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { constantTimeEqual } from "./internal/redact.js"
import * as Pkce from "./Pkce.js"

/**
 * What an application keeps between sending the user to the authorization URL and the callback
 * (in a session, a cookie it encrypts, or memory for a CLI): the URL itself, the `state` that the
 * callback must echo, the `nonce` the ID token must carry, and the PKCE verifier (secret).
 *
 * @example
 * ```ts
 * import { AuthorizationCode } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const request: AuthorizationCode.AuthorizationRequest = yield* AuthorizationCode.authorizationUrl({
 *     authorizationEndpoint: "https://id.example.com/auth",
 *     clientId: "my-app",
 *     redirectUri: "https://app.example.com/callback"
 *   })
 *   assert.strictEqual(request.url.searchParams.get("state"), request.state)
 * })
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationRequest {
  /** Where to send the user. */
  readonly url: URL
  /** The `state` sent: the callback must echo it (checked in constant time). */
  readonly state: string
  /** The `nonce` sent: the ID token from the code exchange must carry it. */
  readonly nonce: string
  /** The PKCE verifier, sent only with the code exchange; never put it in a URL. */
  readonly codeVerifier: Redacted.Redacted<string>
  /** The `redirect_uri` sent, which the code exchange must repeat. */
  readonly redirectUri: string
  /** The scopes asked for (`openid` first). */
  readonly scopes: ReadonlyArray<string>
}

/**
 * The Schema of an {@link AuthorizationRequest}, for keeping it between the two halves of a web
 * login (e.g. as JSON in a server-side session). The encoded form holds the PKCE verifier in
 * clear: keep it on the server or encrypted, never in a URL or an unencrypted cookie.
 *
 * @example
 * ```ts
 * import { AuthorizationCode } from "@auth-pipeline/core"
 * import { Effect, Schema } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const request = yield* AuthorizationCode.authorizationUrl({
 *     authorizationEndpoint: "https://id.example.com/auth",
 *     clientId: "my-app",
 *     redirectUri: "https://app.example.com/callback"
 *   })
 *   // keep it in the server-side session, read it back at the callback
 *   const json = JSON.stringify(yield* Schema.encode(AuthorizationCode.AuthorizationRequest)(request))
 *   const restored = yield* Schema.decodeUnknown(AuthorizationCode.AuthorizationRequest)(JSON.parse(json))
 *   assert.strictEqual(restored.state, request.state)
 * })
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuthorizationRequest: Schema.Schema<
  AuthorizationRequest,
  {
    readonly url: string
    readonly state: string
    readonly nonce: string
    readonly codeVerifier: string
    readonly redirectUri: string
    readonly scopes: ReadonlyArray<string>
  }
> = Schema.Struct({
  url: Schema.URL,
  state: Schema.String,
  nonce: Schema.String,
  codeVerifier: Schema.Redacted(Schema.String),
  redirectUri: Schema.String,
  scopes: Schema.Array(Schema.String)
})

/**
 * What {@link authorizationUrl} needs: the provider's authorization endpoint, the client and where to
 * return.
 *
 * @example
 * ```ts
 * import type { AuthorizationCode } from "@auth-pipeline/core"
 *
 * const options: AuthorizationCode.AuthorizationUrlOptions = {
 *   authorizationEndpoint: "https://id.example.com/auth",
 *   clientId: "my-app",
 *   redirectUri: "com.example.app://oidc-callback",
 *   scope: ["offline_access"],
 *   extraParams: { prompt: "consent" }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationUrlOptions {
  /** The provider's `authorization_endpoint`. */
  readonly authorizationEndpoint: string
  /** The client identifier, sent as `client_id`. */
  readonly clientId: string
  /** A web URL, an app scheme (`com.example.app://oidc-callback`) or a loopback URL (RFC 8252). */
  readonly redirectUri: string
  /** Scopes besides `openid`, which is always asked for. */
  readonly scope?: ReadonlyArray<string> | undefined
  /**
   * The `state` to send. Default: 256 fresh random bits. Give one only when it must be known
   * before the URL is built (e.g. by a loopback listener); it must be unguessable and used once.
   */
  readonly state?: string | undefined
  /**
   * Other query parameters (`prompt`, `login_hint`, or a provider's own such as Centrapay's `u`).
   * They cannot override the parameters this module sets.
   */
  readonly extraParams?: Readonly<Record<string, string>> | undefined
}

const reserved = new Set([
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "nonce",
  "code_challenge",
  "code_challenge_method"
])

/**
 * Builds an authorization request: `response_type=code`, the scopes with `openid`, a fresh PKCE
 * pair (S256), `state` and `nonce` of 256 random bits each, and the extra parameters (empty ones
 * left out).
 *
 * @example
 * ```ts
 * import { AuthorizationCode } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const request = yield* AuthorizationCode.authorizationUrl({
 *     authorizationEndpoint: "https://id.example.com/auth",
 *     clientId: "my-app",
 *     redirectUri: "https://app.example.com/callback",
 *     scope: ["offline_access"]
 *   })
 *   assert.strictEqual(request.url.searchParams.get("scope"), "openid offline_access")
 *   assert.strictEqual(request.url.searchParams.get("code_challenge_method"), "S256")
 * })
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const authorizationUrl = (options: AuthorizationUrlOptions): Effect.Effect<AuthorizationRequest> =>
  Effect.gen(function*() {
    const pkce = yield* Pkce.make
    const state = options.state ?? (yield* Pkce.randomToken())
    const nonce = yield* Pkce.randomToken()
    const scopes = [...new Set(["openid", ...(options.scope ?? []).filter((s) => s.length > 0)])]
    const url = new URL(options.authorizationEndpoint)
    const params = url.searchParams
    params.set("response_type", "code")
    params.set("client_id", options.clientId)
    params.set("redirect_uri", options.redirectUri)
    params.set("scope", scopes.join(" "))
    params.set("state", state)
    params.set("nonce", nonce)
    params.set("code_challenge", pkce.challenge)
    params.set("code_challenge_method", pkce.method)
    for (const [name, value] of Object.entries(options.extraParams ?? {})) {
      if (!reserved.has(name) && value.length > 0) params.set(name, value)
    }
    return { url, state, nonce, codeVerifier: pkce.verifier, redirectUri: options.redirectUri, scopes }
  })

/**
 * The callback could not be accepted: its `state` is not the one sent (`StateMismatch`: a forged
 * or stale callback), its `iss` names another issuer (`IssuerMismatch`, RFC 9207), the provider
 * answered with an error (`ErrorResponse`: `error` is e.g. `access_denied`, `login_required`), or
 * there is no code (`MissingCode`).
 *
 * @example
 * ```ts
 * import { AuthorizationCode } from "@auth-pipeline/core"
 * import { Effect, Option } from "effect"
 *
 * const code = (request: AuthorizationCode.AuthorizationRequest, callbackUrl: string) =>
 *   AuthorizationCode.validateCallback(request, callbackUrl).pipe(
 *     Effect.catchTag("AuthorizationError", (error) =>
 *       Option.contains(error.error, "access_denied")
 *         ? Effect.dieMessage("the user declined the login")
 *         : Effect.fail(error))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthorizationError extends Data.TaggedError("AuthorizationError")<{
  /** `StateMismatch`, `IssuerMismatch`, `ErrorResponse` (the provider's `error`) or `MissingCode`. */
  readonly reason: "StateMismatch" | "IssuerMismatch" | "ErrorResponse" | "MissingCode"
  /** The `error` code of an error response. */
  readonly error: Option.Option<string>
  /** The `error_description` of an error response, when sent. */
  readonly errorDescription: Option.Option<string>
}> {
  /**
   * Says which check failed, or the provider's `error` and description.
   *
   * @since 0.1.0
   */
  override get message(): string {
    switch (this.reason) {
      case "StateMismatch":
        return "Authorization callback rejected: state does not match the request (forged or stale callback)"
      case "IssuerMismatch":
        return "Authorization callback rejected: iss does not name the expected issuer"
      case "MissingCode":
        return "Authorization callback rejected: no authorization code"
      case "ErrorResponse": {
        const description = Option.match(this.errorDescription, { onNone: () => "", onSome: (d) => `: ${d}` })
        return `Authorization failed: ${Option.getOrElse(this.error, () => "error")}${description}`
      }
    }
  }
}

const paramsOf = (callback: string | URL | URLSearchParams): URLSearchParams => {
  if (callback instanceof URLSearchParams) return callback
  if (callback instanceof URL) return callback.searchParams
  // A request target as a server sees it ("/oidc-callback?code=...") or a whole URL.
  if (callback.startsWith("/")) return new URL(callback, "http://localhost").searchParams
  try {
    return new URL(callback).searchParams
  } catch {
    return new URLSearchParams(callback.startsWith("?") ? callback.slice(1) : callback)
  }
}

const failWith = (
  reason: AuthorizationError["reason"],
  params?: URLSearchParams
): Effect.Effect<never, AuthorizationError> =>
  Effect.fail(
    new AuthorizationError({
      reason,
      error: Option.fromNullable(params?.get("error")),
      errorDescription: Option.fromNullable(params?.get("error_description"))
    })
  )

/**
 * Checks a callback (the redirect URL, a request target such as `/oidc-callback?code=...`, its
 * query string or parameters) against the request it
 * answers and yields the authorization code. In order: `state` must equal the request's; `iss`,
 * when present or when `requireIss` (the provider advertises
 * `authorization_response_iss_parameter_supported`), must equal `issuer`; then an error response
 * fails with its `error`; then a `code` must be present.
 *
 * @example
 * ```ts
 * import { AuthorizationCode } from "@auth-pipeline/core"
 * import { Effect, Redacted } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const request = yield* AuthorizationCode.authorizationUrl({
 *     authorizationEndpoint: "https://id.example.com/auth",
 *     clientId: "my-app",
 *     redirectUri: "https://app.example.com/callback"
 *   })
 *   const callback = `/callback?code=c-1&state=${request.state}&iss=https%3A%2F%2Fid.example.com`
 *   const code = yield* AuthorizationCode.validateCallback(request, callback, { issuer: "https://id.example.com" })
 *   assert.strictEqual(Redacted.value(code), "c-1")
 *   const forged = yield* Effect.flip(AuthorizationCode.validateCallback(request, "/callback?code=c-2&state=guess"))
 *   assert.strictEqual(forged.reason, "StateMismatch")
 * })
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category callback
 */
export const validateCallback = (
  request: AuthorizationRequest,
  callback: string | URL | URLSearchParams,
  options: { readonly issuer?: string | undefined; readonly requireIss?: boolean | undefined } = {}
): Effect.Effect<Redacted.Redacted<string>, AuthorizationError> => {
  const params = paramsOf(callback)
  const state = params.get("state")
  if (state === null || !constantTimeEqual(state, request.state)) return failWith("StateMismatch")
  const iss = params.get("iss")
  if (options.issuer !== undefined && (iss !== null || options.requireIss === true) && iss !== options.issuer) {
    return failWith("IssuerMismatch")
  }
  if (params.get("error") !== null) return failWith("ErrorResponse", params)
  const code = params.get("code")
  if (code === null || code.length === 0) return failWith("MissingCode")
  return Effect.succeed(Redacted.make(code))
}

/**
 * A logout request: the URL to send the user to and the `state` the post-logout redirect will
 * carry back.
 *
 * @example
 * ```ts
 * import type { AuthorizationCode } from "@auth-pipeline/core"
 *
 * // after the post-logout redirect: accept it only with the state sent
 * const isOurLogout = (request: AuthorizationCode.EndSessionRequest, returned: URL): boolean =>
 *   returned.searchParams.get("state") === request.state
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface EndSessionRequest {
  /** The provider's `end_session_endpoint` with the logout parameters. */
  readonly url: URL
  /** The `state` sent, which the post-logout redirect carries back. */
  readonly state: string
}

/**
 * The RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0): `client_id`,
 * `id_token_hint` when an ID token is known, `post_logout_redirect_uri` and a `state` (fresh
 * unless given).
 *
 * @example
 * ```ts
 * import { AuthorizationCode } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const request = Effect.runSync(AuthorizationCode.endSessionUrl({
 *   endSessionEndpoint: "https://id.example.com/session/end",
 *   clientId: "my-app",
 *   postLogoutRedirectUri: "https://app.example.com/",
 *   state: "s-1"
 * }))
 * assert.strictEqual(request.url.searchParams.get("post_logout_redirect_uri"), "https://app.example.com/")
 * assert.strictEqual(request.url.searchParams.get("state"), "s-1")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const endSessionUrl = (options: {
  readonly endSessionEndpoint: string
  readonly clientId: string
  readonly postLogoutRedirectUri?: string | undefined
  readonly idTokenHint?: Redacted.Redacted<string> | undefined
  readonly state?: string | undefined
}): Effect.Effect<EndSessionRequest> =>
  Effect.map(options.state === undefined ? Pkce.randomToken() : Effect.succeed(options.state), (state) => {
    const url = new URL(options.endSessionEndpoint)
    url.searchParams.set("client_id", options.clientId)
    if (options.idTokenHint !== undefined) url.searchParams.set("id_token_hint", Redacted.value(options.idTokenHint))
    if (options.postLogoutRedirectUri !== undefined) {
      url.searchParams.set("post_logout_redirect_uri", options.postLogoutRedirectUri)
    }
    url.searchParams.set("state", state)
    return { url, state }
  })
