import { describe, expect, it } from "@effect/vitest"
import { openingExample, runTsx } from "@auth-pipeline/testing/Tsx"
import { fileURLToPath } from "node:url"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const _tsx = (source: string, options?: { readonly file?: boolean }) => runTsx(packageDir, source, options)
const _openingExample = () => openingExample(new URL("../README.md", import.meta.url))

describe("README", () => {
  it("the README's opening example runs as written and prints what it promises", async () => {
    const { code, expected } = _openingExample()
    expect(code.trim().split("\n").length).toBeLessThanOrEqual(13)
    const run = await _tsx(code)
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(run.stdout.trim()).toBe(expected)
  })
})
