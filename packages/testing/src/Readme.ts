/**
 * The test every README gets: its opening ```ts example runs as written with tsx and prints what
 * its `console.log(...) // <output>` comment promises.
 */
import { expect, it } from "@effect/vitest"
import { fileURLToPath } from "node:url"
import { openingExample, runTsx } from "./Tsx.js"

/** Registers the test for the README at `readme`, run from the folder that holds it. */
export const itRunsTheOpeningExample = (readme: URL, options: { readonly maxLines?: number } = {}): void => {
  it("the README's opening example runs as written and prints what it promises", async () => {
    const { code, expected } = openingExample(readme)
    expect(code.trim().split("\n").length).toBeLessThanOrEqual(options.maxLines ?? 13)
    const run = await runTsx(fileURLToPath(new URL(".", readme)), code)
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(run.stdout.trim()).toBe(expected)
  })
}
