/**
 * Centrapay user login (OpenID Connect authorization code + PKCE) for a command-line app:
 *
 *   npx tsx packages/examples/src/centrapay-login.ts
 *
 * By default it runs against the sandbox's Centrapay OpenID Provider on 127.0.0.1, and the
 * "user" is played by the sandbox (it fills in the provider's login and consent forms, then its
 * browser-less redirect lands on the app's loopback listener). With CENTRAPAY_CLIENT_ID set
 * (optionally CENTRAPAY_ISSUER and CENTRAPAY_BASE_URL) it signs in at Centrapay itself: the
 * authorization URL is printed and opened in your browser.
 *
 * The token set is kept in a file with owner-only permissions (CENTRAPAY_TOKEN_FILE, or a
 * temporary file for the sandbox), so a second run is signed in without a login. It prints what
 * happened, never a token.
 */
import { CentrapayUser } from "@auth-pipeline/centrapay"
import { type AccessToken, FileTokenStore, type LoopbackRedirect, type TokenStore } from "@auth-pipeline/core"
import { NodeLoopbackRedirect } from "@auth-pipeline/platform-node"
import { CentrapayOidc } from "@auth-pipeline/sandbox"
import { FileSystem, type HttpClient } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Cause, Console, Effect, Exit, Option, type Scope } from "effect"
import * as os from "node:os"
import * as path from "node:path"

const memberships = "/api/account-memberships"

const describeToken = (token: AccessToken.AccessToken): string =>
  Option.match(token.expiresAt, {
    onNone: () => "no expiry",
    onSome: (at) => `expires in ${Math.round((at - token.issuedAt) / 1000)} s`
  }) + (Option.isSome(token.refreshToken) ? ", with a refresh token" : "")

/** Signs in (unless the store already holds a session), calls the API, refreshes, logs out. */
const program = (
  user: CentrapayUser.CentrapayUser["Type"],
  open: Option.Option<(url: URL) => Effect.Effect<void>>,
  logout: boolean
) =>
  Effect.gen(function*() {
    const stored = yield* user.claims
    if (Option.isSome(stored)) {
      yield* Console.log(`already signed in as ${stored.value.sub} (token set read from the file)`)
    } else {
      const session = yield* user.loginLoopback({ open: Option.getOrUndefined(open), timeout: "5 minutes" })
      const { sub, email, phone_number } = session.claims
      yield* Console.log(
        `signed in as ${sub} (${[email, phone_number].filter(Boolean).join(", ")}): ${describeToken(session.token)}`
      )
    }

    const response = yield* user.client.get(memberships)
    yield* Console.log(`GET ${memberships} with the user's access token → HTTP ${response.status}`)

    const refreshed = yield* user.cache.refresh
    yield* Console.log(`refreshed with the refresh token: ${describeToken(refreshed)}`)

    if (logout) {
      const { endSession, revoked } = yield* user.logout({ postLogoutRedirectUri: "http://127.0.0.1/oidc-logout" })
      yield* Console.log(`signed out: token file cleared${revoked ? ", refresh token revoked at the provider" : ""}`)
      yield* Option.match(endSession, {
        onNone: () => Console.log("(the provider publishes no logout endpoint)"),
        onSome: ({ url }) =>
          Console.log(
            `provider logout for the browser: ${url.origin}${url.pathname}?post_logout_redirect_uri=…&state=…`
          )
      })
    }
  })

const fileStore = (file: string): Effect.Effect<TokenStore.TokenStore, never, FileSystem.FileSystem> =>
  Effect.zipRight(Console.log(`token file: ${file}`), FileTokenStore.make({ path: file }))

const real = Effect.gen(function*() {
  yield* Console.log("Centrapay (client id from CENTRAPAY_CLIENT_ID)")
  const file = process.env["CENTRAPAY_TOKEN_FILE"] ??
    path.join(os.homedir(), ".config", "auth-pipeline", "centrapay.json")
  const options = yield* CentrapayUser.fromConfig()
  const user = yield* CentrapayUser.make({ ...options, store: yield* fileStore(file) })
  yield* program(user, Option.none(), false)
})

const sandbox = Effect.gen(function*() {
  const emulator = yield* CentrapayOidc.start()
  yield* Console.log(
    `Centrapay sandbox OpenID Provider on ${emulator.issuer} (set CENTRAPAY_CLIENT_ID for the real one)`
  )
  const fs = yield* FileSystem.FileSystem
  const file = path.join(yield* fs.makeTempDirectoryScoped(), "centrapay.json")
  // The sandbox plays the user: it submits the login and consent forms and follows the redirect.
  const open = (url: URL) =>
    Effect.gen(function*() {
      yield* Console.log(
        `authorization URL: ${url.origin}${url.pathname}?response_type=code&scope=openid&code_challenge_method=S256&…`
      )
      yield* Effect.orDie(emulator.signIn(url.href))
    })
  // One run of the app: a client over the token file, in its own scope (closed as the app exits).
  const run = (logout: boolean) =>
    Effect.scoped(
      Effect.gen(function*() {
        const store = yield* fileStore(file)
        const user = yield* CentrapayUser.make({
          clientId: emulator.clientId,
          issuer: emulator.issuer,
          baseUrl: emulator.apiBaseUrl,
          store
        })
        yield* program(user, Option.some(open), logout)
      })
    )
  yield* Console.log("— first run —")
  yield* run(false)
  yield* Console.log("— second run (a restart) —")
  yield* run(true)
  const counters = yield* emulator.counters
  yield* Console.log(`token requests at the provider: ${JSON.stringify(counters.tokenRequestsByGrantType)}`)
})

const main = Effect.suspend((): Effect.Effect<
  void,
  unknown,
  FileSystem.FileSystem | HttpClient.HttpClient | LoopbackRedirect.Listener | Scope.Scope
> => process.env["CENTRAPAY_CLIENT_ID"] !== undefined ? real : sandbox).pipe(
  Effect.scoped,
  Effect.provide([NodeHttpClient.layerUndici, NodeFileSystem.layer, NodeLoopbackRedirect.layer])
)

Effect.runPromiseExit(main).then((exit) => {
  if (Exit.isFailure(exit)) {
    console.error(Cause.pretty(exit.cause))
    process.exitCode = 1
  }
})
