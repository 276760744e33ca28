import * as AccessToken from "@auth-pipeline/core/AccessToken"
import * as AuthorizationCode from "@auth-pipeline/core/AuthorizationCode"
import * as IdToken from "@auth-pipeline/core/IdToken"
import * as KeyValueTokenStore from "@auth-pipeline/core/KeyValueTokenStore"
import * as OidcClient from "@auth-pipeline/core/OidcClient"
import type { TokenStore } from "@auth-pipeline/core/TokenStore"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type {
  BrowserOidc,
  Options,
  SigninRedirectOptions,
  SigninResult,
  SignoutRedirectOptions
} from "../BrowserOidc.js"
import { TransactionError } from "../BrowserOidc.js"
import * as Navigation from "../Navigation.js"
import * as TabSync from "../TabSync.js"

/** A sign-in waiting for its callback: the authorization request (PKCE verifier, nonce) and app state. */
const SigninTransaction = Schema.parseJson(Schema.Struct({
  request: AuthorizationCode.AuthorizationRequest,
  appState: Schema.optional(Schema.String)
}))

const SignoutTransaction = Schema.parseJson(Schema.Struct({ appState: Schema.optional(Schema.String) }))

/** The parameters a callback brings, removed from the address bar. */
const callbackParams = ["code", "state", "iss", "session_state", "error", "error_description", "error_uri"]

const withoutCallbackParams = (url: URL): URL => {
  const clean = new URL(url.href)
  for (const name of callbackParams) clean.searchParams.delete(name)
  clean.hash = ""
  return clean
}

const kvOf = (
  choice: "localStorage" | "sessionStorage" | "memory" | KeyValueStore.KeyValueStore
): Effect.Effect<KeyValueStore.KeyValueStore> =>
  typeof choice !== "string"
    ? Effect.succeed(choice)
    : Effect.provide(
      KeyValueStore.KeyValueStore,
      choice === "memory"
        ? KeyValueStore.layerMemory
        : KeyValueStore.layerStorage(() =>
          choice === "localStorage" ? globalThis.localStorage : globalThis.sessionStorage
        )
    )

const stateMismatch = new AuthorizationCode.AuthorizationError({
  reason: "StateMismatch",
  error: Option.none(),
  errorDescription: Option.none()
})

const describe = (error: { readonly _tag: string; readonly message?: string }) =>
  `${error._tag}${error.message === undefined ? "" : `: ${error.message}`}`

const samePath = (a: URL, b: URL) => a.origin === b.origin && a.pathname === b.pathname

export const make = <A, I>(
  options: Options<A, I>
): Effect.Effect<
  BrowserOidc<A>,
  never,
  HttpClient.HttpClient | Navigation.Navigation | TabSync.TabSync | Scope.Scope
