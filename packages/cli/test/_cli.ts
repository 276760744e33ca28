/**
 * Runs the built command (`node dist/bin.js`) as a subprocess, on loopback only, with bounded
 * timeouts; every child is killed when its test ends.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as net from "node:net"
import * as path from "node:path"

export const bin = path.resolve(import.meta.dirname, "..", "dist", "bin.js")

/** The environment without provider credentials or colour settings; config files under `home`. */
export const cleanEnv = (home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(
    Object.entries(process.env).filter(([k]) =>
      !/^(PAYSERA|CRYPTOFUSE|AUTOPAY|CENTRAPAY)_/.test(k) && !["NO_COLOR", "FORCE_COLOR"].includes(k)
    )
  ),
  HOME: home,
  XDG_CONFIG_HOME: path.join(home, ".config"),
  ...extra
})

export interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** A running command: its output so far, a wait for a pattern, its end. */
export interface Running {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly waitFor: (stream: "stdout" | "stderr", pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>
  readonly exited: Promise<Result>
  /** SIGINT, then SIGKILL if it has not ended after `graceMs`. */
  readonly stop: (graceMs?: number) => Promise<Result>
}

const children = new Set<ChildProcess>()

/** Kills every child still running (call in `afterEach`). */
export const killAll = (): void => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  children.clear()
}

export const start = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Running => {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
  children.add(child)
  let out = ""
  let err = ""
  const listeners = new Set<() => void>()
  child.stdout!.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8")
    for (const listener of listeners) listener()
  })
  child.stderr!.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8")
    for (const listener of listeners) listener()
  })
  const exited = new Promise<Result>((resolve) => {
    child.on("close", (code, signal) => {
      children.delete(child)
      for (const listener of listeners) listener()
      resolve({ code, signal, stdout: out, stderr: err })
    })
  })
  const waitFor = (stream: "stdout" | "stderr", pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = (stream === "stdout" ? out : err).match(pattern)
        if (match !== null) {
          done()
          resolve(match)
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done()
          reject(new Error(`exited (${child.exitCode}) before ${pattern} on ${stream}:\n${out}\n${err}`))
        }
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`no ${pattern} on ${stream} within ${timeoutMs} ms:\n${out}\n${err}`))
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        listeners.delete(check)
      }
      listeners.add(check)
      check()
    })
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT")
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
    const result = await exited
    clearTimeout(timer)
    return result
  }
  return { child, stdout: () => out, stderr: () => err, waitFor, exited, stop }
}

/** Runs the command to its end (killed after `timeoutMs`). */
export const run = async (
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000
): Promise<Result> => {
  const running = start(args, env)
  const timer = setTimeout(() => running.child.kill("SIGKILL"), timeoutMs)
  const result = await running.exited
  clearTimeout(timer)
  return result
}

const isFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = net.createServer()
    server.once("error", () => resolve(false))
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)))
  })

/** A base port with the sandbox's 5 consecutive ports free on 127.0.0.1. */
export const freePortBase = async (): Promise<number> => {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000)
    let free = true
    for (let i = 0; i < 5 && free; i++) free = await isFree(base + i)
    if (free) return base
  }
  throw new Error("no 5 consecutive free ports found")
}
