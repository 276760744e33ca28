/**
 * Test setup: the sandbox's Centrapay OpenID Provider on 127.0.0.1 and a `CentrapayUser` client
 * pointed at it over real HTTP. The TestClock is set to the real time first, so ID token times
 * check out, while the cache's own timers stay on the TestClock (nothing refreshes unless a test
 * moves it).
 */
import { CentrapayOidc } from "@auth-pipeline/sandbox"
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { Effect, Ref, TestClock } from "effect"
import { CentrapayUser } from "../src/index.js"

export const appRedirectUri = "com.example.yourapp://oidc-callback"

/** Starts the emulator and a client; `urls` lists every URL the client requested. */
export const _centrapay = (
  emulatorOptions: CentrapayOidc.Options = {},
  clientOptions: Partial<CentrapayUser.Options> = {}
) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(Date.now())
    const emulator = yield* CentrapayOidc.start(emulatorOptions)
    const urls = yield* Ref.make<ReadonlyArray<string>>([])
    const fetchClient = yield* Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer)
    const recording = HttpClient.tapRequest(fetchClient, (request) => Ref.update(urls, (u) => [...u, request.url]))
    const user = yield* CentrapayUser.make({
      clientId: emulator.clientId,
      issuer: emulator.issuer,
      baseUrl: emulator.apiBaseUrl,
      redirectUri: appRedirectUri,
      ...clientOptions
    }).pipe(Effect.provideService(HttpClient.HttpClient, recording))
    /** A whole login without a browser: authorize, the emulator's login forms, callback. */
    const login = (options: { readonly user?: string } = {}) =>
      Effect.gen(function*() {
        const request = yield* user.authorize()
        const callback = yield* emulator.login(request.url.href, options)
        return yield* user.callback(request, callback)
      })
    return { emulator, user, login, urls: Ref.get(urls) }
  })
