/**
 * The fleet harness: a token endpoint and an API on 127.0.0.1 (node:http) that count token
 * requests, detect a replayed refresh token and an expired token sent to the API, and worker
 * processes (`child_process.fork` with tsx) each running `_fleetWorker.ts`. Everything is bounded:
 * every IPC call has a timeout, and the scope kills every worker left.
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import { type ChildProcess, fork } from "node:child_process"
import { appendFileSync } from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import type { WorkerConfig } from "./_fleetWorker.js"

export interface TokenRequest {
  readonly at: number
  readonly worker: string
  readonly pid: number
  readonly grant: string
}

/** What the endpoint does with the next token request: answer after `delay`, or answer 429. */
export type Hook = (request: TokenRequest) => Promise<{ readonly status?: number; readonly retryAfter?: number } | void>

export interface Endpoint {
  readonly tokenUrl: string
  readonly apiUrl: string
  readonly requests: Array<TokenRequest>
  /** Refresh tokens presented that were already used (rotation replay). */
  replays: number
  /** Access tokens the API saw after they had expired. */
  expiredSends: number
  lifetimeSeconds: number
  rotation: boolean
  hook: Hook | undefined
  /** Makes the API answer 401 to this token. */
  revoke: (token: string) => void
  readonly close: () => Promise<void>
}

export const endpoint = (lifetimeSeconds = 3600): Effect.Effect<Endpoint, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const issued = new Map<string, number>() // token → expiry (ms)
      const revoked = new Set<string>()
      let currentRefresh: string | undefined
      let n = 0
      const server = http.createServer((req, res) => {
        let body = ""
        req.on("data", (chunk) => (body += String(chunk)))
        req.on("end", async () => {
          if (req.url === "/token") {
            const form = new URLSearchParams(body)
            const request: TokenRequest = {
              at: Date.now(),
              worker: String(req.headers["x-worker"]),
              pid: Number(req.headers["x-worker-pid"]),
              grant: form.get("grant_type") ?? ""
            }
            self.requests.push(request)
            const hook = self.hook
            const action = hook === undefined ? undefined : await hook(request)
            if (action?.status === 429) {
              res.writeHead(429, { "content-type": "application/json", "retry-after": String(action.retryAfter ?? 1) })
              return res.end(JSON.stringify({ error: "slow_down" }))
            }
            if (request.grant === "refresh_token" && form.get("refresh_token") !== currentRefresh) {
              self.replays++
              res.writeHead(400, { "content-type": "application/json" })
              return res.end(JSON.stringify({ error: "invalid_grant" }))
            }
            const token = `tok-${n++}`
            issued.set(token, Date.now() + self.lifetimeSeconds * 1000)
            const answer: Record<string, unknown> = {
              access_token: token,
              token_type: "Bearer",
              expires_in: self.lifetimeSeconds
            }
            if (self.rotation) {
              currentRefresh = `rt-${token}`
              answer["refresh_token"] = currentRefresh
            }
            res.writeHead(200, { "content-type": "application/json" })
            return res.end(JSON.stringify(answer))
          }
          if (req.url === "/api") {
            const token = String(req.headers.authorization ?? "").replace(/^Bearer /, "")
            const expiry = issued.get(token)
            if (expiry !== undefined && Date.now() >= expiry) self.expiredSends++
            const ok = expiry !== undefined && !revoked.has(token) && Date.now() < expiry
            res.writeHead(ok ? 200 : 401, ok ? {} : { "www-authenticate": "Bearer error=\"invalid_token\"" })
            return res.end()
          }
          res.writeHead(404)
          res.end()
        })
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      const port = (server.address() as AddressInfo).port
      const self: Endpoint = {
        tokenUrl: `http://127.0.0.1:${port}/token`,
        apiUrl: `http://127.0.0.1:${port}`,
        requests: [],
        replays: 0,
        expiredSends: 0,
        lifetimeSeconds,
        rotation: false,
        hook: undefined,
        revoke: (token) => revoked.add(token),
        close: () =>
          new Promise((resolve) => {
            server.closeAllConnections()
            server.close(() => resolve())
          })
      }
      return self
    }),
    (self) => Effect.promise(() => self.close())
  )

const workerScript = fileURLToPath(new URL("./_fleetWorker.ts", import.meta.url))

export interface Worker {
  readonly name: string
  readonly child: ChildProcess
  readonly pid: number
  /** Sends `{ op, ... }` and waits (at most `timeout` ms) for the answer. */
  readonly call: (op: string, args?: Record<string, unknown>, timeout?: number) => Promise<Record<string, any>>
}

export const worker = (name: string, config: WorkerConfig): Effect.Effect<Worker, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () =>
        new Promise<Worker>((resolve, reject) => {
          const child = fork(workerScript, [name, JSON.stringify(config)], {
            execArgv: ["--import", "tsx"],
            stdio: ["ignore", "pipe", "pipe", "ipc"]
          })
          let stderr = ""
          child.stderr?.on("data", (chunk) => (stderr += String(chunk)))
          // FLEET_LOG=<dir> keeps each worker's output (its Effect logs) for a reader.
          const logDir = process.env["FLEET_LOG"]
          child.stdout?.on("data", (chunk) => {
            if (logDir !== undefined) appendFileSync(`${logDir}/${name}.log`, chunk)
          })
          let next = 1
          const pending = new Map<number, (reply: Record<string, any>) => void>()
          const timer = setTimeout(() => reject(new Error(`worker ${name} not ready: ${stderr}`)), 30_000)
          child.on("message", (message: any) => {
            if (message.ready) {
              clearTimeout(timer)
              resolve(self)
              return
            }
            pending.get(message.id)?.(message)
            pending.delete(message.id)
          })
          child.on("exit", (code, signal) => {
            clearTimeout(timer)
            for (const [, reply] of pending) reply({ error: `exited ${code ?? signal}` })
            pending.clear()
            reject(new Error(`worker ${name} exited (${code ?? signal}): ${stderr}`))
          })
          const self: Worker = {
            name,
            child,
            pid: child.pid!,
            call: (op, args = {}, timeout = 30_000) =>
              new Promise((resolveCall) => {
                const id = next++
                const t = setTimeout(() => {
                  pending.delete(id)
                  resolveCall({ error: `timeout after ${timeout} ms` })
                }, timeout)
                pending.set(id, (reply) => {
                  clearTimeout(t)
                  resolveCall(reply)
                })
                if (child.connected) child.send({ id, op, ...args })
              })
          }
        }),
      catch: (e) => e as Error
    }),
    (w) =>
      Effect.sync(() => {
        if (w.child.exitCode === null && w.child.signalCode === null) {
          try {
            process.kill(w.pid, "SIGCONT")
          } catch {}
          w.child.kill("SIGKILL")
        }
      })
  )

export const workers = (count: number, config: WorkerConfig) =>
  Effect.forEach(Array.from({ length: count }, (_, i) => `w${i}`), (name) => worker(name, config), {
    concurrency: "unbounded"
  })

export const all = <A>(list: ReadonlyArray<Worker>, f: (w: Worker) => Promise<A>) =>
  Effect.promise(() => Promise.all(list.map(f)))

export const sleep = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))
