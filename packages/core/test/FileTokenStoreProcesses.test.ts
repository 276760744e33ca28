import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as AccessToken from "../src/AccessToken.js"
import * as FileTokenStore from "../src/FileTokenStore.js"
import { _value } from "./_source.js"

interface Report {
  readonly wins: ReadonlyArray<readonly [string, string]>
  readonly conflicts: number
}

const worker = fileURLToPath(new URL("./_rotationWorker.ts", import.meta.url))

/** Runs one worker process to its end and returns its report. */
const _run = (path: string, name: string, rounds: number) =>
  Effect.async<Report, Error>((resume) => {
    const child = fork(worker, [path, name, String(rounds)], { execArgv: ["--import", "tsx"], stdio: "pipe" })
    let report: Report | undefined
    let stderr = ""
    child.stderr?.on("data", (chunk) => (stderr += String(chunk)))
    child.on("message", (message) => (report = message as Report))
    child.on("exit", (code) =>
      resume(
        code === 0 && report !== undefined
          ? Effect.succeed(report)
          : Effect.fail(new Error(`worker ${name} exited with ${code}: ${stderr}`))
      ))
    return Effect.sync(() => child.kill())
  })

const workers = 4
const rounds = 50

layer(NodeFileSystem.layer, { timeout: "120 seconds" })("FileTokenStore across processes", (it) => {
  describe("compareAndSet", () => {
    it.scoped(
      `${workers} processes rotating one token set ${rounds} times each lose no rotation`,
      () =>
        Effect.gen(function*() {
          const fs = yield* FileSystem.FileSystem
          const dir = yield* fs.makeTempDirectoryScoped({ prefix: "file-token-store-processes-" })
          const path = `${dir}/tokens.json`
          const store = yield* FileTokenStore.make({ path })
          yield* store.set(Option.some(AccessToken.make({ value: Redacted.make("t0"), issuedAt: 0 })))

          const reports = yield* Effect.forEach(
            Array.from({ length: workers }, (_, i) => `w${i}`),
            (name) => _run(path, name, rounds),
            { concurrency: "unbounded" }
          )
          const wins = reports.flatMap((report) => report.wins)
          // Every successful compareAndSet replaced a different token: two that replaced the same
          // one would mean the second overwrote the first's rotation.
          const replaced = wins.map(([from]) => from)
          expect(new Set(replaced).size).toBe(replaced.length)
          // And they form one chain from the first token to the one in the file.
          const next = new Map(wins)
          let current = "t0"
          let steps = 0
          while (next.has(current)) {
            current = next.get(current)!
            steps++
          }
          expect(steps).toBe(wins.length)
          expect(Option.map(yield* (yield* FileTokenStore.make({ path })).get, _value)).toEqual(Option.some(current))
          expect(wins.length).toBeGreaterThan(0)
          expect(wins.length + reports.reduce((n, report) => n + report.conflicts, 0)).toBe(workers * rounds)
          // No lock or temp file is left behind.
          expect(yield* fs.readDirectory(dir)).toEqual(["tokens.json"])
        }),
      120_000
    )
  })
})
