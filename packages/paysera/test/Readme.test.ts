import { describe, expect, it } from "@effect/vitest"
import { openingExample, runTsx } from "@auth-pipeline/testing/Tsx"
import { fileURLToPath } from "node:url"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const _tsx = (source: string, options?: { readonly file?: boolean }) => runTsx(packageDir, source, options)
const _openingExample = () => openingExample(new URL("../README.md", import.meta.url))

describe("README and examples", () => {
  it("the README's opening example runs as written and prints what it promises", async () => {
    const { code, expected } = _openingExample()
    expect(code.trim().split("\n").length).toBeLessThanOrEqual(13)
    const run = await _tsx(code)
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(run.stdout.trim()).toBe(expected)
  })

  it("examples/paysera.ts runs against the sandbox over loopback HTTP and exits 0, printing no secret", async () => {
    const run = await _tsx("examples/paysera.ts", { file: true })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`token obtained: Bearer token, scope "profile email", expires in 3600 s`)
    expect(run.stdout).toContain("GET /checkout-project/integration/v1/methods → HTTP 200")
    expect(run.stdout).toContain("via one retry with a new token (token requests: 2, 401s: 1)")
    expect(run.stdout).not.toContain("sandbox-secret")
  })
})
