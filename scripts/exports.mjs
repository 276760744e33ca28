#!/usr/bin/env node
// Keeps each public package's `exports` map in step with its modules: one entry per
// `src/<Module>.ts` (types / import / default into `dist/`), `.` for `src/index.ts` and
// `./package.json`; `src/internal/*` stays private because it is not listed, and so do the
// executables named in `bin` (`src/bin.ts` for `./dist/bin.js`): running them is not importing them.
//
//   node scripts/exports.mjs          rewrites the maps
//   node scripts/exports.mjs --check  exits 1 (naming the package) when a map is out of step
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const check = process.argv.includes("--check")
let stale = 0

for (const name of fs.readdirSync(path.join(root, "packages")).sort()) {
  const file = path.join(root, "packages", name, "package.json")
  if (!fs.existsSync(file)) continue
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"))
  if (pkg.private) continue
  const executables = new Set(
    Object.values(typeof pkg.bin === "string" ? { [pkg.name]: pkg.bin } : pkg.bin ?? {})
      .map((file) => path.posix.basename(file, ".js"))
  )
  const modules = fs.readdirSync(path.join(root, "packages", name, "src"))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !executables.has(f.slice(0, -3)))
    .map((f) => f.slice(0, -3))
    .sort()
  const entry = (m) => ({ types: `./dist/${m}.d.ts`, import: `./dist/${m}.js`, default: `./dist/${m}.js` })
  const exports = { "./package.json": "./package.json" }
  if (modules.includes("index")) exports["."] = entry("index")
  for (const m of modules) if (m !== "index") exports[`./${m}`] = entry(m)
  if (JSON.stringify(exports) !== JSON.stringify(pkg.exports)) {
    stale++
    if (check) {
      console.error(`${pkg.name}: exports map is out of step with src/ (run node scripts/exports.mjs)`)
    } else {
      pkg.exports = exports
      fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n")
      console.log(`${pkg.name}: exports map rewritten`)
    }
  }
}
if (check && stale > 0) process.exit(1)
