/**
 * `@auth-pipeline/platform-browser`: OpenID Connect in browser applications, in place of
 * `oidc-client`'s `UserManager` (`BrowserOidc`: redirect sign-in with PKCE, the session in Web
 * Storage, silent renew shared across tabs, sign-out) and the browser services it runs on
 * (`Navigation`: `location` and `history`; `TabSync`: Web Locks and `BroadcastChannel`), each
 * with an in-memory version for tests.
 *
 * @example
 * ```ts
 * import { CentrapayUser } from "@auth-pipeline/centrapay"
 * import { BrowserOidc } from "@auth-pipeline/platform-browser"
 * import { Effect, Option } from "effect"
 *
 * // a web app's script (defined here, run in a page with `Effect.runFork(program)`)
 * const program = Effect.gen(function*() {
 *   const centrapay = yield* BrowserOidc.make({
 *     client: CentrapayUser.oidcOptions({
 *       clientId: "7mapl0nqonkgl5vfeb3cf86miu", // yours, from Centrapay support
 *       redirectUri: `${location.origin}/oidc-callback`,
 *       postLogoutRedirectUri: `${location.origin}/oidc-logout`
 *     })
 *   })
 *   if (yield* centrapay.isSigninCallback) {
 *     const { state } = yield* centrapay.handleCallback // the code and state are already out of the address bar
 *     return location.replace(Option.getOrElse(state, () => "/"))
 *   }
 *   if (Option.isNone(yield* centrapay.session)) return yield* centrapay.signinRedirect({ state: location.href })
 *   const response = yield* centrapay.client.get("/api/account-memberships") // 401 → refresh → one retry
 *   console.log(response.status)
 * }).pipe(Effect.scoped, Effect.provide(BrowserOidc.layerBrowser))
 * ```
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as BrowserOidc from "./BrowserOidc.js"

/**
 * Where the page is and how it moves (`location`, `history`) as a service: the page's own, or a
 * history in memory for tests.
 *
 * @example
 * ```ts
 * import { Navigation } from "@auth-pipeline/platform-browser"
 * import { Effect } from "effect"
 *
 * const entries = Effect.flatMap(Navigation.makeMemory("https://app.example.com/"), (page) => page.entries)
 * assert.deepStrictEqual(Effect.runSync(entries), ["https://app.example.com/"])
 * ```
 *
 * @since 0.1.0
 */
export * as Navigation from "./Navigation.js"

/**
 * What the tabs of an origin share: a lock (Web Locks) and notifications (`BroadcastChannel`),
 * or both in memory for tests.
 *
 * @example
 * ```ts
 * import { TabSync } from "@auth-pipeline/platform-browser"
 * import { Effect } from "effect"
 *
 * const once = Effect.flatMap(TabSync.makeMemory, (tabs) => tabs.withLock("my-app:refresh")(Effect.succeed("done")))
 * assert.strictEqual(Effect.runSync(once), "done")
 * ```
 *
 * @since 0.1.0
 */
export * as TabSync from "./TabSync.js"
