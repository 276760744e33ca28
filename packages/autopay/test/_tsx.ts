/**
 * Runs TypeScript the way a reader would, with tsx in a child process: the README's opening
 * example and the example program, so neither can drift from the code.
 */
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const tsxCli = createRequire(import.meta.url).resolve("tsx/cli")

/** The environment without any provider credentials, so programs use the sandbox. */
const sandboxEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PAYSERA|CRYPTOFUSE|AUTOPAY)_/.test(k)))

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** `tsx -e <code>` (or `tsx <file>` with `file: true`) in the package directory. */
export const _tsx = (source: string, options: { readonly file?: boolean } = {}): Promise<Run> =>
  new Promise((resolve) => {
    const args = options.file ? [tsxCli, source] : [tsxCli, "-e", source]
    execFile(process.execPath, args, { cwd: packageDir, env: sandboxEnv(), timeout: 25_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr })
    })
  })

/** The first ```ts block of the package README, and the output its `console.log(...) // <output>` line promises. */
export const _openingExample = (): { readonly code: string; readonly expected: string } => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
  const code = /^```ts\n([\s\S]*?)^```/m.exec(readme)?.[1]
  if (code === undefined) throw new Error("README.md has no ```ts block")
  const expected = /console\.log\(.*\) \/\/ (.*)$/m.exec(code)?.[1]
  if (expected === undefined) throw new Error("the README example has no `console.log(...) // <output>` line")
  return { code, expected }
}
