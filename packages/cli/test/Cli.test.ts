import { afterEach, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { cleanEnv, freePortBase, killAll, run, start } from "./_cli.js"

const home = fs.mkdtempSync(path.join(os.tmpdir(), "auth-pipeline-cli-"))
const env = cleanEnv(home)
const version = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")).version

afterEach(killAll)

describe("auth-pipeline (the built command)", () => {
  it("--help lists every command and exits 0, without escape codes when piped", async () => {
    const result = await run(["--help"], env)
    expect(result.code).toBe(0)
    for (const command of ["sandbox", "token", "login", "logout", "whoami", "store inspect", "store clear"]) {
      expect(result.stdout).toContain(`- ${command}`)
    }
    expect(result.stdout).not.toContain("\u001b[")
  })

  it("every command has --help", async () => {
    for (
      const command of [["sandbox"], ["token"], ["login"], ["logout"], ["whoami"], ["store"], ["store", "inspect"], [
        "store",
        "clear"
      ]]
    ) {
      const result = await run([...command, "--help"], env)
      expect(result.code, command.join(" ")).toBe(0)
      expect(result.stdout).toContain("USAGE")
    }
  })

  it("--version prints the package's version", async () => {
    const result = await run(["--version"], env)
    expect(result.code).toBe(0)
    expect(result.stdout.trim()).toBe(version)
  })

  it("usage errors exit 2: no command, an unknown provider, an unknown flag", async () => {
    const none = await run([], env)
    expect(none.code).toBe(2)
    expect(none.stderr.trim()).toBe(
      "error: a command is required: sandbox, token, login, logout, whoami or store (see auth-pipeline --help)"
    )
    const provider = await run(["token", "stripe"], env)
    expect(provider.code).toBe(2)
    expect(provider.stderr).toMatch(/paysera, cryptofuse, autopay/)
    const flag = await run(["token", "paysera", "--no-such-flag"], env)
    expect(flag.code).toBe(2)
  })

  it("a missing credential with no terminal to ask on exits 2 naming the variable", async () => {
    const result = await run(["token", "paysera"], env)
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe("error: PAYSERA_CLIENT_ID is not set: set it or pass --client-id")
    const secret = await run(["token", "autopay", "--client-id", "me"], env)
    expect(secret.code).toBe(2)
    expect(secret.stderr).toMatch(/AUTOPAY_CLIENT_SECRET is not set/)
  })

  it("an unreachable provider exits 4 with one line", async () => {
    const base = await freePortBase() // nothing listens there
    const result = await run(["token", "paysera", "--sandbox", "--port-base", String(base)], env)
    expect(result.code).toBe(4)
    expect(result.stderr.trim().split("\n")).toHaveLength(1)
    expect(result.stderr).toMatch(/^error: Token request to http:\/\/127\.0\.0\.1:\d+\/.* failed \(Transport\)/)
  })

  it("the sandbox stops with Ctrl-C and exit code 0; a second one on its ports exits 9", async () => {
    const base = await freePortBase()
    const sandbox = start(["sandbox", "--port-base", String(base)], env)
    await sandbox.waitFor("stdout", /Running until Ctrl-C/)
    const second = await run(["sandbox", "--port-base", String(base)], env)
    expect(second.code).toBe(9)
    expect(second.stderr.trim()).toBe(
      `error: cannot serve paysera on 127.0.0.1:${base}: the port is in use (another sandbox running? move it with --port-base)`
    )
    const stopped = await sandbox.stop()
    expect(stopped.code).toBe(0)
    expect(stopped.stderr).toBe("")
  })
})
