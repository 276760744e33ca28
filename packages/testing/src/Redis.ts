/**
 * A real `redis-server` for tests (Debian's, never a mock): started on a free loopback port with
 * no persistence, stopped by its pid when the scope closes. Without `redis-server` the Redis
 * suites are skipped with a printed reason, unless `CI` is set (there it is a failure: `.ci/run`
 * installs it with apt).
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"

/** Where Debian installs it; `REDIS_SERVER` overrides. */
export const redisServerPath = process.env["REDIS_SERVER"] ?? "/usr/bin/redis-server"

export const redisInstalled = (): boolean => {
  if (fs.existsSync(redisServerPath)) return true
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

const binary = (): string => fs.existsSync(redisServerPath) ? redisServerPath : "redis-server"

/** Why the Redis tests cannot run here, or `undefined` when they can (always under `CI`). */
export const skipReason: string | undefined = redisInstalled() || process.env["CI"]
  ? undefined
  : `Redis tests skipped: no redis-server at ${redisServerPath} (apt-get install redis-server, or set REDIS_SERVER)`

/** Prints {@link skipReason} and says whether to skip. */
export const skip = (): boolean => {
  if (skipReason !== undefined) process.stderr.write(`${skipReason}\n`)
  return skipReason !== undefined
}

/** A free TCP port on 127.0.0.1 (the OS picks it; closed again before use). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

/** One RESP command over a fresh socket (for tests' fault injection: CLIENT PAUSE, DEBUG, ...). */
export const command = (port: number, args: ReadonlyArray<string>, timeoutMillis = 2_000): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1")
    let reply = ""
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`redis ${args[0]} timed out`))
    }, timeoutMillis)
    socket.on("connect", () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`)
    })
    socket.on("data", (chunk) => {
      reply += String(chunk)
      if (reply.endsWith("\r\n")) {
        clearTimeout(timer)
        socket.end()
        resolve(reply.trim())
      }
    })
    socket.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** The server's pid (for SIGSTOP / a restart). */
  readonly pid: () => number
  /** Stops the server (SIGKILL: no save, data gone) and starts a new one on the same port. */
  readonly restart: () => Promise<void>
  /** Stops it for good (also done on scope close). */
  readonly stop: () => Promise<void>
}

const start = async (port: number) => {
  const child = spawn(binary(), [
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
    "--save",
    "",
    "--appendonly",
    "no",
    "--enable-debug-command",
    "local",
    "--protected-mode",
    "yes"
  ], { stdio: "ignore", detached: false })
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`)
    try {
      if ((await command(port, ["PING"], 500)) === "+PONG") return child
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25))
  }
  child.kill("SIGKILL")
  throw new Error(`redis-server did not answer PING on ${port}`)
}

const kill = (child: ReturnType<typeof spawn>) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    process.kill(child.pid!, "SIGCONT")
    process.kill(child.pid!, "SIGKILL")
  })

/** Starts a server on a free loopback port; the scope's close stops it by pid. */
export const server: Effect.Effect<RedisServer, Error, Scope.Scope> = Effect.acquireRelease(
  Effect.tryPromise({
    try: async () => {
      const port = await freePort()
      let child = await start(port)
      const self: RedisServer = {
        port,
        url: `redis://127.0.0.1:${port}`,
        pid: () => child.pid!,
        restart: async () => {
          await kill(child)
          child = await start(port)
        },
        stop: () => kill(child)
      }
      return self
    },
    catch: (cause) => new Error(`redis-server did not start: ${String(cause)}`)
  }),
  (self) => Effect.promise(() => self.stop())
)
