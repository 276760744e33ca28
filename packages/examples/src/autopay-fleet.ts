/**
 * Several processes, one token: a fleet of Autopay replicas sharing their token through Redis.
 *
 *   npx tsx packages/examples/src/autopay-fleet.ts [--replicas 4]
 *
 * Starts the Autopay sandbox emulator on 127.0.0.1 and a `redis-server` on a free loopback port
 * (Debian's `/usr/bin/redis-server`; or set AUTH_PIPELINE_REDIS_URL to use a running Redis), then
 * forks N replica processes. Each builds `AutopayAuth.layer` with `RedisTokenStore.layer` and calls
 * the API a few times; the emulator counts one token request for the whole fleet. Then the token
 * is revoked at the provider: every replica meets a 401, and still one new token is requested.
 * Without redis-server it says how to get one and exits 0. Prints no token and no secret.
 */
import { AutopayAuth } from "@auth-pipeline/autopay"
import { RedisMetrics, RedisTokenStore } from "@auth-pipeline/redis"
import { Autopay, Emulator, Server } from "@auth-pipeline/sandbox"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Cause, Console, Effect, Exit, Layer, Metric, Redacted } from "effect"
import type { Scope } from "effect"
import { type ChildProcess, execFileSync, fork, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import { fileURLToPath, pathToFileURL } from "node:url"

/** The example's record key: every replica needs the same one (`openssl rand -base64 32` for real). */
const encryptionKey = Redacted.make("example-only-key-9c1f3a7e5b2d4f6a8c0e1b3d5f7a9c2e")

export const redisServerPath = process.env["REDIS_SERVER"] ?? "/usr/bin/redis-server"

export const redisAvailable = (): boolean => {
  if (process.env["AUTH_PIPELINE_REDIS_URL"] !== undefined || fs.existsSync(redisServerPath)) return true
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

export const howToEnable =
  "no redis-server found: apt-get install redis-server (or set AUTH_PIPELINE_REDIS_URL=redis://host:port)"

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as net.AddressInfo
      server.close(() => resolve(address.port))
    })
  })

const ping = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1")
    socket.on("connect", () => socket.write("PING\r\n"))
    socket.on("data", (d) => {
      socket.destroy()
      resolve(String(d).startsWith("+PONG"))
    })
    socket.on("error", () => resolve(false))
  })

/** A redis-server on a free loopback port without persistence, stopped by pid with the scope. */
export const redisServer: Effect.Effect<string, Error, Scope.Scope> = Effect.gen(function*() {
  const given = process.env["AUTH_PIPELINE_REDIS_URL"]
  if (given !== undefined) return given
  const port = yield* Effect.promise(freePort)
  const binary = fs.existsSync(redisServerPath) ? redisServerPath : "redis-server"
  const child = yield* Effect.acquireRelease(
    Effect.sync(() =>
      spawn(binary, ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"], {
        stdio: "ignore"
      })
    ),
    (child) => Effect.sync(() => child.kill("SIGKILL"))
  )
  for (let i = 0; i < 200; i++) {
    if (yield* Effect.promise(() => ping(port))) return `redis://127.0.0.1:${port}`
    if (child.exitCode !== null) break
    yield* Effect.sleep("25 millis")
  }
  return yield* Effect.fail(new Error(`redis-server did not start on port ${port}`))
})

// ---- a replica (a child process) -------------------------------------------------------------

interface ReplicaReport {
  readonly replica: string
  readonly statuses: ReadonlyArray<number>
  readonly afterRevoke?: number
  readonly version: number
}

