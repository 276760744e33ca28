/**
 * vitest global setup of the cli project: builds the command (`tsc -b`, incremental, with the
 * packages it references) so the tests run `node packages/cli/dist/bin.js` as a user would.
 */
import { execFileSync } from "node:child_process"
import * as path from "node:path"

export default function build(): void {
  const root = path.resolve(import.meta.dirname, "..", "..", "..")
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-b", "packages/cli/tsconfig.build.json"],
    { cwd: root, stdio: "inherit", timeout: 170_000 }
  )
}
