import { CentrapayOidc } from "@auth-pipeline/sandbox"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { cleanEnv, freePortBase, killAll, run, type Running, start } from "./_cli.js"

const home = fs.mkdtempSync(path.join(os.tmpdir(), "auth-pipeline-cli-"))
const env = cleanEnv(home)
const storeFile = path.join(home, "store", "centrapay.json")
let base = 0
let sandbox: Running | undefined
const sandboxArgs = () => ["--sandbox", "--port-base", String(base)]

beforeAll(async () => {
  base = await freePortBase()
  sandbox = start(["sandbox", "--port-base", String(base)], env)
  await sandbox.waitFor("stdout", /Running until Ctrl-C/)
}, 30_000)

afterAll(async () => {
  await sandbox?.stop()
  killAll()
})

afterEach(() => {
  if (sandbox?.child.exitCode !== null) throw new Error("the sandbox ended")
})

/** Every secret the store file holds (access, refresh and ID token). */
const storedSecrets = (): ReadonlyArray<string> => {
  const document = JSON.parse(fs.readFileSync(storeFile, "utf8"))
  const token = document.token
  return [token.accessToken, token.refreshToken, token.idToken].filter((s): s is string => typeof s === "string")
}

/** Runs `login` and signs in with the sandbox's browser-less driver at the URL it printed. */
const login = async (extra: ReadonlyArray<string> = []) => {
  const running = start(["login", "centrapay", ...sandboxArgs(), "--store", storeFile, "--no-browser", ...extra], env)
  const [, url] = await running.waitFor("stderr", /Open this URL in a browser to sign in:\s+(\S+)/)
  await Effect.runPromise(CentrapayOidc.signInAt(url!))
  const timer = setTimeout(() => running.child.kill("SIGKILL"), 30_000)
  const result = await running.exited
  clearTimeout(timer)
  return { result, url: new URL(url!) }
}

describe("auth-pipeline login / whoami / store / logout against the sandbox's OpenID Provider", () => {
  it("login prints the authorization URL, completes through the loopback redirect, shows the claims", async () => {
    const { result, url } = await login()
    expect(result.code, result.stderr).toBe(0)
    expect(url.origin).toBe(`http://127.0.0.1:${base + 4}`)
    expect(url.searchParams.get("code_challenge_method")).toBe("S256")
    expect(url.searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oidc-callback$/)
    expect(result.stderr).toContain(`Signed in as user-1 (token set in ${storeFile})`)
    expect(result.stdout).toMatch(/^sub +user-1$/m)
    expect(result.stdout).toMatch(/^email +jane\.doe@example\.com$/m)
    expect(result.stdout).toMatch(/^session expires +\d{4}-\d\d-\d\dT.*\(in 60 min\)$/m)
    expect(fs.statSync(storeFile).mode & 0o777).toBe(0o600)
    for (const secret of storedSecrets()) expect(result.stdout + result.stderr).not.toContain(secret)
  })

  it("whoami prints the stored claims; store inspect shows expiry, scopes and version, never a value", async () => {
    const secrets = storedSecrets()
    expect(secrets).toHaveLength(3)

    const whoami = await run(["whoami", "centrapay", "--store", storeFile], env)
    expect(whoami.code, whoami.stderr).toBe(0)
    expect(whoami.stdout).toMatch(/^sub +user-1$/m)
    expect(whoami.stdout).toMatch(/^phone_number +\+6421234567890$/m)
    expect(whoami.stdout).toMatch(/^refresh token +present/m)

    const inspect = await run(["store", "inspect", "--store", storeFile], env)
    expect(inspect.code, inspect.stderr).toBe(0)
    expect(inspect.stdout).toMatch(/^format +version 1$/m)
    expect(inspect.stdout).toMatch(/^mode +0600$/m)
    expect(inspect.stdout).toMatch(/^scopes +openid$/m)
    expect(inspect.stdout).toMatch(/^expires +\d{4}-\d\d-\d\dT\S+ \(in 60 min\)$/m)
    expect(inspect.stdout).toMatch(/^lease +none/m)

    const json = await run(["store", "inspect", "--store", storeFile, "--format", "json"], env)
    expect(JSON.parse(json.stdout)).toMatchObject({
      store: { kind: "file", path: storeFile, mode: "0600" },
      formatVersion: 1,
      lease: null,
      token: { tokenType: "Bearer", scopes: ["openid"], expired: false, refreshToken: true, idToken: true }
    })

    for (const result of [whoami, inspect, json]) {
      for (const secret of secrets) expect(result.stdout + result.stderr).not.toContain(secret)
    }
  })

  it("logout clears the store and revokes at the provider; then whoami exits 5", async () => {
    const logout = await run(["logout", "centrapay", ...sandboxArgs(), "--store", storeFile], env)
    expect(logout.code, logout.stderr).toBe(0)
    expect(logout.stderr).toContain(`Signed out (token set removed from ${storeFile})`)
    expect(logout.stderr).toContain("The refresh token was revoked at the provider.")

    const whoami = await run(["whoami", "--store", storeFile], env)
    expect(whoami.code).toBe(5)
    expect(whoami.stderr.trim()).toBe(
      `error: not signed in to centrapay (store ${storeFile}): run auth-pipeline login centrapay`
    )
    const inspect = await run(["store", "inspect", "--store", storeFile], env)
    expect(inspect.code).toBe(0)
    expect(inspect.stdout).toMatch(/^token +none$/m)
  })

  it("store clear forgets a session; a login's commands refuse a Redis store as usage", async () => {
    const { result } = await login()
    expect(result.code, result.stderr).toBe(0)
    const clear = await run(["store", "clear", "--store", storeFile], env)
    expect(clear.code).toBe(0)
    expect((await run(["whoami", "--store", storeFile], env)).code).toBe(5)
    const redis = await run(["whoami", "--store", "redis://127.0.0.1:6379"], env)
    expect(redis.code).toBe(2)
    expect(redis.stderr.trim()).toBe(
      "error: --store: a login keeps its session in a file; a redis:// store is for `store inspect|clear`"
    )
  })

  it("a login nobody completes exits 6 after --timeout; Ctrl-C while waiting exits 130", async () => {
    const timedOut = await run(
      ["login", ...sandboxArgs(), "--store", storeFile, "--no-browser", "--timeout", "1"],
      env
    )
    expect(timedOut.code).toBe(6)
    expect(timedOut.stderr).toMatch(/^error: Loopback redirect failed \(Timeout\): no callback within 1s$/m)

    const waiting = start(["login", ...sandboxArgs(), "--store", storeFile, "--no-browser"], env)
    await waiting.waitFor("stderr", /Open this URL/)
    const interrupted = await waiting.stop()
    expect(interrupted.code).toBe(130)
  })

  it("the default store is a sandbox-only file under the config directory", async () => {
    const { result } = await (async () => {
      const running = start(["login", ...sandboxArgs(), "--no-browser"], env)
      const [, url] = await running.waitFor("stderr", /Open this URL in a browser to sign in:\s+(\S+)/)
      await Effect.runPromise(CentrapayOidc.signInAt(url!))
      return { result: await running.exited }
    })()
    expect(result.code, result.stderr).toBe(0)
    const file = path.join(home, ".config", "auth-pipeline", "centrapay-sandbox.json")
    expect(result.stderr).toContain(file)
    const whoami = await run(["whoami", "--sandbox"], env)
    expect(whoami.stdout).toMatch(/^sub +user-1$/m)
    expect((await run(["whoami"], env)).code).toBe(5) // the real provider's file is another one
  })
})
