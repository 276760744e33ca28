/**
 * The web example (`packages/examples/web/`) end to end in Debian's Chromium (playwright-core):
 * the page on 127.0.0.1 signs in at the sandbox's Centrapay OpenID Provider with a redirect,
 * handles the callback, shows the documented claims, calls the API with the raw `Authorization`,
 * survives a reload, refreshes from two tabs at once, recovers from a 401, refuses replayed and
 * foreign callbacks, renews short-lived tokens silently in two tabs, and signs out through the
 * end-session endpoint. Screenshots go to `.tmp/screenshots/`.
 */
import { CentrapayOidc } from "@auth-pipeline/sandbox"
import * as Browser from "@auth-pipeline/testing/Browser"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Schedule } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { BrowserContext, Page } from "playwright-core"
import { start } from "../web/server.js"

const screenshots = path.resolve(import.meta.dirname, "../../../.tmp/screenshots")
const sessionKey = `auth-pipeline:centrapay-user:${CentrapayOidc.webClientId}:session`
const refreshLock = `auth-pipeline:centrapay-user:${CentrapayOidc.webClientId}:refresh`
const jwt = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

const promise = <A>(f: () => Promise<A>) => Effect.promise(f)

/** Waits (on real time, polling) until `condition` holds; fails after `within`. */
const eventually = <E, R>(condition: Effect.Effect<boolean, E, R>, within: Duration.DurationInput = "15 seconds") =>
  condition.pipe(
    Effect.filterOrFail((ok) => ok, () => "not yet" as const),
    Effect.retry(Schedule.spaced("100 millis")),
    Effect.timeoutFail({
      duration: within,
      onTimeout: () => new Error(`condition not met within ${Duration.format(Duration.decode(within))}`)
    })
  )

const statusIs = (page: Page, state: string) =>
  page.waitForSelector(`#status[data-state="${state}"]`, { timeout: 15_000 })

/** The user at the provider: the development login form (any password), then consent. */
const signInAtProvider = async (page: Page, issuer: string) => {
  await page.waitForURL((u) => u.origin === issuer)
  await page.fill("input[name=login]", CentrapayOidc.defaultUser.sub)
  await page.fill("input[name=password]", "any password")
  await page.click("button[type=submit]") // login form
  await page.click("button[type=submit]") // consent form
}

const openSignedInPage = (context: BrowserContext, url: string) =>
  promise(async () => {
    const page = await context.newPage()
    await page.goto(url)
    await statusIs(page, "signed-in")
    return page
  })

const callApi = (page: Page) =>
  promise(async () => {
    await page.evaluate(() => {
      document.getElementById("api")!.textContent = ""
    })
    await page.click("#call-api")
    await page.waitForFunction(() => (document.getElementById("api")?.textContent ?? "") !== "")
    return (await page.textContent("#api")) ?? ""
  })

