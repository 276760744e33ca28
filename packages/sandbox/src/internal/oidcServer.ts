/**
 * oidc-provider on loopback: quiet console, fresh keys, listen / close, static client checks.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as crypto from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { promisify } from "node:util"
import type { Configuration, JWK } from "oidc-provider"
import type { JsonWebKeySet, OidcServer, Options } from "../OidcServer.js"
import { OidcServerError } from "../OidcServer.js"

export const host = "127.0.0.1"

// ---------------------------------------------------------------------------------------------
// Console filter for oidc-provider's own notices, reference counted over open scopes.

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g

export const isOidcProviderNotice = (args: ReadonlyArray<unknown>): boolean => {
  const first = args[0]
  return typeof first === "string" && first.replace(ANSI, "").startsWith("oidc-provider ")
}

// Filters oidc-provider's start-up notices out of the console while a server runs: the only
// place a library source touches `console`.
/* eslint-disable no-console */
let quietDepth = 0
let originalWarn: typeof console.warn | undefined
let originalInfo: typeof console.info | undefined

const quietOn = Effect.sync(() => {
  if (quietDepth++ === 0) {
    const warn = console.warn
    const info = console.info
    originalWarn = warn
    originalInfo = info
    console.warn = (...args: Array<unknown>) => {
      if (!isOidcProviderNotice(args)) warn.apply(console, args)
    }
    console.info = (...args: Array<unknown>) => {
      if (!isOidcProviderNotice(args)) info.apply(console, args)
    }
  }
})

const quietOff = Effect.sync(() => {
  if (--quietDepth === 0) {
    if (originalWarn !== undefined) console.warn = originalWarn
    if (originalInfo !== undefined) console.info = originalInfo
    originalWarn = undefined
    originalInfo = undefined
  }
})

/* eslint-enable no-console */

export const quiet: Effect.Effect<void, never, Scope.Scope> = Effect.acquireRelease(quietOn, () => quietOff)

// ---------------------------------------------------------------------------------------------

const generateKeyPair = promisify(crypto.generateKeyPair)

export const generateSigningKeys: Effect.Effect<JsonWebKeySet> = Effect.promise(async () => {
  const { privateKey } = await generateKeyPair("rsa", { modulusLength: 2048 })
  const jwk = privateKey.export({ format: "jwk" }) as JWK
  return { keys: [{ ...jwk, kid: `sandbox-${crypto.randomUUID()}`, alg: "RS256", use: "sig" }] }
})

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"] as const

export const publicKeys = (jwks: JsonWebKeySet): JsonWebKeySet => ({
  keys: jwks.keys.map((key) => {
    const copy: Record<string, unknown> = { ...key }
    for (const member of PRIVATE_MEMBERS) delete copy[member]
    return copy as JWK
  })
})

const listen = (server: http.Server, port: number) =>
  Effect.async<number, OidcServerError>((resume) => {
    const onError = (cause: Error) =>
      resume(Effect.fail(new OidcServerError({ reason: "Listen", detail: cause.message, cause })))
    server.once("error", onError)
    server.listen(port, host, () => {
      server.off("error", onError)
      const address = server.address() as AddressInfo | null
      resume(
        address === null
          ? Effect.fail(new OidcServerError({ reason: "Listen", detail: "closed while starting" }))
          : Effect.succeed(address.port)
      )
    })
  })

const close = (server: http.Server) =>
  Effect.async<void>((resume) => {
    server.close(() => resume(Effect.void))
    // Keep-alive sockets (fetch/undici keeps them open) would hold `close` forever.
    server.closeAllConnections()
  })

export const start = (options: Options): Effect.Effect<OidcServer, OidcServerError, Scope.Scope> =>
  Effect.gen(function*() {
    if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)) {
      return yield* new OidcServerError({
        reason: "Listen",
        detail: `port ${options.port} is not a TCP port (0-65535)`
      })
    }
    yield* quiet
    // Imported inside the quiet window: the module warns about the Node version when evaluated.
    const module = yield* Effect.promise(() => import("oidc-provider"))
    const ProviderClass = module.default
    const given = yield* Effect.try({
      try: () => typeof options.configuration === "function" ? options.configuration(module) : options.configuration,
      catch: (cause) =>
        new OidcServerError({ reason: "Configuration", detail: `configuration failed: ${String(cause)}`, cause })
    })
    const jwks = (given.jwks as JsonWebKeySet | undefined) ?? (yield* generateSigningKeys)
    const configuration: Configuration = { ...given, jwks }

    const server = yield* Effect.acquireRelease(
      Effect.sync(() => http.createServer()),
      (server) => close(server)
    )
    const port = yield* listen(server, options.port ?? 0)
    const issuer = `http://${host}:${port}`

    const provider = yield* Effect.try({
      try: () => new ProviderClass(issuer, configuration),
      catch: (cause) =>
        new OidcServerError({ reason: "Configuration", detail: `configuration rejected: ${String(cause)}`, cause })
    })
    // Koa would print unexpected server errors to stderr; clients see them as HTTP 500 anyway.
    provider.silent = true
    if (options.setup !== undefined) {
      const setup = options.setup
      yield* Effect.try({
        try: () => setup(provider),
        catch: (cause) =>
          new OidcServerError({ reason: "Configuration", detail: `setup failed: ${String(cause)}`, cause })
      })
    }
    const callback = provider.callback()
    const intercept = options.intercept
    server.on("request", (request: http.IncomingMessage, response: http.ServerResponse) => {
      if (intercept !== undefined && intercept(request, response)) return
      callback(request, response)
    })

    // Static clients are only validated on first use (then reported as `invalid_client`);
    // validate them now so a bad client fails here with the real reason.
    for (const metadata of configuration.clients ?? []) {
      yield* Effect.tryPromise({
        try: () => provider.Client.find(metadata.client_id),
        catch: (cause) => {
          const c = cause as { message?: unknown; error_description?: unknown }
          return new OidcServerError({
            reason: "InvalidClient",
            detail: `rejected client ${JSON.stringify(metadata.client_id)}: ` +
              `${String(c.message)} (${String(c.error_description)})`,
            cause
          })
        }
      })
    }

    return { issuer, port, provider, configuration, publicJwks: publicKeys(jwks) }
  })
