import { describe, expect, it } from "@effect/vitest"
import { openingExample, runTsx } from "@auth-pipeline/testing/Tsx"
import { fileURLToPath } from "node:url"

describe("README", () => {
  it("the opening example runs as written and prints what it promises", async () => {
    const { code, expected } = openingExample(new URL("../README.md", import.meta.url))
    expect(code.trim().split("\n").length).toBeLessThanOrEqual(13)
    const run = await runTsx(fileURLToPath(new URL("..", import.meta.url)), code)
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(run.stdout.trim()).toBe(expected)
  })
})