> =>
  Effect.gen(function*() {
    const navigation = yield* Navigation.Navigation
    const tabs = yield* TabSync.TabSync
    const prefix = options.storageKey ?? `auth-pipeline:${options.client.name}:${options.client.clientId}`
    const channel = prefix
    const sessionKv = yield* kvOf(options.store ?? "localStorage")
    const transactions = yield* kvOf(options.transactionStore ?? "sessionStorage")

    // The session store tells this tab's subscribers and the other tabs about every write.
    const changed = yield* PubSub.sliding<void>(16)
    const notify = Effect.zipRight(PubSub.publish(changed, undefined), tabs.publish(channel))
    const base = yield* KeyValueTokenStore.make({ store: sessionKv, key: `${prefix}:session` })
    const store: TokenStore = {
      get: base.get,
      set: (token) => Effect.tap(base.set(token), () => notify),
      compareAndSet: (expected, next) =>
        Effect.tap(base.compareAndSet(expected, next), (done) => done ? notify : Effect.void)
    }

    // Trace headers (`traceparent`, `b3`) on a cross-origin request make the browser ask the
    // API's CORS preflight for them, which a provider's API does not allow: off unless asked.
    const http = yield* HttpClient.HttpClient
    const oidc = yield* OidcClient.make({
      ...options.client,
      cache: { ...options.client.cache, store, lock: tabs.withLock(`${prefix}:refresh`) }
    }).pipe(
      Effect.provideService(
        HttpClient.HttpClient,
        options.tracerPropagation === true ? http : HttpClient.withTracerPropagation(http, false)
      )
    )

    const decodeClaims = IdToken.decodeClaims(options.client.claims)
    const sessionOf = (token: AccessToken.AccessToken) =>
      Option.match(token.idToken, {
        onNone: () =>
          Effect.fail(new IdToken.IdTokenError({ reason: "Missing", detail: "the session has no ID token" })),
        onSome: (idToken) =>
          IdToken.unverifiedClaims(idToken).pipe(
            Effect.flatMap(decodeClaims),
            Effect.map((claims): OidcClient.Session<A> => ({ token, claims }))
          )
      })
    const session = Effect.flatMap(store.get, (current) =>
      Option.match(current, {
        onNone: () => Effect.succeedNone,
        onSome: (token) => Effect.asSome(sessionOf(token))
      }))

    const sessions = Stream.unwrapScoped(
      Effect.gen(function*() {
        const mine = yield* PubSub.subscribe(changed)
        const others = yield* tabs.subscribe(channel)
        return Stream.concat(
          Stream.fromEffect(session),
          Stream.merge(Stream.fromQueue(mine), Stream.fromQueue(others)).pipe(Stream.mapEffect(() => session))
        ).pipe(
          Stream.changesWith((a, b) =>
            Option.isNone(a)
              ? Option.isNone(b)
              : Option.isSome(b) && AccessToken.sameValue(a.value.token, b.value.token)
          )
        )
      })
    )

    const save = (key: string, value: string) =>
      Effect.mapError(
        transactions.set(key, value),
        (error) => new TransactionError({ operation: "save", detail: describe(error) })
      )
    /** Reads and removes a transaction: a callback can use it once. */
    const take = (key: string) =>
      Effect.gen(function*() {
        const value = yield* transactions.get(key)
        if (Option.isSome(value)) yield* transactions.remove(key)
        return value
      }).pipe(Effect.mapError((error) => new TransactionError({ operation: "load", detail: describe(error) })))

    const redirectUriOf = (override?: string) => {
      const uri = override ?? options.client.redirectUri
      return uri === undefined ? Option.none<URL>() : Option.fromNullable(URL.parse(uri))
    }

    const signinRedirect = (signin: SigninRedirectOptions = {}) =>
      Effect.gen(function*() {
        const request = yield* oidc.authorize({
          redirectUri: signin.redirectUri,
          scope: signin.scope,
          extraParams: signin.extraQueryParams
        })
        const encoded = yield* Schema.encode(SigninTransaction)({ request, appState: signin.state }).pipe(
          Effect.mapError(() =>
            new TransactionError({ operation: "save", detail: "the transaction cannot be encoded" })
          )
        )
        yield* save(`${prefix}:signin:${request.state}`, encoded)
        yield* navigation.assign(request.url)
      })

    const isSigninCallback = Effect.map(
      navigation.url,
      (url) =>
        Option.exists(redirectUriOf(), (uri) => samePath(uri, url)) &&
        (url.searchParams.has("state") || url.searchParams.has("error"))
    )

    const handleCallback = Effect.gen(function*() {
      const url = yield* navigation.url
      // The code and state leave the address bar and the history before anything else.
      yield* navigation.replaceState(withoutCallbackParams(url))
      const state = url.searchParams.get("state")
      if (state === null) return yield* Effect.fail(stateMismatch)
      const stored = yield* take(`${prefix}:signin:${state}`)
      if (Option.isNone(stored)) return yield* Effect.fail(stateMismatch)
      const transaction = yield* Schema.decode(SigninTransaction)(stored.value).pipe(
        Effect.mapError(() =>
          new TransactionError({ operation: "load", detail: "the stored transaction is unreadable" })
        )
      )
      const signedIn = yield* oidc.callback(transaction.request, url)
      return { session: signedIn, state: Option.fromNullable(transaction.appState) } satisfies SigninResult<A>
    }).pipe(Effect.withSpan("BrowserOidc.handleCallback"))

    const refresh = Effect.flatMap(oidc.cache.refresh, sessionOf)

    const signoutRedirect = (signout: SignoutRedirectOptions = {}) =>
      Effect.gen(function*() {
        const result = yield* oidc.logout({
          postLogoutRedirectUri: signout.postLogoutRedirectUri,
          idTokenHint: signout.idTokenHint,
          revoke: signout.revoke
        })
        if (Option.isNone(result.endSession)) return
        const encoded = yield* Schema.encode(SignoutTransaction)({ appState: signout.state }).pipe(Effect.orDie)
        yield* save(`${prefix}:signout:${result.endSession.value.state}`, encoded)
        yield* navigation.assign(result.endSession.value.url)
      })

    const postLogoutUri = Option.fromNullable(
      options.client.postLogoutRedirectUri === undefined ? null : URL.parse(options.client.postLogoutRedirectUri)
    )
    const isSignoutCallback = Effect.map(navigation.url, (url) =>
      Option.exists(postLogoutUri, (uri) => samePath(uri, url)) && url.searchParams.has("state"))

    const handleSignoutCallback = Effect.gen(function*() {
      const url = yield* navigation.url
      yield* navigation.replaceState(withoutCallbackParams(url))
      const state = url.searchParams.get("state")
      if (state === null) {
        return yield* Effect.fail(stateMismatch)
      }
      const stored = yield* take(`${prefix}:signout:${state}`)
      if (Option.isNone(stored)) {
        return yield* Effect.fail(stateMismatch)
      }
      const transaction = yield* Schema.decode(SignoutTransaction)(stored.value).pipe(
        Effect.mapError(() =>
          new TransactionError({ operation: "load", detail: "the stored transaction is unreadable" })
        )
      )
      return Option.fromNullable(transaction.appState)
    })

    return {
      ...oidc,
      session,
      sessions,
      signinRedirect,
      isSigninCallback,
      handleCallback,
      refresh,
      signoutRedirect,
      isSignoutCallback,
      handleSignoutCallback
    } satisfies BrowserOidc<A>
  })

export const layerBrowser: Layer.Layer<HttpClient.HttpClient | Navigation.Navigation | TabSync.TabSync> = Layer
  .mergeAll(FetchHttpClient.layer, Navigation.layer, TabSync.layer)