const replica = (name: string, redisUrl: string, sandboxUrl: string) => {
  const AutopayLive = AutopayAuth.layer({
    clientId: Emulator.defaultClientId,
    clientSecret: Redacted.make(Emulator.defaultClientSecret),
    tokenUrl: `${sandboxUrl}${Autopay.tokenPath}`,
    baseUrl: sandboxUrl
  }).pipe(
    Layer.provide(RedisTokenStore.layer({ url: redisUrl, encryptionKey })),
    Layer.provide(NodeHttpClient.layerUndici)
  )
  const call = Effect.flatMap(AutopayAuth.AutopayAuth, (autopay) => autopay.client.get(Autopay.resourcePath))
  const version = Effect.map(
    Metric.value(Metric.tagged(RedisMetrics.recordVersion, "cache", AutopayAuth.name)),
    (s) => s.value
  )
  const send = (message: unknown) =>
    Effect.async<void>((resume) => {
      process.send!(message, () => resume(Effect.void))
    })
  return Effect.gen(function*() {
    const statuses: Array<number> = []
    for (let i = 0; i < 5; i++) statuses.push((yield* call).status)
    yield* send({ replica: name, statuses, version: yield* version } satisfies ReplicaReport)
    // Wait for the parent to revoke the token at the provider, then call again (401 → one new token).
    yield* Effect.async<void>((resume) => {
      process.once("message", () => resume(Effect.void))
    })
    const afterRevoke = (yield* call).status
    yield* send({ replica: name, statuses, afterRevoke, version: yield* version } satisfies ReplicaReport)
  }).pipe(Effect.provide(AutopayLive))
}

// ---- the fleet (the parent) ------------------------------------------------------------------

const self = fileURLToPath(import.meta.url)

const forkReplica = (name: string, redisUrl: string, sandboxUrl: string) =>
  Effect.acquireRelease(
    Effect.sync(() =>
      fork(self, ["--replica", name, redisUrl, sandboxUrl], { execArgv: ["--import", "tsx"], stdio: "inherit" })
    ),
    (child) => Effect.sync(() => child.kill("SIGKILL"))
  )

const nextReport = (child: ChildProcess) =>
  Effect.async<ReplicaReport, Error>((resume) => {
    const onExit = (code: number | null) => resume(Effect.fail(new Error(`replica exited with ${code}`)))
    child.once("exit", onExit)
    child.once("message", (message) => {
      child.off("exit", onExit)
      resume(Effect.succeed(message as ReplicaReport))
    })
  }).pipe(Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error("replica did not report") }))

/** Runs the fleet and prints what the provider saw. Needs redis-server (see {@link redisAvailable}). */
export const fleet = (replicas: number) =>
  Effect.gen(function*() {
    const redisUrl = yield* redisServer
    const emulator = yield* Autopay.make()
    const sandboxUrl = yield* Server.serve(emulator)
    yield* Console.log(
      `${replicas} replicas of one service, one Redis (${redisUrl}), the Autopay sandbox on ${sandboxUrl}`
    )
    const children = yield* Effect.forEach(
      Array.from({ length: replicas }, (_, i) => `replica-${i + 1}`),
      (name) => forkReplica(name, redisUrl, sandboxUrl)
    )
    const first = yield* Effect.forEach(children, nextReport, { concurrency: "unbounded" })
    let c = yield* emulator.counters
    const versions = new Set(first.map((r) => r.version))
    yield* Console.log(
      `cold start: ${first.reduce((n, r) => n + r.statuses.length, 0)} API calls from ${replicas} processes, ` +
        `${c.tokenRequests} token request (without a shared store: ${replicas}); ` +
        `${versions.size === 1 ? "every replica holds the same token" : "replicas hold different tokens"}`
    )
    yield* emulator.revokeAll
    for (const child of children) child.send("revoked")
    const second = yield* Effect.forEach(children, nextReport, { concurrency: "unbounded" })
    c = yield* emulator.counters
    yield* Console.log(
      `token revoked at the provider: ${c.unauthorized} replicas met a 401, ` +
        `${c.tokenRequests - 1} new token request for the fleet, then ${
          second.filter((r) => r.afterRevoke === 200).length
        }/${replicas} calls → HTTP 200`
    )
    return { tokenRequests: c.tokenRequests, replicas }
  })

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href

if (isMain && process.argv[2] === "--replica") {
  const [, , , name, redisUrl, sandboxUrl] = process.argv
  Effect.runPromiseExit(replica(name!, redisUrl!, sandboxUrl!)).then((exit) => {
    if (Exit.isFailure(exit)) console.error(Cause.pretty(exit.cause))
    process.exit(Exit.isFailure(exit) ? 1 : 0)
  })
} else if (isMain) {
  if (!redisAvailable()) {
    console.log(howToEnable)
  } else {
    Effect.runPromiseExit(fleet(arg("--replicas", 4)).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici)))
      .then((exit) => {
        if (Exit.isFailure(exit)) {
          console.error(Cause.pretty(exit.cause))
          process.exitCode = 1
        }
      })
  }
}
