/**
 * Centrapay with an API key:
 *
 *   npx tsx packages/examples/src/centrapay-api-key.ts
 *
 * By default it runs against the Centrapay sandbox emulator served on 127.0.0.1 (real HTTP) with
 * the test merchant key the docs publish. With CENTRAPAY_API_KEY set (optionally
 * CENTRAPAY_BASE_URL), it calls Centrapay itself, configured by `CentrapayApiKey.layerConfig()`.
 * It prints what happened, never the key.
 */
import { CentrapayApiKey } from "@auth-pipeline/centrapay"
import { Centrapay, Server } from "@auth-pipeline/sandbox"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Cause, Console, Effect, Exit, Option, Redacted } from "effect"

const memberships = "/api/account-memberships"

const program = (sandbox: Option.Option<{ readonly revoke: (key: string) => Effect.Effect<void> }>) =>
  Effect.gen(function*() {
    const { client } = yield* CentrapayApiKey.CentrapayApiKey
    const response = yield* client.get(memberships)
    yield* Console.log(`GET ${memberships} with X-Api-Key → HTTP ${response.status}`)
    yield* Console.log(`body: ${JSON.stringify(yield* response.json)}`)

    if (Option.isSome(sandbox)) {
      // API keys cannot be refreshed: once revoked, a call fails at once with a typed error.
      yield* sandbox.value.revoke(Redacted.value(CentrapayApiKey.testMerchantApiKey))
      const error = yield* Effect.flip(client.get(memberships))
      yield* Console.log(`after the key was revoked: ${error._tag} (${error.message})`)
    }
  })

const main = Effect.gen(function*() {
  if (process.env["CENTRAPAY_API_KEY"] !== undefined) {
    yield* Console.log("Centrapay (API key from CENTRAPAY_API_KEY)")
    return yield* program(Option.none()).pipe(Effect.provide(CentrapayApiKey.layerConfig()))
  }
  const emulator = yield* Centrapay.make()
  const baseUrl = yield* Server.serve(emulator)
  yield* Console.log(`Centrapay sandbox on ${baseUrl}, test merchant key (set CENTRAPAY_API_KEY for the real API)`)
  yield* program(Option.some(emulator)).pipe(
    Effect.provide(CentrapayApiKey.layer({ apiKey: CentrapayApiKey.testMerchantApiKey, baseUrl }))
  )
}).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici))

Effect.runPromiseExit(main).then((exit) => {
  if (Exit.isFailure(exit)) {
    console.error(Cause.pretty(exit.cause))
    process.exitCode = 1
  }
})
