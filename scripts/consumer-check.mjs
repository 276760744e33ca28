#!/usr/bin/env node
// The consumer check: the packages as a user outside this repository gets them.
//
//   npm run consumer-check
//
// Builds and packs every public package, installs the tarballs into a fresh project in a temporary
// directory with the README's install line (the Effect v3 line pinned), then checks:
//   1. a provider against the sandbox with plain `node` (no tsx), ESM;
//   2. a consumer file type-checks with `tsc` under `moduleResolution` NodeNext and Bundler, with
//      `lib: ["ES2022"]` and `skipLibCheck: false`;
//   3. each provider package (and core, and platform-browser) bundles for the browser with esbuild:
//      no Node built-ins;
//   4. publint and @arethetypeswrong/cli are clean for every tarball;
//   5. exactly one copy of `effect` in the consumer's tree;
//   6. the `auth-pipeline` command from @auth-pipeline/cli: `--help`, `--version`, and
//      `token paysera --sandbox` against `auth-pipeline sandbox` running in the background.
// Prints one line per check, then `N passed, N failed`; writes the counts to
// .tmp/consumer-check.json (for .ci/run) and exits 1 on any failure. Needs the npm registry.
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const bin = (name) => path.join(root, "node_modules", ".bin", name)
const keep = process.argv.includes("--keep")

// The README's Install section: its `npm install` line (the Effect v3 line pinned; our own packages
// come from the tarballs instead) and its first-request file, run as written.
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
const installLine = readme.match(/^npm install (@auth-pipeline\/.*)$/m)?.[1]
const firstRequest = readme.match(/```js\n(\/\/ first-request\.mjs[^]*?)```/)?.[1]
if (installLine === undefined || firstRequest === undefined) {
  console.error("README.md: the Install section's npm install line or first-request.mjs block is missing")
  process.exit(1)
}
const effectLine = installLine.split(/\s+/).filter((spec) => !spec.startsWith("@auth-pipeline/"))
const promised = firstRequest.match(/console\.log\(.*\) \/\/ (.+)$/m)?.[1]

