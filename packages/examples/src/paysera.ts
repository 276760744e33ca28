/**
 * Paysera Checkout authentication end to end:
 *
 *   npx tsx packages/examples/src/paysera.ts
 *
 * By default it runs against the Paysera sandbox emulator served on 127.0.0.1 (real HTTP). With
 * PAYSERA_CLIENT_ID and PAYSERA_CLIENT_SECRET set (optionally PAYSERA_TOKEN_URL and
 * PAYSERA_BASE_URL), it runs against Paysera itself, configured by `PayseraAuth.layerConfig()`.
 * It prints what happened, never the token or the secret.
 */
import type { AccessToken } from "@auth-pipeline/core"
import { PayseraAuth } from "@auth-pipeline/paysera"
import { Emulator, Paysera, Server } from "@auth-pipeline/sandbox"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Cause, Console, Effect, Exit, Option, Redacted } from "effect"

const methodsPath = "/checkout-project/integration/v1/methods"

const describeToken = (token: AccessToken.AccessToken): string => {
  const expiry = Option.match(token.expiresAt, {
    onNone: () => "no expires_in",
    onSome: (at) => `expires in ${Math.round((at - token.issuedAt) / 1000)} s (${new Date(at).toISOString()})`
  })
  return `${token.tokenType} token, scope "${token.scopes.join(" ")}", ${expiry}`
}

/** What the example does with the provider, whichever server it talks to. */
const program = (sandbox: Option.Option<Emulator.Emulator>) =>
  Effect.gen(function*() {
    const paysera = yield* PayseraAuth.PayseraAuth
    const token = yield* paysera.token
    yield* Console.log(`token obtained: ${describeToken(token)}`)

    const response = yield* paysera.client.get(methodsPath)
    const limit = `${response.headers["x-ratelimit-remaining"] ?? "?"}/${response.headers["x-ratelimit-limit"] ?? "?"}`
    yield* Console.log(`GET ${methodsPath} → HTTP ${response.status} (rate limit: ${limit} requests left this minute)`)

    const again = yield* paysera.client.get(methodsPath)
    const reused = Redacted.value((yield* paysera.token).value) === Redacted.value(token.value)
    yield* Console.log(
      `second call → HTTP ${again.status}, ${reused ? "same cached token" : "new token"} (reused ~55 min)`
    )

    if (Option.isSome(sandbox)) {
      // The server revokes the token: the next call gets a 401, re-authenticates and retries once.
      yield* sandbox.value.revoke(Redacted.value(token.value))
      const recovered = yield* paysera.client.get(methodsPath)
      const counters = yield* sandbox.value.counters
      yield* Console.log(
        `after the server revoked the token: HTTP ${recovered.status} via one retry with a new token ` +
          `(token requests: ${counters.tokenRequests}, 401s: ${counters.unauthorized})`
      )
    }
  })

const main = Effect.gen(function*() {
  if (process.env["PAYSERA_CLIENT_ID"] !== undefined) {
    yield* Console.log("Paysera (credentials from PAYSERA_CLIENT_ID / PAYSERA_CLIENT_SECRET)")
    return yield* program(Option.none()).pipe(Effect.provide(PayseraAuth.layerConfig()))
  }
  const emulator = yield* Paysera.make()
  const baseUrl = yield* Server.serve(emulator)
  yield* Console.log(`Paysera sandbox on ${baseUrl} (set PAYSERA_CLIENT_ID and PAYSERA_CLIENT_SECRET for the real API)`)
  yield* program(Option.some(emulator)).pipe(
    Effect.provide(
      PayseraAuth.layer({
        clientId: Emulator.defaultClientId,
        clientSecret: Redacted.make(Emulator.defaultClientSecret),
        tokenUrl: `${baseUrl}${Paysera.tokenPath}`,
        baseUrl
      })
    )
  )
}).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici))

Effect.runPromiseExit(main).then((exit) => {
  if (Exit.isFailure(exit)) {
    console.error(Cause.pretty(exit.cause))
    process.exitCode = 1
  }
})
