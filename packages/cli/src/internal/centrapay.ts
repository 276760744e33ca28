/**
 * `auth-pipeline login|logout|whoami centrapay`: the Centrapay user login through a loopback
 * redirect (RFC 8252), its token set in a `FileTokenStore`.
 *
 * @internal
 */
import * as CentrapayUser from "@auth-pipeline/centrapay/CentrapayUser"
import * as Claims from "@auth-pipeline/centrapay/Claims"
import * as IdToken from "@auth-pipeline/core/IdToken"
import * as NodeLoopbackRedirect from "@auth-pipeline/platform-node/NodeLoopbackRedirect"
import * as CentrapayOidc from "@auth-pipeline/sandbox/CentrapayOidc"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import { NotSignedIn } from "./errors.js"
import { colorsOn, expiry, green, keyValues, spinner } from "./output.js"
import { portBaseOption, sandboxUrl } from "./ports.js"
import * as Store from "./store.js"

const providerArg = Args.choice([["centrapay", "centrapay" as const]], { name: "provider" }).pipe(
  Args.withDefault("centrapay" as const),
  Args.withDescription("centrapay (the only provider with user logins)")
)

const clientIdOption = Options.text("client-id").pipe(
  Options.optional,
  Options.withDescription("The OAuth client id (default: CENTRAPAY_CLIENT_ID; with --sandbox the sandbox's client).")
)

const issuerOption = Options.text("issuer").pipe(
  Options.optional,
  Options.withDescription("The authorization server (default: CENTRAPAY_ISSUER, else https://auth.centrapay.com).")
)

/** The client options: the sandbox's provider with --sandbox, else flags and CENTRAPAY_* variables. */
const clientOptions = (flags: {
  readonly sandbox: boolean
  readonly portBase: number
  readonly clientId: Option.Option<string>
  readonly issuer: Option.Option<string>
}) =>
  flags.sandbox
    ? Effect.succeed({
      clientId: Option.getOrElse(flags.clientId, () => CentrapayOidc.defaultClientId),
      issuer: Option.getOrElse(flags.issuer, () => sandboxUrl(flags.portBase, "centrapay-oidc")),
      baseUrl: sandboxUrl(flags.portBase, "centrapay-oidc")
    })
    : CentrapayUser.fromConfig(Config.succeed({
      ...Option.match(flags.clientId, { onNone: () => ({}), onSome: (clientId) => ({ clientId }) }),
      ...Option.match(flags.issuer, { onNone: () => ({}), onSome: (issuer) => ({ issuer }) })
    }))

const claimNames = Claims.names

const claimRows = (claims: Claims.Claims): Array<readonly [string, string]> =>
  claimNames.flatMap((key) => {
    const value = claims[key]
    return value === undefined ? [] : [[key, String(value)] as const]
  })

const loginHint = (sandbox: boolean) => `auth-pipeline login centrapay${sandbox ? " --sandbox" : ""}`

const login = Command.make(
  "login",
  {
    provider: providerArg,
    sandbox: Store.sandboxFlag,
    portBase: portBaseOption,
    store: Store.storeOption,
    clientId: clientIdOption,
    issuer: issuerOption,
    noBrowser: Options.boolean("no-browser").pipe(
      Options.withDescription("Only print the authorization URL; do not try to open a browser.")
    ),
    timeout: Options.integer("timeout").pipe(
      Options.withDefault(300),
      Options.withDescription("Seconds to wait for the browser sign-in.")
    )
  },
  (flags) =>
    Effect.scoped(Effect.gen(function*() {
      const location = yield* Store.locate(flags.store, flags.sandbox)
      const options = yield* clientOptions(flags)
      const user = yield* CentrapayUser.make({ ...options, store: yield* Store.open(location) })
      const interactive = colorsOn(process.stderr) && process.stderr.isTTY === true
      const waiting = `Waiting for the sign-in in the browser (up to ${flags.timeout} s; Ctrl-C to cancel)…`
      const open = (url: URL) =>
        Effect.zipRight(
          flags.noBrowser
            ? Console.error(`Open this URL in a browser to sign in:\n\n  ${url.href}\n`)
            : NodeLoopbackRedirect.printAndOpen(url),
          spinner(waiting, interactive)
        )
      // The spinner lives in this scope: it stops as soon as the login ends, however it ends.
      const session = yield* Effect.scoped(Effect.gen(function*() {
        const scope = yield* Effect.scope
        return yield* user.loginLoopback({
          open: (url) => Scope.extend(open(url), scope),
          timeout: `${flags.timeout} seconds`
        })
      }))
      const now = yield* Clock.currentTimeMillis
      yield* Console.error(green(`Signed in as ${session.claims.sub}`) + ` (token set in ${location.path})`)
      yield* Console.log(
        keyValues([...claimRows(session.claims), ["session expires", expiry(session.token.expiresAt, now)]])
      )
    }))
).pipe(
  Command.withDescription(
    "Sign in to Centrapay in the browser (OpenID Connect, PKCE, a loopback redirect on 127.0.0.1) and keep " +
      "the token set in the token store; prints the user's claims."
  )
)