const results = []
const check = (name, fn) => {
  const started = Date.now()
  try {
    const note = fn()
    results.push({ name, ok: true })
    console.log(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)${note ? `: ${note}` : ""}`)
  } catch (error) {
    results.push({ name, ok: false })
    console.log(`✗ ${name}`)
    console.log(String(error?.stdout ?? "").trim())
    console.log(String(error?.stderr ?? "").trim())
    console.log(String(error?.message ?? error).split("\n").slice(0, 20).join("\n"))
  }
}
const run = (cmd, args, options = {}) =>
  execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20, ...options })

const publicPackages = fs.readdirSync(path.join(root, "packages")).sort().flatMap((dir) => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "packages", dir, "package.json"), "utf8"))
  return pkg.private ? [] : [{ dir, name: pkg.name, pkg }]
})
const providers = ["paysera", "cryptofuse", "autopay", "centrapay"]

const work = fs.mkdtempSync(path.join(os.tmpdir(), "auth-pipeline-consumer-"))
const tarballs = path.join(work, "tarballs")
const app = path.join(work, "app")
fs.mkdirSync(tarballs)
fs.mkdirSync(app)
console.log(`consumer check in ${work}`)

try {
  check("build (tsc -b)", () => {
    run("npm", ["run", "build", "--silent"], { cwd: root })
  })

  const packed = {}
  check("npm pack every public package", () => {
    for (const { dir, name } of publicPackages) {
      const out = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", tarballs], {
        cwd: path.join(root, "packages", dir)
      }))
      packed[name] = path.join(tarballs, out[0].filename)
      const files = out[0].files.map((f) => f.path)
      const stray = files.filter((f) =>
        !/^(dist\/|src\/|README\.md$|LICENSE$|package\.json$|CHANGELOG\.md$)/.test(f) || f.endsWith(".tsbuildinfo")
      )
      if (stray.length > 0) throw new Error(`${name} ships ${stray.join(", ")}`)
    }
    // Effect itself must come from the application (one copy): a peer, never a dependency. The
    // command's toolkit (@effect/cli and its printers) may be a dependency: those packages hold no
    // Effect of their own (effect and @effect/platform are their peers, so still one copy).
    const effectTools = new Set(["@effect/cli", "@effect/printer", "@effect/printer-ansi"])
    for (const { name, pkg } of publicPackages) {
      const bundled = Object.keys(pkg.dependencies ?? {}).filter((d) =>
        (d === "effect" || d.startsWith("@effect/")) && !(pkg.bin !== undefined && effectTools.has(d))
      )
      if (bundled.length > 0) throw new Error(`${name} has ${bundled.join(", ")} in dependencies, not peerDependencies`)
    }
    return `${publicPackages.length} tarballs`
  })

  check("publint (every tarball)", () => {
    for (const name of Object.keys(packed)) run(bin("publint"), ["--strict", packed[name]], { cwd: work })
  })

  check("@arethetypeswrong/cli (every tarball, ESM only)", () => {
    for (const name of Object.keys(packed)) run(bin("attw"), ["--profile", "esm-only", packed[name]], { cwd: work })
  })

  check("install the tarballs with the README's pinned Effect line into a fresh project", () => {
    fs.writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2)
    )
    run("npm", [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...Object.values(packed),
      ...effectLine,
      // The Redis store's optional peer (node-redis), as its README's install line adds it.
      "redis@^6.3.1",
      "typescript@~5.9.3",
      "@types/node@^20.19.0"
    ], { cwd: app })
  })

  check("exactly one copy of effect in the consumer's tree", () => {
    const copies = new Set()
    const walk = (dir) => {
      const nm = path.join(dir, "node_modules")
      if (!fs.existsSync(nm)) return
      for (const entry of fs.readdirSync(nm)) {
        const scoped = entry.startsWith("@")
          ? fs.readdirSync(path.join(nm, entry)).map((e) => `${entry}/${e}`)
          : [entry]
        for (const name of scoped) {
          const at = path.join(nm, name)
          if (name === "effect") copies.add(fs.realpathSync(at))
          walk(at)
        }
      }
    }
    walk(app)
    if (copies.size !== 1) throw new Error(`${copies.size} copies of effect: ${[...copies].join(", ")}`)
    const version = JSON.parse(fs.readFileSync(path.join([...copies][0], "package.json"), "utf8")).version
    if (!version.startsWith("3.")) throw new Error(`effect ${version} is not the v3 line`)
    return `effect ${version}`
  })

  check("plain node (ESM, no tsx): the README's first-request.mjs against the sandbox on 127.0.0.1", () => {
    fs.writeFileSync(path.join(app, "first-request.mjs"), firstRequest)
    const out = run(process.execPath, ["first-request.mjs"], { cwd: app, timeout: 60_000 })
    if (out.trim() !== promised) throw new Error(`printed ${JSON.stringify(out)}, the README promises ${promised}`)
    return out.trim()
  })

  const cliVersion = publicPackages.find((p) => p.name === "@auth-pipeline/cli")?.pkg.version
  check("the auth-pipeline command: --help and --version exit 0", () => {
    const cli = path.join(app, "node_modules", ".bin", "auth-pipeline")
    const help = run(cli, ["--help"], { cwd: app, timeout: 30_000 })
    for (const command of ["sandbox", "token", "login", "logout", "whoami", "store inspect"]) {
      if (!help.includes(`- ${command}`)) throw new Error(`--help does not list ${command}:\n${help}`)
    }
    const version = run(cli, ["--version"], { cwd: app, timeout: 30_000 }).trim()
    if (version !== cliVersion) throw new Error(`--version printed ${version}, the package is ${cliVersion}`)
    return `auth-pipeline ${version}`
  })

  check("auth-pipeline token paysera --sandbox against auth-pipeline sandbox in the background", () => {
    // An async script (spawns the sandbox, waits for it, asks for a token, stops it with SIGINT).
    const script = `import { spawn, execFile } from "node:child_process"
import * as net from "node:net"
const cli = new URL("./node_modules/.bin/auth-pipeline", import.meta.url).pathname
const free = (port) => new Promise((resolve) => {
  const server = net.createServer().once("error", () => resolve(false))
  server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)))
})
let base = 0
for (let i = 0; i < 50 && base === 0; i++) {
  const candidate = 20000 + Math.floor(Math.random() * 40000)
  const all = await Promise.all([0, 1, 2, 3, 4].map((o) => free(candidate + o)))
  if (all.every(Boolean)) base = candidate
}
const sandbox = spawn(cli, ["sandbox", "--port-base", String(base)], { stdio: ["ignore", "pipe", "inherit"] })
const killer = setTimeout(() => { sandbox.kill("SIGKILL"); process.exit(1) }, 60000)
try {
  let out = ""
  await new Promise((resolve, reject) => {
    sandbox.stdout.on("data", (chunk) => { out += chunk; if (out.includes("Running until Ctrl-C")) resolve() })
    sandbox.on("exit", (code) => reject(new Error("the sandbox exited with " + code + ": " + out)))
  })
  const token = await new Promise((resolve, reject) =>
    execFile(cli, ["token", "paysera", "--sandbox", "--port-base", String(base)], (error, stdout, stderr) =>
      error ? reject(new Error(stderr)) : resolve(stdout)))
  if (!/^Authorization: Bearer \\S+\\n$/.test(token)) throw new Error("token printed " + JSON.stringify(token))
} finally {
  sandbox.kill("SIGINT")
}
const code = sandbox.exitCode ?? await new Promise((resolve) => sandbox.on("exit", (code) => resolve(code)))
clearTimeout(killer)
console.log("sandbox on " + base + ", token obtained, sandbox stopped with " + code)
process.exit(code === 0 ? 0 : 1)
`
    fs.writeFileSync(path.join(app, "cli-sandbox.mjs"), script)
    return run(process.execPath, ["cli-sandbox.mjs"], { cwd: app, timeout: 90_000 }).trim()
  })

  const consumerTs = `import { AutopayAuth } from "@auth-pipeline/autopay"
