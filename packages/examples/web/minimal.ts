import { CentrapayUser } from "@auth-pipeline/centrapay"
import { BrowserOidc } from "@auth-pipeline/platform-browser"
import { Effect, Option, Stream } from "effect"

const program = Effect.gen(function*() {
  const centrapay = yield* BrowserOidc.make({
    client: CentrapayUser.oidcOptions({
      clientId: "7mapl0nqonkgl5vfeb3cf86miu", // yours, from Centrapay support
      redirectUri: `${location.origin}/oidc-callback`,
      postLogoutRedirectUri: `${location.origin}/oidc-logout`,
      phoneNumber: "+6421234567890" // prefills the login form (`u`)
    }),
    store: "localStorage" // or "sessionStorage" / "memory" (see "Where the session lives")
  })
  if (yield* centrapay.isSigninCallback) {
    const { state } = yield* centrapay.handleCallback // code and state are already out of the address bar
    return location.replace(Option.getOrElse(state, () => "/"))
  }
  if (yield* centrapay.isSignoutCallback) {
    return location.replace(Option.getOrElse(yield* centrapay.handleSignoutCallback, () => "/"))
  }
  if (Option.isNone(yield* centrapay.session)) return yield* centrapay.signinRedirect({ state: location.href })
  const response = yield* centrapay.client.get("/api/account-memberships") // raw Authorization, 401 → refresh → retry
  console.log(response.status)
  const signOut = centrapay.signoutRedirect({ state: location.href })
  document.querySelector("#sign-out")?.addEventListener("click", () => Effect.runFork(signOut))
  // userLoaded: the session now and after every silent renew (in any tab), sign-in or sign-out
  yield* Stream.runForEach(centrapay.sessions, (s) => Effect.log(Option.map(s, (session) => session.claims)))
})
Effect.runFork(program.pipe(Effect.scoped, Effect.provide(BrowserOidc.layerBrowser)))
