import { HttpClient } from "@effect/platform"
import { Duration, Effect, Option, type Redacted, type Schema, type Scope } from "effect"
import * as AccessToken from "../AccessToken.js"
import * as AuthorizationCode from "../AuthorizationCode.js"
import * as ClientAuthentication from "../ClientAuthentication.js"
import * as Grant from "../Grant.js"
import * as IdToken from "../IdToken.js"
import * as Jwks from "../Jwks.js"
import * as LoopbackRedirect from "../LoopbackRedirect.js"
import { cachedSuccess } from "./fetchDocument.js"
import type { AuthorizeOptions, LoopbackLoginOptions, OidcClient, Options, RefreshError, Session } from "../OidcClient.js"
import * as OidcDiscovery from "../OidcDiscovery.js"
import * as ProviderAuth from "../ProviderAuth.js"
import * as TokenCache from "../TokenCache.js"
import * as TokenEndpoint from "../TokenEndpoint.js"
import * as TokenError from "../TokenError.js"
import * as TokenStore from "../TokenStore.js"

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
    // The key set is created once the jwks_uri is known; fetched on first verification.
    // (Kept once made: a failure to learn the jwks_uri is not kept.)
    const jwks = (yield* cachedSuccess(
      Effect.flatMap(metadata, (m) => withHttp(Jwks.remote(m.jwks_uri))),
      Duration.infinity
    )).get
    const keys: Jwks.Jwks = {
      get: Effect.flatMap(jwks, (k) => k.get),
      refresh: Effect.flatMap(jwks, (k) => k.refresh)
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

    // A refresh must be about the same user (Core 1.0 §12.2); a response without a new ID token
    // keeps the one the session has, so the claims stay readable.
    const refresh = (refreshToken: Redacted.Redacted<string>): Effect.Effect<AccessToken.AccessToken, RefreshError> =>
      Effect.gen(function*() {
        const previous = yield* Effect.orElseSucceed(store.get, () => Option.none<AccessToken.AccessToken>())
        const previousIdToken = Option.flatMap(previous, (t) => t.idToken)
        const subject = yield* Option.match(previousIdToken, {
          onNone: () => Effect.succeed(undefined),
          onSome: (t) => Effect.map(Effect.option(IdToken.unverifiedClaims(t)), Option.map((c) => c.sub)).pipe(
            Effect.map(Option.getOrUndefined)
          )
        })
        const token = yield* withHttp(Effect.flatMap(endpoint, (e) => Grant.refreshToken(e, refreshToken)))
        if (Option.isSome(token.idToken)) {
          yield* verify(token, subject === undefined ? {} : { subject })
          return token
        }
        return new AccessToken.AccessToken({ ...token, idToken: previousIdToken })
      })

    const cache = yield* TokenCache.make<RefreshError, never>({
      ...options.cache,
      name: options.name,
      store,
      refresh,
      isTransient
    })
    const auth = ProviderAuth.fromCache(cache, http, options)

    const authorize = (authorizeOptions: AuthorizeOptions = {}) =>
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
          extraParams: { ...options.extraParams, ...authorizeOptions.extraParams }
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
      }).pipe(Effect.withSpan("OidcClient.callback", { attributes: { "auth.provider": options.name } }))

    const loginLoopback = (loginOptions: LoopbackLoginOptions = {}) =>
      Effect.scoped(
        Effect.gen(function*() {
          const listener = yield* LoopbackRedirect.listen(loginOptions)
          const request = yield* authorize({
            redirectUri: listener.redirectUri,
            scope: loginOptions.scope,
            extraParams: loginOptions.extraParams
          })
          yield* (loginOptions.open ?? LoopbackRedirect.printAndOpen)(request.url)
          const received = yield* listener.callback
          return yield* callback(request, received)
        })
      )

    const claims = Effect.flatMap(cache.current, (current) =>
      Option.match(Option.flatMap(current, (t) => t.idToken), {
        onNone: () => Effect.succeed(Option.none<A>()),
        onSome: (idToken) => IdToken.unverifiedClaims(idToken).pipe(Effect.flatMap(decodeClaims), Effect.map(Option.some))
      }))

    const logout = (logoutOptions: { postLogoutRedirectUri?: string | undefined; state?: string | undefined } = {}) =>
      Effect.gen(function*() {
        const current = yield* cache.current
        yield* cache.clear
        const m = yield* metadata
        const endSessionEndpoint = m.end_session_endpoint ?? options.endSessionEndpoint
        if (endSessionEndpoint === undefined) return Option.none()
        const request = yield* AuthorizationCode.endSessionUrl({
          endSessionEndpoint,
          clientId: options.clientId,
          postLogoutRedirectUri: logoutOptions.postLogoutRedirectUri ?? options.postLogoutRedirectUri,
          idTokenHint: Option.getOrUndefined(Option.flatMap(current, (t) => t.idToken)),
          state: logoutOptions.state
        })
        return Option.some(request)
      })

    return { ...auth, metadata, authorize, callback, loginLoopback, claims, logout }
  })
