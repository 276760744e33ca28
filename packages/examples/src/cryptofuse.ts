/**
 * Cryptofuse authentication end to end:
 *
 *   npx tsx packages/examples/src/cryptofuse.ts
 *
 * By default it runs against the Cryptofuse sandbox emulator served on 127.0.0.1 (real HTTP). With
 * CRYPTOFUSE_CLIENT_ID, CRYPTOFUSE_CLIENT_SECRET and CRYPTOFUSE_BASE_URL set (optionally
 * CRYPTOFUSE_SCOPE and CRYPTOFUSE_CLIENT_AUTH), it runs against your Cryptofuse account,
 * configured by `CryptofuseAuth.layerConfig()`. It prints what happened, never the token or the
 * secret.
 */
import type { AccessToken } from "@auth-pipeline/core"
import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
import { Cryptofuse, Emulator, Server } from "@auth-pipeline/sandbox"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Cause, Console, Effect, Exit, Option, Redacted } from "effect"

const describeToken = (token: AccessToken.AccessToken): string => {
  const expiry = Option.match(token.expiresAt, {
    onNone: () => "no expires_in",
    onSome: (at) => `expires in ${Math.round((at - token.issuedAt) / 1000)} s (${new Date(at).toISOString()})`
  })
  return `${token.tokenType} token, scope "${token.scopes.join(" ")}", ${expiry}`
}

/** What the example does with the provider, whichever server it talks to. */
const program = Effect.gen(function*() {
  const cryptofuse = yield* CryptofuseAuth.CryptofuseAuth
  yield* Console.log(`token obtained: ${describeToken(yield* cryptofuse.token)}`)
  const response = yield* cryptofuse.client.get("/payments/")
  yield* Console.log(`GET /payments/ → HTTP ${response.status}`)
})

const main = Effect.gen(function*() {
  if (process.env["CRYPTOFUSE_CLIENT_ID"] !== undefined) {
    yield* Console.log("Cryptofuse (configured from CRYPTOFUSE_* environment variables)")
    return yield* program.pipe(Effect.provide(CryptofuseAuth.layerConfig()))
  }
  const emulator = yield* Cryptofuse.make()
  const baseUrl = yield* Server.serve(emulator)
  yield* Console.log(
    `Cryptofuse sandbox on ${baseUrl} (set CRYPTOFUSE_CLIENT_ID, _SECRET and _BASE_URL for a real account)`
  )
  const options = {
    clientId: Emulator.defaultClientId,
    clientSecret: Redacted.make(Emulator.defaultClientSecret),
    baseUrl
  }
  yield* Console.log("-- HTTP Basic, default scopes")
  yield* program.pipe(Effect.provide(CryptofuseAuth.layer(options)))
  yield* Console.log("-- credentials in the body, admin scopes")
  yield* program.pipe(
    Effect.provide(CryptofuseAuth.layer({ ...options, clientAuthentication: "client_secret_post", admin: true }))
  )
  const counters = yield* emulator.counters
  yield* Console.log(
    `token requests: ${counters.tokenRequests} (Basic ${counters.tokenRequestsByAuthMethod.client_secret_basic}, ` +
      `body ${counters.tokenRequestsByAuthMethod.client_secret_post})`
  )
}).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici))

Effect.runPromiseExit(main).then((exit) => {
  if (Exit.isFailure(exit)) {
    console.error(Cause.pretty(exit.cause))
    process.exitCode = 1
  }
})
