import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as AccessToken from "../AccessToken.js"
import * as AuthorizationCode from "../AuthorizationCode.js"
import * as ClientAuthentication from "../ClientAuthentication.js"
import * as Grant from "../Grant.js"
import * as IdToken from "../IdToken.js"
import * as Jwks from "../Jwks.js"
import * as LoopbackRedirect from "../LoopbackRedirect.js"
import * as Metrics from "../Metrics.js"
import type {
  AuthorizeOptions,
  LogoutOptions,
  LogoutResult,
  LoopbackLoginOptions,
  OidcClient,
  Options,
  RefreshError,
  Session
} from "../OidcClient.js"
import * as OidcDiscovery from "../OidcDiscovery.js"
import * as Pkce from "../Pkce.js"
import * as ProviderAuth from "../ProviderAuth.js"
import * as Revocation from "../Revocation.js"
import * as TokenCache from "../TokenCache.js"
import * as TokenEndpoint from "../TokenEndpoint.js"
import * as TokenError from "../TokenError.js"
import * as TokenStore from "../TokenStore.js"
import { annotateOutcome } from "./telemetry.js"

const isTransient = (error: RefreshError): boolean => {
  switch (error._tag) {
    case "DiscoveryError":
      return OidcDiscovery.isTransient(error)
    case "IdTokenError":
      return false
    default:
      return TokenError.isTransient(error)
  }
}

