/**
 * End to end, in a real browser: Debian's Chromium (driven by playwright-core) signs in at the
 * sandbox's Centrapay OpenID Provider through the loopback redirect of `loginLoopback`, then the
 * token set is used, refreshed in the background on real time (the provider issues 4-second access
 * tokens), and recovered once after the API starts rejecting it.
 */
import { AccessToken } from "@auth-pipeline/core"
import { NodeLoopbackRedirect } from "@auth-pipeline/platform-node"
import { CentrapayOidc } from "@auth-pipeline/sandbox"
import * as Browser from "@auth-pipeline/testing/Browser"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option, Redacted, Schedule } from "effect"
import { CentrapayUser } from "../src/index.js"

const memberships = "/api/account-memberships"

/** Waits (on real time, polling) until `condition` holds; fails after `within`. */
const eventually = <E, R>(condition: Effect.Effect<boolean, E, R>, within: Duration.DurationInput = "15 seconds") =>
  condition.pipe(
    Effect.filterOrFail((ok) => ok, () => "not yet" as const),
    Effect.retry(Schedule.spaced("50 millis")),
    Effect.timeoutFail({
      duration: within,
      onTimeout: () => new Error(`condition not met within ${Duration.format(Duration.decode(within))}`)
    })
  )

describe.skipIf(Browser.skip())("Centrapay login in Chromium", () => {
  it.live(
    "signs in through the browser, calls the API, refreshes in the background and recovers from a 401",
    () =>
      Effect.gen(function*() {
        const emulator = yield* CentrapayOidc.start({ accessTokenTtl: 4 })
        const user = yield* CentrapayUser.make({
          clientId: emulator.clientId,
          issuer: emulator.issuer,
          baseUrl: emulator.apiBaseUrl
        })
        const context = yield* Browser.launch
        const page = yield* Effect.promise(() => context.newPage())

        let redirectUri = ""
        const session = yield* user.loginLoopback({
          timeout: "30 seconds",
          open: (url) =>
            Effect.promise(async () => {
              redirectUri = url.searchParams.get("redirect_uri") ?? ""
              await page.goto(url.href)
              await page.fill("input[name=login]", CentrapayOidc.defaultUser.sub)
              await page.fill("input[name=password]", "any password")
              await page.click("button[type=submit]") // login form
              await page.click("button[type=submit]") // consent form
              await page.waitForURL((u) => u.href.startsWith(redirectUri))
            })
        })

        // The browser landed on the loopback listener, which answered with its page.
        expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oidc-callback$/)
        expect(page.url().startsWith(`${redirectUri}?code=`)).toBe(true)
        expect(yield* Effect.promise(() => page.textContent("body"))).toContain("You can close this window")

        // Verified claims of the documented kind.
        expect(session.claims).toEqual(CentrapayOidc.defaultUser)

        // An API call with the access token, sent raw.
        const first = yield* user.client.get(memberships)
        expect(first.status).toBe(200)
        expect(((yield* first.json) as { sub: string }).sub).toBe("user-1")

        // Background refresh ("silent renew") before the 4 s token expires, on real time.
        yield* eventually(
          Effect.map(
            user.cache.current,
            (current) => Option.isSome(current) && !AccessToken.sameValue(current.value, session.token)
          )
        )
        const renewed = yield* user.token
        expect((yield* emulator.counters).tokenRequestsByGrantType["refresh_token"]).toBe(1)
        expect(Redacted.value(Option.getOrThrow(renewed.refreshToken))).not.toBe(
          Redacted.value(Option.getOrThrow(session.token.refreshToken))
        )

        // The API starts rejecting every token issued so far: 401 -> refresh -> one retry.
        const before = yield* emulator.counters
        yield* emulator.revokeAccessTokens
        const second = yield* user.client.get(memberships)
        expect(second.status).toBe(200)
        const after = yield* emulator.counters
        expect(after.resourceRequestsByOutcome.unauthorized - before.resourceRequestsByOutcome.unauthorized).toBe(1)
        expect(after.resourceRequestsByOutcome.access_token - before.resourceRequestsByOutcome.access_token).toBe(1)
        // One refresh for the 401; the background renewal of the 4 s tokens may add one of its own.
        const refreshes = after.tokenRequestsByGrantType["refresh_token"]! -
          before.tokenRequestsByGrantType["refresh_token"]!
        expect(refreshes).toBeGreaterThanOrEqual(1)
        expect(refreshes).toBeLessThanOrEqual(2)
      }).pipe(Effect.provide([FetchHttpClient.layer, NodeLoopbackRedirect.layer]), Effect.scoped),
    { timeout: 60_000 }
  )
})
