/**
 * Test setup: the sandbox's Centrapay OpenID Provider on 127.0.0.1 with a web app's origin
 * registered, and "tabs" of that app: `BrowserOidc` clients over a memory navigation, sharing one
 * session store (the origin's `localStorage`) and one `TabSync` (its locks and broadcasts), each
 * with its own transaction store (its `sessionStorage`). The TestClock is set to the real time so
 * ID token times check out; the caches' timers stay on the TestClock.
 */
import { CentrapayUser } from "@auth-pipeline/centrapay"
import { CentrapayOidc } from "@auth-pipeline/sandbox"
import { FetchHttpClient, HttpClient, KeyValueStore } from "@effect/platform"
import { Effect, TestClock } from "effect"
import { BrowserOidc, Navigation, TabSync } from "../src/index.js"

export const origin = "http://127.0.0.1:5173"
export const { postLogoutRedirectUri, redirectUri } = CentrapayOidc.webRedirectUris(origin)

const memoryKv = Effect.provide(KeyValueStore.KeyValueStore, KeyValueStore.layerMemory)

export const _web = (emulatorOptions: CentrapayOidc.Options = {}) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(Date.now())
    const emulator = yield* CentrapayOidc.start({ ...emulatorOptions, webOrigins: [origin] })
    const http = yield* Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer)
    const localStorage = yield* memoryKv
    const tabSync = yield* TabSync.makeMemory
    const openTab = (path = "/") =>
      Effect.gen(function*() {
        const navigation = yield* Navigation.makeMemory(`${origin}${path}`)
        const sessionStorage = yield* memoryKv
        const app = yield* BrowserOidc.make({
          client: CentrapayUser.oidcOptions({
            clientId: CentrapayOidc.webClientId,
            issuer: emulator.issuer,
            baseUrl: emulator.apiBaseUrl,
            redirectUri,
            postLogoutRedirectUri,
            phoneNumber: CentrapayOidc.defaultUser.phone_number,
            cache: { policy: { maxJitter: 0 } }
          }),
          store: localStorage,
          transactionStore: sessionStorage
        }).pipe(
          Effect.provideService(HttpClient.HttpClient, http),
          Effect.provideService(Navigation.Navigation, navigation),
          Effect.provideService(TabSync.TabSync, tabSync)
        )
        return { app, navigation, sessionStorage }
      })
    /** Signs in on `tab` the way a browser would: redirect, the provider's forms, the callback. */
    const signIn = (tab: Effect.Effect.Success<ReturnType<typeof openTab>>, state?: string) =>
      Effect.gen(function*() {
        yield* tab.app.signinRedirect({ state })
        const callback = yield* emulator.login((yield* tab.navigation.url).href)
        yield* tab.navigation.visit(callback)
        return { callback, result: yield* tab.app.handleCallback }
      })
    return { emulator, localStorage, tabSync, openTab, signIn }
  })