describe.skipIf(Browser.skip())("the Centrapay web example in Chromium", () => {
  it.live(
    "redirect sign-in, claims, API with raw Authorization, reload, two tabs, 401, refused callbacks, sign-out",
    () =>
      Effect.gen(function*() {
        fs.mkdirSync(screenshots, { recursive: true })
        const { emulator, url } = yield* start()
        const origin = new URL(url).origin
        const context = yield* Browser.launch
        const page = yield* promise(() => context.newPage())
        const apiAuthorizations: Array<string> = []
        let callbackUrl = ""
        let authorizationUrl = ""
        page.on("request", (request) => {
          if (
            request.url().startsWith(`${emulator.apiBaseUrl}/api/account-memberships`) && request.method() === "GET"
          ) {
            apiAuthorizations.push(request.headers()["authorization"] ?? "")
          }
          if (request.isNavigationRequest() && request.url().startsWith(`${origin}/oidc-callback?`)) {
            callbackUrl = request.url()
          }
          if (request.isNavigationRequest() && request.url().startsWith(`${emulator.issuer}/auth?`)) {
            authorizationUrl = request.url()
          }
        })

        // Signed out: the app offers the sign-in, which redirects to the provider and back.
        yield* promise(async () => {
          await page.goto(`${url}?page=account`)
          await statusIs(page, "signed-out")
          await page.click("#signin")
          await signInAtProvider(page, emulator.issuer)
          await statusIs(page, "signed-in")
        })
        const authorize = new URL(authorizationUrl).searchParams
        expect(authorize.get("code_challenge_method")).toBe("S256")
        expect(authorize.get("u")).toBe(CentrapayOidc.defaultUser.phone_number)
        expect(authorize.get("client_id")).toBe(CentrapayOidc.webClientId)
        expect(callbackUrl).toMatch(/[?&]code=/)
        // Back on the page signed in from (the app state); no code or state in the address bar
        // or in any history entry of the app's origin.
        expect(page.url()).toBe(`${url}?page=account`)
        const cdp = yield* promise(() => context.newCDPSession(page))
        const history = yield* promise(() => cdp.send("Page.getNavigationHistory"))
        const appEntries = history.entries.map((e) => e.url).filter((u) => u.startsWith(origin))
        expect(appEntries.length).toBeGreaterThanOrEqual(2)
        for (const entry of appEntries) expect(entry).not.toMatch(/[?&](code|state|iss)=/)
        // The verifier and nonce are gone from sessionStorage; the session is in localStorage.
        const storage = yield* promise(() =>
          page.evaluate((key) => ({
            session: localStorage.getItem(key) !== null,
            transactions: Object.keys(sessionStorage).filter((k) => k.startsWith("auth-pipeline:"))
          }), sessionKey)
        )
        expect(storage).toEqual({ session: true, transactions: [] })

        // The claims of the documented table.
        const claims = yield* promise(() =>
          page.$$eval(
            "#claims tr",
            (rows) => rows.map((row) => [row.dataset["claim"], row.querySelector("td")?.textContent])
          )
        )
        expect(Object.fromEntries(claims)).toEqual(
          Object.fromEntries(Object.entries(CentrapayOidc.defaultUser).map(([k, v]) => [k, String(v)]))
        )

        // The API, with the access token raw in Authorization (a CORS request to the provider's origin).
        const first = yield* callApi(page)
        expect(first).toMatch(/^200 /)
        expect(JSON.parse(first.slice(4))).toMatchObject({ auth: "jwt", sub: "user-1" })
        expect(apiAuthorizations.length).toBe(1)
        expect(apiAuthorizations[0]).toMatch(jwt)
        yield* promise(() => page.screenshot({ path: path.join(screenshots, "web-signed-in.png"), fullPage: true }))

        // A reload keeps the session: no new authorization request.
        const authorizations = (yield* emulator.counters).authorizationRequests
        yield* promise(async () => {
          await page.reload()
          await statusIs(page, "signed-in")
        })
        expect((yield* emulator.counters).authorizationRequests).toBe(authorizations)

        // Two tabs refreshing at once: the test holds the tabs' refresh lock while both tabs start
        // a refresh (each has read the same session and queues on the lock), then lets go. One
        // refresh_token grant; the second tab takes the first one's result (no replay).
        const tab2 = yield* openSignedInPage(context, url)
        const beforeTwoTabs = yield* emulator.counters
        yield* promise(() =>
          page.evaluate((name) =>
            new Promise<void>((held) => {
              navigator.locks.request(name, () =>
                new Promise<void>((release) => {
                  ;(window as unknown as { release: () => void }).release = release
                  held()
                }))
            }), refreshLock)
        )
        const refreshes = Promise.all([page, tab2].map((p) => p.evaluate(() => window.demo!.refreshAt(0))))
        yield* eventually(
          promise(() =>
            page.evaluate(
              (name) => navigator.locks.query().then((s) => (s.pending ?? []).filter((l) => l.name === name).length),
              refreshLock
            )
          ).pipe(
            Effect.map((pending) => pending === 2)
          )
        )
        yield* promise(() => page.evaluate(() => (window as unknown as { release: () => void }).release()))
        expect(yield* promise(() => refreshes)).toEqual(["refreshed", "refreshed"])
        const afterTwoTabs = yield* emulator.counters
        expect(
          (afterTwoTabs.tokenRequestsByGrantType["refresh_token"] ?? 0) -
            (beforeTwoTabs.tokenRequestsByGrantType["refresh_token"] ?? 0)
        ).toBe(1)
        expect(afterTwoTabs.tokenErrors).toEqual({})

        // Every access token issued so far is revoked at the API: 401 -> refresh -> one retry.
        yield* emulator.revokeAccessTokens
        const before401 = yield* emulator.counters
        expect(yield* callApi(page)).toMatch(/^200 /)
        const after401 = yield* emulator.counters
        expect(after401.resourceRequestsByOutcome.unauthorized - before401.resourceRequestsByOutcome.unauthorized)
          .toBe(1)
        expect(after401.resourceRequestsByOutcome.access_token - before401.resourceRequestsByOutcome.access_token)
          .toBe(1)
        expect(
          after401.tokenRequestsByGrantType["refresh_token"]! - before401.tokenRequestsByGrantType["refresh_token"]!
        ).toBe(1)
        expect(apiAuthorizations.slice(-2).every((a) => jwt.test(a))).toBe(true)

        // A replayed callback URL and a foreign state are refused, before any code exchange.
        const tab3 = yield* promise(() => context.newPage())
        const codeExchanges = (yield* emulator.counters).tokenRequestsByGrantType["authorization_code"]
        for (
          const target of [callbackUrl, `${origin}/oidc-callback?code=forged&state=forged&iss=${emulator.issuer}`]
        ) {
          const error = yield* promise(async () => {
            await tab3.goto(target)
            await statusIs(tab3, "error")
            return (await tab3.textContent("#error")) ?? ""
          })
          expect(error).toContain("StateMismatch")
          expect(tab3.url()).toBe(`${origin}/oidc-callback`)
        }
        expect((yield* emulator.counters).tokenRequestsByGrantType["authorization_code"]).toBe(codeExchanges)
        yield* promise(() => tab3.close())

        // Sign-out: the provider's end-session page, then the post-logout URI with the app state;
        // the session is gone from storage and from the other tab.
        let endSessionUrl = ""
        page.on("request", (request) => {
          if (request.isNavigationRequest() && request.url().startsWith(`${emulator.issuer}/session/end?`)) {
            endSessionUrl = request.url()
          }
        })
        yield* promise(async () => {
          await page.click("#signout")
          await page.waitForURL((u) => u.origin === emulator.issuer)
          await page.click("button[value=yes]")
          await statusIs(page, "after-signout")
        })
        const endSession = new URL(endSessionUrl).searchParams
        expect(endSession.get("post_logout_redirect_uri")).toBe(`${origin}/oidc-logout`)
        expect(endSession.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/)
        expect(page.url()).toBe(`${origin}/oidc-logout`)
        expect(yield* promise(() => page.textContent("#signout-state"))).toBe(`${origin}/?from=signout`)
        const afterSignout = yield* promise(() =>
          page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)])
        )
        expect(afterSignout.filter((k) => k.startsWith("auth-pipeline:"))).toEqual([])
        yield* promise(() => statusIs(tab2, "signed-out"))
        yield* promise(() => page.screenshot({ path: path.join(screenshots, "web-signed-out.png"), fullPage: true }))
      }).pipe(Effect.scoped),
    { timeout: 90_000 }
  )

  it.live(
    "short-lived tokens are renewed silently in two open tabs, each refresh token spent once",
    () =>
      Effect.gen(function*() {
        const { emulator, url } = yield* start({ accessTokenTtl: 4 })
        const context = yield* Browser.launch
        const page = yield* promise(() => context.newPage())
        yield* promise(async () => {
          await page.goto(url)
          await statusIs(page, "signed-out")
          await page.click("#signin")
          await signInAtProvider(page, emulator.issuer)
          await statusIs(page, "signed-in")
        })
        const tab2 = yield* openSignedInPage(context, url)
        const updatesOf = (p: Page) => promise(async () => Number(await p.textContent("#updates")))
        const seen = yield* updatesOf(tab2)
        // 4 s tokens renew about every 2 s: wait for three renewals.
        yield* eventually(
          Effect.map(emulator.counters, (c) => (c.tokenRequestsByGrantType["refresh_token"] ?? 0) >= 3),
          "12 seconds"
        )
        const counters = yield* emulator.counters
        expect(counters.tokenErrors).toEqual({}) // a replayed refresh token would be invalid_grant
        // The other tab heard the renewals (BroadcastChannel) and shows the renewed session.
        expect(yield* updatesOf(tab2)).toBeGreaterThan(seen)
        yield* promise(() => statusIs(tab2, "signed-in"))
        expect(yield* callApi(tab2)).toMatch(/^200 /)
        yield* promise(() => page.screenshot({ path: path.join(screenshots, "web-silent-renew.png"), fullPage: true }))
      }).pipe(Effect.scoped),
    { timeout: 60_000 }
  )
})