/** The claims of the stored ID token (verified when it was obtained), or `NotSignedIn`. */
const storedSession = (location: Store.Location, sandbox: boolean) =>
  Effect.gen(function*() {
    const token = yield* (yield* Store.open(location)).get
    const notSignedIn = new NotSignedIn({ provider: "centrapay", store: location.path, hint: loginHint(sandbox) })
    if (Option.isNone(token)) return yield* notSignedIn
    const idToken = token.value.idToken
    if (Option.isNone(idToken)) return yield* notSignedIn
    const claims = yield* IdToken.unverifiedClaims(idToken.value).pipe(
      Effect.flatMap(IdToken.decodeClaims(Claims.Claims))
    )
    return { token: token.value, claims }
  })

const whoami = Command.make(
  "whoami",
  {
    provider: providerArg,
    sandbox: Store.sandboxFlag,
    store: Store.storeOption,
    format: Options.choice("format", ["table", "json"]).pipe(Options.withDefault("table" as const))
  },
  (flags) =>
    Effect.gen(function*() {
      const location = yield* Store.locate(flags.store, flags.sandbox)
      const { claims, token } = yield* storedSession(location, flags.sandbox)
      const now = yield* Clock.currentTimeMillis
      if (flags.format === "json") {
        return yield* Console.log(JSON.stringify(
          {
            claims,
            expiresAt: Option.match(token.expiresAt, {
              onNone: () => null,
              onSome: (at) => new Date(at).toISOString()
            }),
            refreshToken: Option.isSome(token.refreshToken)
          },
          null,
          2
        ))
      }
      yield* Console.log(keyValues([
        ...claimRows(claims),
        ["access token", expiry(token.expiresAt, now)],
        ["refresh token", Option.isSome(token.refreshToken) ? "present (renews the access token)" : "none"]
      ]))
    })
).pipe(
  Command.withDescription(
    "Show who is signed in: the claims of the stored ID token, and when the session's access token expires. " +
      "Exit code 5 when nobody is."
  )
)

const logout = Command.make(
  "logout",
  {
    provider: providerArg,
    sandbox: Store.sandboxFlag,
    portBase: portBaseOption,
    store: Store.storeOption,
    clientId: clientIdOption,
    issuer: issuerOption
  },
  (flags) =>
    Effect.scoped(Effect.gen(function*() {
      const location = yield* Store.locate(flags.store, flags.sandbox)
      const store = yield* Store.open(location)
      if (Option.isNone(yield* store.get)) {
        return yield* Console.error(`Not signed in to centrapay (store ${location.path}): nothing to do.`)
      }
      const options = yield* clientOptions(flags)
      const user = yield* CentrapayUser.make({ ...options, store })
      const outcome = yield* Effect.either(user.logout())
      // The token set is gone from the store before the provider is asked to revoke it.
      yield* Console.error(green("Signed out") + ` (token set removed from ${location.path})`)
      if (outcome._tag === "Left") {
        if (outcome.left._tag === "TokenStoreError") return yield* outcome.left
        return yield* Console.error(`warning: the provider was not told: ${outcome.left.message}`)
      }
      if (outcome.right.revoked) yield* Console.error("The refresh token was revoked at the provider.")
      yield* Option.match(outcome.right.endSession, {
        onNone: () => Effect.void,
        onSome: ({ url }) => Console.error(`To end the provider's browser session too, open:\n\n  ${url.href}\n`)
      })
    }))
).pipe(
  Command.withDescription(
    "Sign out: remove the token set from the token store and revoke its refresh token at the provider."
  )
)

export const commands = [login, logout, whoami] as const
