/**
 * The web app of the example: Centrapay's documented browser OIDC consumer with auth-pipeline
 * instead of `oidc-client`. Bundled for the browser with esbuild by `server.ts`; its settings come
 * from `/config.json` (the sandbox's issuer and API on 127.0.0.1).
 */
import { CentrapayUser } from "@auth-pipeline/centrapay"
import * as Claims from "@auth-pipeline/centrapay/Claims"
import type { OidcClient } from "@auth-pipeline/core"
import { BrowserOidc } from "@auth-pipeline/platform-browser"
import { Effect, Option, Runtime, Stream } from "effect"

interface Config {
  readonly issuer: string
  readonly clientId: string
  readonly apiBaseUrl: string
  readonly phoneNumber?: string
}

declare global {
  interface Window {
    /** For the end-to-end test: actions that must start at a given moment in several tabs. */
    demo?: { readonly refreshAt: (epochMillis: number) => Promise<string> }
  }
}

const byId = (id: string): HTMLElement => document.getElementById(id)!
const show = (id: string, visible: boolean) => {
  byId(id).hidden = !visible
}
const claimNames = Claims.names

const describeError = (error: { readonly _tag: string; readonly message: string; readonly reason?: unknown }) =>
  `${error._tag}${typeof error.reason === "string" ? ` (${error.reason})` : ""}: ${error.message}`

const fail = (text: string) => {
  byId("status").textContent = "Something went wrong"
  byId("status").dataset["state"] = "error"
  byId("error").textContent = text
  show("error", true)
}

let updates = 0
const render = (session: Option.Option<OidcClient.Session<Claims.Claims>>) => {
  updates++
  byId("updates").textContent = String(updates)
  if (Option.isNone(session)) {
    byId("status").textContent = "Signed out"
    byId("status").dataset["state"] = "signed-out"
    show("signed-in", false)
    show("signed-out", true)
    return
  }
  const { claims, token } = session.value
  byId("status").textContent = `Signed in as ${claims.given_name ?? claims.preferred_username ?? claims.sub}`
  byId("status").dataset["state"] = "signed-in"
  const body = byId("claims").querySelector("tbody")!
  body.replaceChildren(
    ...claimNames.filter((name) => claims[name] !== undefined).map((name) => {
      const row = document.createElement("tr")
      row.dataset["claim"] = name
      const th = document.createElement("th")
      th.textContent = name
      const td = document.createElement("td")
      td.textContent = String(claims[name])
      row.append(th, td)
      return row
    })
  )
  byId("expires").textContent = Option.match(token.expiresAt, {
    onNone: () => "without expiry",
    onSome: (at) => `expires at ${new Date(at).toLocaleTimeString()}`
  })
  show("signed-out", false)
  show("signed-in", true)
}

const program = (config: Config) =>
  Effect.gen(function*() {
    const centrapay = yield* BrowserOidc.make({
      client: CentrapayUser.oidcOptions({
        clientId: config.clientId,
        issuer: config.issuer,
        baseUrl: config.apiBaseUrl,
        redirectUri: `${location.origin}/oidc-callback`,
        postLogoutRedirectUri: `${location.origin}/oidc-logout`,
        phoneNumber: config.phoneNumber
      }),
      store: "localStorage"
    })

    if (yield* centrapay.isSigninCallback) {
      const { state } = yield* centrapay.handleCallback
      // Back to the page the user signed in from; the callback URL never stays in the history.
      return location.replace(Option.getOrElse(state, () => "/"))
    }
    if (yield* centrapay.isSignoutCallback) {
      const state = yield* centrapay.handleSignoutCallback
      byId("status").textContent = "Signed out"
      byId("status").dataset["state"] = "after-signout"
      byId("signout-state").textContent = Option.getOrElse(state, () => "(none)")
      show("after-signout", true)
      return
    }

    const runtime = yield* Effect.runtime<never>()
    // A button's action; a failure (the provider unreachable, say) is shown on the page.
    const run = <A, E extends { readonly _tag: string; readonly message: string }>(effect: Effect.Effect<A, E>) =>
      Runtime.runPromise(runtime)(
        Effect.tapError(effect, (error) => Effect.sync(() => fail(describeError(error))))
      )
    const callApi = centrapay.client.get("/api/account-memberships").pipe(
      Effect.flatMap((response) => Effect.map(response.json, (body) => `${response.status} ${JSON.stringify(body)}`)),
      Effect.catchAll((error) => Effect.succeed(describeError(error))),
      Effect.tap((text) =>
        Effect.sync(() => {
          byId("api").textContent = text
          show("api", true)
        })
      )
    )
    // The docs' "manual refresh when the token expired while offline".
    const refresh = centrapay.refresh.pipe(
      Effect.as("refreshed"),
      Effect.catchAll((error) =>
        Effect.succeed(
          error._tag === "ReauthenticationRequired" ? "sign in again (ReauthenticationRequired)" : describeError(error)
        )
      ),
      Effect.tap((text) =>
        Effect.sync(() => {
          byId("refresh-result").textContent = text
          show("refresh-result", true)
        })
      )
    )
    const ignore = () => undefined // already shown by `run`
    byId("signin").onclick = () => run(centrapay.signinRedirect({ state: location.href })).catch(ignore)
    byId("call-api").onclick = () => run(callApi)
    byId("refresh").onclick = () => run(refresh)
    byId("signout").onclick = () =>
      run(centrapay.signoutRedirect({ state: `${location.origin}/?from=signout` })).catch(ignore)
    window.demo = {
      refreshAt: (at) => run(Effect.zipRight(Effect.sleep(Math.max(0, at - Date.now())), refresh))
    }

    // Renders the session now and after every change: a silent renew here or in another tab, a
    // sign-out elsewhere (oidc-client's userLoaded / userUnloaded).
    yield* Stream.runForEach(centrapay.sessions, (session) => Effect.sync(() => render(session)))
  })

const main = Effect.promise(() => fetch("/config.json").then((r) => r.json() as Promise<Config>)).pipe(
  Effect.flatMap(program),
  Effect.catchAll((error) => Effect.sync(() => fail(describeError(error)))),
  Effect.scoped,
  Effect.provide(BrowserOidc.layerBrowser)
)
Effect.runFork(main)
