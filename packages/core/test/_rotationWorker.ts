/**
 * A process of the multi-process FileTokenStore test: rotates the token in one file `rounds`
 * times with get + compareAndSet (what a refresh does) and reports which rotations it won, as
 * `[token it replaced, token it wrote]` pairs, to the parent over IPC.
 *
 * Arguments: <path> <name> <rounds>
 */
import { NodeFileSystem } from "@effect/platform-node"
import { Effect, Option, Redacted } from "effect"
import * as AccessToken from "../src/AccessToken.js"
import * as FileTokenStore from "../src/FileTokenStore.js"

const [path, name, rounds] = process.argv.slice(2)

const rotate = Effect.gen(function*() {
  const store = yield* FileTokenStore.make({ path: path!, lockTimeout: "60 seconds" })
  const wins: Array<readonly [string, string]> = []
  let conflicts = 0
  for (let i = 0; i < Number(rounds); i++) {
    const current = yield* store.get
    if (Option.isNone(current)) return yield* Effect.dieMessage("the file holds no token")
    const value = `${name}-${i}`
    const next = AccessToken.make({
      value: Redacted.make(value),
      issuedAt: Date.now(),
      refreshToken: Option.some(Redacted.make(`rt-${value}`))
    })
    if (yield* store.compareAndSet(current.value, Option.some(next))) {
      wins.push([Redacted.value(current.value.value), value])
    } else {
      conflicts++
    }
  }
  return { wins, conflicts }
})

Effect.runPromise(rotate.pipe(Effect.provide(NodeFileSystem.layer))).then(
  (result) => process.send!(result, () => process.exit(0)),
  (error) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  }
)