import { CentrapayApiKey, CentrapayUser } from "@auth-pipeline/centrapay"
import * as TokenCache from "@auth-pipeline/core/TokenCache"
import { AccessToken, LoopbackRedirect } from "@auth-pipeline/core"
import { Cli } from "@auth-pipeline/cli"
import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
import { PayseraAuth } from "@auth-pipeline/paysera"
import { NodeLoopbackRedirect } from "@auth-pipeline/platform-node"
import { RedisTokenStore } from "@auth-pipeline/redis"
import { Paysera, Server } from "@auth-pipeline/sandbox"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect, Layer, Redacted } from "effect"

const fleet = RedisTokenStore.layer({ url: "redis://127.0.0.1:6379", encryptionKey: Redacted.make("key") })
const paysera = PayseraAuth.layer({ clientId: "id", clientSecret: Redacted.make("secret") }).pipe(
  Layer.provide(fleet)
)
const cryptofuse = CryptofuseAuth.layer({
  clientId: "id", clientSecret: Redacted.make("secret"), baseUrl: "https://api.example.com"
})
const autopay = AutopayAuth.layer({ clientId: "id", clientSecret: Redacted.make("secret") })
const apiKey = CentrapayApiKey.layer({ apiKey: Redacted.make("key") })
const user = CentrapayUser.layer({ clientId: "client" })

const program = Effect.gen(function*() {
  const p = yield* PayseraAuth.PayseraAuth
  const token: AccessToken.AccessToken = yield* p.token
  const redacted: Redacted.Redacted<string> = token.value
  const session = yield* (yield* CentrapayUser.CentrapayUser).loginLoopback()
  const listener = yield* LoopbackRedirect.Listener
  const served = yield* Server.serve(yield* Paysera.make())
  return [redacted, session.claims.sub, listener, served] as const
})
const cache: typeof TokenCache.make = TokenCache.make
export const version: Effect.Effect<number> = Cli.run(["node", "auth-pipeline", "--version"])

