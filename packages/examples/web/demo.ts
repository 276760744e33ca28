/**
 * `npm run demo:web`: the web example on 127.0.0.1 with the sandbox's Centrapay OpenID Provider.
 * Prints the URL to open; Ctrl-C stops both servers.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { start } from "./server.js"

const program = Effect.gen(function*() {
  const { emulator, url } = yield* start()
  yield* Console.log(`Centrapay web example: open ${url}`)
  yield* Console.log(`  OpenID Provider (sandbox): ${emulator.issuer}`)
  yield* Console.log(`  sign in as "${emulator.users[0]?.sub}" with any password, then confirm the consent`)
  yield* Console.log("  Ctrl-C stops the page and the provider")
  return yield* Effect.never
})

NodeRuntime.runMain(Effect.scoped(program))
