/**
 * The README's opening example is a browser program (it needs `location` and `document`), so it is
 * not run with tsx like the other packages' examples: it must be `packages/examples/web/minimal.ts`
 * word for word (which `tsc` type-checks with the repository), as must the Centrapay README's
 * "Centrapay in a web app", and it must bundle for the browser.
 */
import { describe, expect, it } from "@effect/vitest"
import * as esbuild from "esbuild"
import { readFileSync } from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "../../..")
const minimal = path.join(root, "packages/examples/web/minimal.ts")

describe("README", () => {
  it("the opening example is examples/web/minimal.ts, and it bundles for the browser with no Node built-in", async () => {
    const readme = readFileSync(path.join(import.meta.dirname, "../README.md"), "utf8")
    const code = /^```ts\n([\s\S]*?)^```/m.exec(readme)?.[1]
    expect(code).toBe(readFileSync(minimal, "utf8"))
    // The Centrapay README's "Centrapay in a web app" shows the same program.
    const centrapay = readFileSync(path.join(root, "packages/centrapay/README.md"), "utf8")
    const section = centrapay.slice(centrapay.indexOf("## Centrapay in a web app"))
    expect(/^```ts\n([\s\S]*?)^```/m.exec(section)?.[1]).toBe(readFileSync(minimal, "utf8"))
    const result = await esbuild.build({
      entryPoints: [minimal],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      metafile: true,
      tsconfig: path.join(root, "tsconfig.json"),
      logLevel: "silent"
    })
    // Every import of every bundled module (a Node built-in would also fail the browser build).
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path))
    expect(imports.filter((p) => p.startsWith("node:"))).toEqual([])
  })
})