export const main = program.pipe(
  Effect.scoped,
  Effect.provide(Layer.mergeAll(paysera, cryptofuse, autopay, apiKey, user, NodeLoopbackRedirect.layer)),
  Effect.provide(NodeHttpClient.layerUndici)
)
export { cache }
`
  for (const moduleResolution of ["NodeNext", "Bundler"]) {
    check(`tsc: a consumer file under moduleResolution ${moduleResolution}, lib ES2022, skipLibCheck false`, () => {
      const dir = path.join(app, `tsc-${moduleResolution}`)
      fs.mkdirSync(dir, { recursive: true })
      fs.writeFileSync(path.join(dir, "consumer.ts"), consumerTs)
      fs.writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            lib: ["ES2022"],
            module: moduleResolution === "NodeNext" ? "NodeNext" : "ESNext",
            moduleResolution,
            types: ["node"],
            strict: true,
            exactOptionalPropertyTypes: true,
            skipLibCheck: false,
            noEmit: true
          },
          files: ["consumer.ts"]
        })
      )
      run(path.join(app, "node_modules", ".bin", "tsc"), ["-p", dir], { cwd: app })
    })
  }

  // A web app: the README's "Centrapay in a web app" program, type-checked as a browser project
  // (lib DOM, no Node types, moduleResolution Bundler, skipLibCheck false).
  const webReadme = fs.readFileSync(path.join(root, "packages", "centrapay", "README.md"), "utf8")
  const webApp = webReadme.slice(webReadme.indexOf("## Centrapay in a web app")).match(/```ts\n([^]*?)```/)?.[1]
  check("tsc: the README's web app (platform-browser + centrapay) under Bundler, lib DOM, skipLibCheck false", () => {
    if (webApp === undefined) throw new Error("packages/centrapay/README.md has no \"Centrapay in a web app\" ts block")
    const dir = path.join(app, "tsc-web")
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(path.join(dir, "app.ts"), webApp)
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2022", "DOM", "DOM.Iterable"],
          module: "ESNext",
          moduleResolution: "Bundler",
          types: [],
          strict: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: false,
          noEmit: true
        },
        files: ["app.ts"]
      })
    )
    run(path.join(app, "node_modules", ".bin", "tsc"), ["-p", dir], { cwd: app })
  })

  for (const dir of ["core", ...providers, "platform-browser"]) {
    check(`esbuild --platform=browser: @auth-pipeline/${dir} bundles with no Node built-ins`, () => {
      const entry = path.join(app, `browser-${dir}.mjs`)
      fs.writeFileSync(entry, `export * from "@auth-pipeline/${dir}"\n`)
      const out = path.join(app, `browser-${dir}.bundle.js`)
      const result = spawnSync(bin("esbuild"), [
        entry,
        "--bundle",
        "--platform=browser",
        "--format=esm",
        "--log-level=error",
        `--metafile=${out}.meta.json`,
        `--outfile=${out}`
      ], { cwd: app, encoding: "utf8" })
      // A Node built-in fails a browser build; the metafile's imports say so again, module by module.
      if (result.status !== 0) throw new Error(result.stderr)
      const meta = JSON.parse(fs.readFileSync(`${out}.meta.json`, "utf8"))
      const builtins = Object.entries(meta.inputs).flatMap(([file, input]) =>
        input.imports.filter((i) => i.path.startsWith("node:")).map((i) => `${file} → ${i.path}`)
      )
      if (builtins.length > 0) throw new Error(`bundle imports ${builtins.join(", ")}`)
      return `${(fs.statSync(out).size / 1024).toFixed(0)} KiB unminified`
    })
  }
} finally {
  if (!keep) fs.rmSync(work, { recursive: true, force: true })
}

const passed = results.filter((r) => r.ok).length
const failed = results.length - passed
fs.mkdirSync(path.join(root, ".tmp"), { recursive: true })
fs.writeFileSync(path.join(root, ".tmp", "consumer-check.json"), JSON.stringify({ passed, failed }))
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
