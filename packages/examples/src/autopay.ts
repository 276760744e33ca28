/**
 * Autopay authentication end to end:
 *
 *   npx tsx packages/examples/src/autopay.ts
 *
 * By default it runs against the Autopay sandbox emulator served on 127.0.0.1 (real HTTP). With
 * AUTOPAY_CLIENT_ID and AUTOPAY_CLIENT_SECRET set (optionally AUTOPAY_TOKEN_URL and
 * AUTOPAY_BASE_URL), it runs against Autopay itself, configured by `AutopayAuth.layerConfig()`.
 * It prints what happened, never the token or the secret.
 */
import { AutopayAuth } from "@auth-pipeline/autopay"
import type { AccessToken } from "@auth-pipeline/core"
import { Autopay, Emulator, Server } from "@auth-pipeline/sandbox"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Cause, Console, Duration, Effect, Exit, Option, Redacted } from "effect"

const describeToken = (token: AccessToken.AccessToken): string => {
  const expiry = Option.match(token.expiresAt, {
    onNone: () => "no expires_in",
    onSome: (at) => `expires in ${Math.round((at - token.issuedAt) / 1000)} s (${new Date(at).toISOString()})`
  })
  return `${token.tokenType} token, scope "${token.scopes.join(" ")}", ${expiry}`
}

const budget = `at most ${AutopayAuth.defaultBudget.maxRequests} token requests per ${
  Duration.toHours(AutopayAuth.defaultBudget.window)
} h`

/** What the example does with the provider, whichever server it talks to. */
const program = (resourcePath: string) =>
  Effect.gen(function*() {
    const autopay = yield* AutopayAuth.AutopayAuth
    yield* Console.log(`token obtained: ${describeToken(yield* autopay.token)} (budget guard: ${budget})`)
    const response = yield* autopay.client.get(resourcePath)
    yield* Console.log(`GET ${resourcePath} → HTTP ${response.status}`)
  })

const main = Effect.gen(function*() {
  if (process.env["AUTOPAY_CLIENT_ID"] !== undefined) {
    // The docs name no API path; AUTOPAY_EXAMPLE_PATH picks the one to call (default: none).
    const path = process.env["AUTOPAY_EXAMPLE_PATH"]
    yield* Console.log("Autopay (credentials from AUTOPAY_CLIENT_ID / AUTOPAY_CLIENT_SECRET)")
    return yield* (path === undefined
      ? Effect.flatMap(
        AutopayAuth.AutopayAuth,
        (autopay) => Effect.flatMap(autopay.token, (token) => Console.log(`token obtained: ${describeToken(token)}`))
      )
      : program(path)).pipe(Effect.provide(AutopayAuth.layerConfig()))
  }
  const emulator = yield* Autopay.make()
  const baseUrl = yield* Server.serve(emulator)
  yield* Console.log(`Autopay sandbox on ${baseUrl} (set AUTOPAY_CLIENT_ID and AUTOPAY_CLIENT_SECRET for the real API)`)
  const options = {
    clientId: Emulator.defaultClientId,
    tokenUrl: `${baseUrl}${Autopay.tokenPath}`,
    baseUrl
  }
  const wrong = yield* Effect.flip(
    Effect.flatMap(AutopayAuth.AutopayAuth, (autopay) => autopay.token).pipe(
      Effect.provide(AutopayAuth.layer({ ...options, clientSecret: Redacted.make("not-the-secret") }))
    )
  )
  yield* Console.log(`wrong secret → ${wrong._tag}: ${wrong.message}`)
  yield* program(Autopay.resourcePath).pipe(
    Effect.provide(AutopayAuth.layer({ ...options, clientSecret: Redacted.make(Emulator.defaultClientSecret) }))
  )
  const counters = yield* emulator.counters
  yield* Console.log(`token requests: ${counters.tokenRequests}, tokens issued: ${counters.tokensIssued}`)
}).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici))

Effect.runPromiseExit(main).then((exit) => {
  if (Exit.isFailure(exit)) {
    console.error(Cause.pretty(exit.cause))
    process.exitCode = 1
  }
})
