/**
 * Runs TypeScript the way a reader would, with tsx in a child process: a README's opening example
 * or an example program, so neither can drift from the code.
 */
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"

const tsxCli = createRequire(import.meta.url).resolve("tsx/cli")

/** The environment without any provider credentials, so programs use the sandbox. */
const sandboxEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PAYSERA|CRYPTOFUSE|AUTOPAY|CENTRAPAY)_/.test(k)))

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** `tsx -e <source>` (or `tsx <file>` with `file: true`) in `cwd`. */
export const runTsx = (
  cwd: string,
  source: string,
  options: { readonly file?: boolean; readonly timeout?: number } = {}
): Promise<Run> =>
  new Promise((resolve) => {
    const args = options.file ? [tsxCli, source] : [tsxCli, "-e", source]
    execFile(
      process.execPath,
      args,
      { cwd, env: sandboxEnv(), timeout: options.timeout ?? 25_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr })
      }
    )
  })

/** The first ```ts block of a README, and the output its `console.log(...) // <output>` line promises. */
export const openingExample = (readme: URL): { readonly code: string; readonly expected: string } => {
  const text = readFileSync(readme, "utf8")
  const code = /^```ts\n([\s\S]*?)^```/m.exec(text)?.[1]
  if (code === undefined) throw new Error(`${readme} has no \`\`\`ts block`)
  const expected = /console\.log\(.*\) \/\/ (.*)$/m.exec(code)?.[1]
  if (expected === undefined) throw new Error("the README example has no `console.log(...) // <output>` line")
  return { code, expected }
}