export const make = <A, I>(
  options: Options<A, I>
): Effect.Effect<OidcClient<A>, never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const withHttp = Effect.provideService(HttpClient.HttpClient, http)
    const metadata = yield* OidcDiscovery.cached(options.issuer, options.discovery ?? {})
    // One key set per jwks_uri (discovery is re-read hourly and may name a new one), each
    // fetched on first verification.
    const keySets = new Map<string, Jwks.Jwks>()
    const keySet = Effect.flatMap(metadata, (m) =>
      Effect.suspend(() => {
        const known = keySets.get(m.jwks_uri)
        return known !== undefined
          ? Effect.succeed(known)
          : Effect.tap(withHttp(Jwks.remote(m.jwks_uri)), (made) => Effect.sync(() => keySets.set(m.jwks_uri, made)))
      }))
    const keys: Jwks.Jwks = {
      get: Effect.flatMap(keySet, (k) => k.get),
      refresh: Effect.flatMap(keySet, (k) => k.refresh)
    }
    const clientAuthentication = options.clientAuthentication ?? ClientAuthentication.none(options.clientId)
    const endpoint = Effect.map(metadata, (m) =>
      TokenEndpoint.make({ url: m.token_endpoint, clientAuthentication, timeout: options.tokenTimeout }))
    const decodeClaims = IdToken.decodeClaims(options.claims as Schema.Schema<A, I>)

    const verify = (token: AccessToken.AccessToken, checks: { nonce?: string; subject?: string }) =>
      Effect.gen(function*() {
        const m = yield* metadata
        const idToken = yield* IdToken.required(token.idToken)
        const claims = yield* IdToken.verify(idToken, {
          issuer: m.issuer,
          clientId: options.clientId,
          keys,
          algorithms: IdToken.allowedAlgorithms(m),
          clockTolerance: options.clockTolerance,
          nonce: checks.nonce,
          subject: checks.subject
        })
        return yield* decodeClaims(claims)
      })

    const store: TokenStore.TokenStore = options.cache?.store === undefined
      ? yield* TokenStore.inMemory()
      : options.cache.store

    const keepRotatedRefreshToken = (
      previous: Option.Option<AccessToken.AccessToken>,
      refreshed: AccessToken.AccessToken
    ): Effect.Effect<void> =>
      Option.isSome(previous) && Option.isSome(refreshed.refreshToken)
        ? Effect.ignore(
          store.compareAndSet(
            previous.value,
            Option.some(new AccessToken.AccessToken({ ...previous.value, refreshToken: refreshed.refreshToken }))
          )
        )
        : Effect.void

    // A refresh must be about the same user (Core 1.0 §12.2); a response without a new ID token
    // keeps the one the session has, so the claims stay readable.
    const refresh = (refreshToken: Redacted.Redacted<string>): Effect.Effect<AccessToken.AccessToken, RefreshError> =>
      Effect.gen(function*() {
        const previous = yield* Effect.orElseSucceed(store.get, () =>
          Option.none<AccessToken.AccessToken>())
        const previousIdToken = Option.flatMap(previous, (t) => t.idToken)
        const subject = yield* Option.match(previousIdToken, {
          onNone: () => Effect.succeed(undefined),
          onSome: (t) =>
            Effect.map(Effect.option(IdToken.unverifiedClaims(t)), Option.map((c) => c.sub)).pipe(
              Effect.map(Option.getOrUndefined)
            )
        })
        const token = yield* withHttp(Effect.flatMap(endpoint, (e) => Grant.refreshToken(e, refreshToken)))
        if (Option.isNone(token.idToken)) return new AccessToken.AccessToken({ ...token, idToken: previousIdToken })
        return yield* verify(token, subject === undefined ? {} : { subject }).pipe(
          Effect.as(token),
          Effect.catchAll((error) =>
            // The grant succeeded, so the provider may have rotated the refresh token: keep the new
            // one with the session's current tokens, or the next refresh would present a used one
            // (invalid_grant: a logout). The failure is final for this fetch: retrying would
            // repeat the grant.
            Effect.zipRight(
              keepRotatedRefreshToken(previous, token),
              Effect.fail(
                error._tag === "DiscoveryError"
                  ? new IdToken.IdTokenError({ reason: "KeysUnavailable", detail: error.message })
                  : error
              )
            )
          )
        )
      })

    const cache = yield* TokenCache.make<RefreshError, never>({
      ...options.cache,
      name: options.name,
      store,
      refresh,
      isTransient
    })
    const auth = ProviderAuth.fromCache(cache, http, options)

    const authorize = (authorizeOptions: AuthorizeOptions & { readonly state?: string } = {}) =>
      Effect.flatMap(metadata, (m) => {
        const redirectUri = authorizeOptions.redirectUri ?? options.redirectUri
        if (redirectUri === undefined) {
          return Effect.dieMessage(`${options.name}: authorize needs a redirectUri (in the options or the call)`)
        }
        return AuthorizationCode.authorizationUrl({
          authorizationEndpoint: m.authorization_endpoint,
          clientId: options.clientId,
          redirectUri,
          scope: authorizeOptions.scope ?? options.scope,
          extraParams: { ...options.extraParams, ...authorizeOptions.extraParams },
          state: authorizeOptions.state
        })
      })

    const callback = (
      request: AuthorizationCode.AuthorizationRequest,
      received: string | URL | URLSearchParams
    ) =>
      Effect.gen(function*() {
        const m = yield* metadata
        const code = yield* AuthorizationCode.validateCallback(request, received, {
          issuer: m.issuer,
          requireIss: m.authorization_response_iss_parameter_supported === true
        })
        const e = yield* endpoint
        const token = yield* withHttp(
          Grant.authorizationCode(e, { code, redirectUri: request.redirectUri, codeVerifier: request.codeVerifier })
        )
        const claims = yield* verify(token, { nonce: request.nonce })
        yield* cache.set(token)
        return { token, claims } satisfies Session<A>
      }).pipe(
        annotateOutcome,
        Effect.withSpan("auth_pipeline.oidc.callback", { attributes: { "auth_pipeline.provider": options.name } }),
        // the code exchange's token request metrics carry the provider, as the cache's do
        Effect.tagMetrics(Metrics.providerTag, options.name)
      )

    const loginLoopback = (loginOptions: LoopbackLoginOptions = {}) =>
      Effect.scoped(
        Effect.gen(function*() {
          // The state is chosen first so the listener answers only the callback of this login.
          const state = yield* Pkce.randomToken()
          const loopback = yield* LoopbackRedirect.Listener
          const listener = yield* loopback.listen({ ...loginOptions, state })
          const request = yield* authorize({
            state,
            redirectUri: listener.redirectUri,
            scope: loginOptions.scope,
            extraParams: loginOptions.extraParams
          })
          yield* (loginOptions.open ?? loopback.open)(request.url)
          const received = yield* listener.callback
          return yield* callback(request, received)
        })
      )

    const claims = Effect.flatMap(cache.current, (current) =>
      Option.match(Option.flatMap(current, (t) => t.idToken), {
        onNone: () => Effect.succeed(Option.none<A>()),
        onSome: (idToken) =>
          IdToken.unverifiedClaims(idToken).pipe(Effect.flatMap(decodeClaims), Effect.map(Option.some))
      }))

    const logout = (logoutOptions: LogoutOptions = {}) =>
      Effect.gen(function*() {
        const current = yield* cache.current
        yield* cache.clear
        const m = yield* metadata
        const refreshToken = Option.flatMap(current, (t) => t.refreshToken)
        const revoked = m.revocation_endpoint === undefined || Option.isNone(refreshToken) ||
            logoutOptions.revoke === false
          ? false
          : yield* withHttp(Revocation.revoke({
            url: m.revocation_endpoint,
            clientAuthentication,
            token: refreshToken.value,
            tokenTypeHint: "refresh_token"
          })).pipe(
            Effect.as(true),
            // Best effort: the local session is gone either way.
            Effect.catchAll((error) => Effect.as(Effect.logWarning("refresh token not revoked", error.message), false))
          )
        const endSessionEndpoint = m.end_session_endpoint ?? options.endSessionEndpoint
        const endSession = endSessionEndpoint === undefined
          ? Option.none<AuthorizationCode.EndSessionRequest>()
          : Option.some(
            yield* AuthorizationCode.endSessionUrl({
              endSessionEndpoint,
              clientId: options.clientId,
              postLogoutRedirectUri: logoutOptions.postLogoutRedirectUri ?? options.postLogoutRedirectUri,
              idTokenHint: logoutOptions.idTokenHint === true
                ? Option.getOrUndefined(Option.flatMap(current, (t) => t.idToken))
                : undefined,
              state: logoutOptions.state
            })
          )
        return { endSession, revoked } satisfies LogoutResult
      })

    return { ...auth, metadata, authorize, callback, loginLoopback, claims, logout }
  })
