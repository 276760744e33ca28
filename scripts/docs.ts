/**
 * `npm run docs`: the API reference of the public packages, generated from their JSDoc by `@effect/docgen`
 * (Effect's own tool) into `docs/api/` (git-ignored, rebuilt on every run).
 *
 * Checks, any failure exits non-zero:
 * - every member of an exported interface, class or object type has a JSDoc description (this script:
 *   docgen checks exports only);
 * - every export has `@since`, a description and an `@example` (docgen; for class properties and methods too);
 * - every example type-checks (strict, `exactOptionalPropertyTypes`, `@auth-pipeline/*` resolved to the
 *   packages' `src`) and then runs without throwing (docgen runs them with tsx, so `assert` in an example is
 *   checked; an example that needs a network or a server defines its program without running it).
 *
 * docgen reads `package.json` (it wants `name` and `homepage`) and `docgen.json` from its working
 * directory and parses `<srcDir>/**`: this script gives it a work directory in `.tmp/docgen` whose
 * `src/<package>` links to each package's `src`, so no package.json of the workspace changes for it, and
 * all packages go through one docgen run (one `tsc` over every example).
 *
 * docgen takes the first comment of a file as the documentation of its first statement too: an `index.ts`
 * that starts with `export * as` therefore carries its `@example` in the file overview.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { undocumentedMembers } from "./undocumentedMembers.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
// Every public (non-private) package of the workspace.
const allPackages = fs.readdirSync(path.join(root, "packages")).sort().filter((name) => {
  const file = path.join(root, "packages", name, "package.json")
  return fs.existsSync(file) && JSON.parse(fs.readFileSync(file, "utf8")).private !== true
})
// `npm run docs -- core sandbox`: only these packages (examples still resolve every package)
const only = process.argv.slice(2).filter((arg) => !arg.startsWith("--"))
const packages = only.length > 0 ? allPackages.filter((name) => only.includes(name)) : allPackages
const work = path.join(root, ".tmp", "docgen")
const outDir = path.join(root, "docs", "api")

// `npm run docs -- --draft`: while writing docs, skip the checks of descriptions, examples and members
// (examples present are still type-checked and run)
const draft = process.argv.includes("--draft")

const missing = draft ? [] : undocumentedMembers(root, packages)
if (missing.length > 0) {
  process.stderr.write(`Members without JSDoc (${missing.length}):\n${missing.map((line) => `  ${line}\n`).join("")}`)
  process.exit(1)
}

fs.rmSync(work, { recursive: true, force: true })
fs.rmSync(outDir, { recursive: true, force: true })
fs.mkdirSync(path.join(work, "src"), { recursive: true })
for (const name of packages) {
  fs.symlinkSync(path.join(root, "packages", name, "src"), path.join(work, "src", name), "dir")
}

// The root tsconfig extends tsconfig.base.json: docgen takes plain options, so merge the two.
const readOptions = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), "utf8")).compilerOptions
const compilerOptions = { ...readOptions("tsconfig.base.json"), ...readOptions("tsconfig.json") }
const paths: Record<string, Array<string>> = {}
for (const name of allPackages) {
  paths[`@auth-pipeline/${name}`] = [path.join(root, "packages", name, "src", "index.ts")]
  paths[`@auth-pipeline/${name}/*`] = [path.join(root, "packages", name, "src", "*.ts")]
}

fs.writeFileSync(
  path.join(work, "package.json"),
  JSON.stringify({ name: "auth-pipeline", homepage: "../../README.md" }, null, 2)
)
fs.writeFileSync(
  path.join(work, "docgen.json"),
  JSON.stringify(
    {
      srcDir: "src",
      outDir: path.relative(work, outDir),
      exclude: ["src/*/internal/**/*.ts", "src/*/bin.ts"],
      enforceDescriptions: !draft,
      enforceExamples: !draft,
      enforceVersion: true,
      enableSearch: false,
      parseCompilerOptions: compilerOptions,
      examplesCompilerOptions: {
        ...compilerOptions,
        // examples are snippets: an unused import or binding is not an error there
        noUnusedLocals: false,
        noUnusedParameters: false,
        module: "ESNext",
        moduleResolution: "Bundler",
        allowImportingTsExtensions: true,
        paths
      }
    },
    null,
    2
  )
)

const bin = path.join(root, "node_modules", ".bin")
const result = spawnSync(path.join(bin, "docgen"), {
  cwd: work,
  stdio: "inherit",
  env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` }
})
process.exitCode = result.status ?? 1

// docgen's prettier pass (prettier 3.10 here) turns the opening `---` of each module page's front matter into
// `***`; put it back so Jekyll (GitHub Pages) reads the title and navigation order.
if (result.status === 0) {
  const modules = path.join(outDir, "modules")
  for (const file of fs.readdirSync(modules, { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith(".md")) continue
    const text = fs.readFileSync(path.join(modules, file), "utf8")
    if (text.startsWith("***\n\ntitle:")) {
      fs.writeFileSync(path.join(modules, file), `---\n${text.slice("***\n\n".length)}`)
    }
  }
}
