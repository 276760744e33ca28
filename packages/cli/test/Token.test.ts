import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { cleanEnv, freePortBase, killAll, run, type Running, start } from "./_cli.js"

const home = fs.mkdtempSync(path.join(os.tmpdir(), "auth-pipeline-cli-"))
const env = cleanEnv(home)
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
})

afterEach(() => {
  if (sandbox?.child.exitCode !== null) throw new Error("the sandbox ended")
})

afterAll(killAll)

describe("auth-pipeline sandbox + token", () => {
  it("the sandbox prints every provider's URL and test credentials as a table", () => {
    const out = sandbox!.stdout()
    expect(out).toMatch(/^provider +url +token endpoint +test credentials$/m)
    const row = (name: string, port: number) => new RegExp(`^${name} +http://127\\.0\\.0\\.1:${port} `, "m")
    expect(out).toMatch(row("paysera", base))
    expect(out).toMatch(row("cryptofuse", base + 1))
    expect(out).toMatch(row("autopay", base + 2))
    expect(out).toMatch(row("centrapay", base + 3))
    expect(out).toMatch(row("centrapay-oidc", base + 4))
    expect(out).toContain("client sandbox-client, secret sandbox-secret")
    expect(out).not.toContain("\u001b[")
  })

  it("--format header prints a working Authorization header for each provider", async () => {
    for (const provider of ["paysera", "cryptofuse", "autopay"]) {
      const result = await run(["token", provider, ...sandboxArgs()], env)
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toBe("")
      expect(result.stdout).toMatch(/^Authorization: Bearer [\w-]{20,}\n$/)
    }
    // The header is accepted by the provider's API (the Paysera emulator's integration API).
    const { stdout } = await run(["token", "paysera", ...sandboxArgs()], env)
    const response = await fetch(`http://127.0.0.1:${base}/checkout-project/integration/v1/methods`, {
      headers: { authorization: stdout.replace(/^Authorization: /, "").trim() }
    })
    expect(response.status).toBe(200)
  })

  it("--format json shows type, scopes and expiry, and the token only with --reveal", async () => {
    const described = await run(["token", "paysera", ...sandboxArgs(), "--format", "json"], env)
    expect(described.code).toBe(0)
    const json = JSON.parse(described.stdout)
    expect(json).toMatchObject({ provider: "paysera", tokenType: "Bearer", scopes: ["profile", "email"] })
    expect(json.expiresIn).toBeGreaterThan(3590)
    expect(Date.parse(json.expiresAt) - Date.parse(json.issuedAt)).toBe(3600_000)
    expect(json).not.toHaveProperty("accessToken")

    const revealed = await run(["token", "cryptofuse", ...sandboxArgs(), "--format", "json", "--reveal"], env)
    expect(revealed.code).toBe(0)
    const withToken = JSON.parse(revealed.stdout)
    expect(withToken.scopes).toEqual(["read", "write"])
    expect(withToken.accessToken).toMatch(/^[A-Za-z0-9]{30}$/)
  })

  it("--format curl prints a curl command with the header and the API base URL", async () => {
    const result = await run(["token", "autopay", ...sandboxArgs(), "--format", "curl"], env)
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      new RegExp(`^curl -H 'Authorization: Bearer [\\w-]+' http://127\\.0\\.0\\.1:${base + 2}/\\n$`)
    )
  })

  it("reads the documented environment variables (PAYSERA_CLIENT_ID, _SECRET, _TOKEN_URL, _BASE_URL)", async () => {
    const url = `http://127.0.0.1:${base}`
    const result = await run(
      ["token", "paysera", "--format", "curl"],
      cleanEnv(home, {
        PAYSERA_CLIENT_ID: "sandbox-client",
        PAYSERA_CLIENT_SECRET: "sandbox-secret",
        PAYSERA_TOKEN_URL: `${url}/auth/realms/Paysera/protocol/openid-connect/token`,
        PAYSERA_BASE_URL: url
      })
    )
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(`${url}/`)
  })

  it("a wrong secret exits 3 with the provider's answer in one line, and the secret appears nowhere", async () => {
    const secret = "wrong-Secret-7f3a9c"
    const url = `http://127.0.0.1:${base}`
    const fromEnv = await run(
      ["token", "paysera"],
      cleanEnv(home, {
        PAYSERA_CLIENT_ID: "sandbox-client",
        PAYSERA_CLIENT_SECRET: secret,
        PAYSERA_TOKEN_URL: `${url}/auth/realms/Paysera/protocol/openid-connect/token`
      })
    )
    const fromFlag = await run(["token", "cryptofuse", ...sandboxArgs(), "--client-secret", secret], env)
    for (const result of [fromEnv, fromFlag]) {
      expect(result.code).toBe(3)
      expect(result.stdout).toBe("")
      expect(result.stderr.trim().split("\n")).toHaveLength(1)
      expect(result.stderr).toMatch(
        /^error: Token endpoint http:\/\/127\.0\.0\.1:\d+\/\S+ answered invalid_client \(HTTP 401\)/
      )
      expect(result.stderr).not.toMatch(/\n\s+at /) // no stack
      expect(result.stdout + result.stderr).not.toContain(secret)
    }
  })
})
