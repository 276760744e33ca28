/**
 * A headless Chromium for end-to-end tests: Debian's `/usr/bin/chromium` driven by
 * `playwright-core` (never a downloaded browser), with the flags this machine needs (no sandbox
 * as root, no background networking: nothing leaves loopback) and a fresh profile directory.
 * Scoped: closing the scope closes the browser and deletes the profile.
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { BrowserContext } from "playwright-core"

/** Where CI installs Chromium (`apt-get install chromium`); `CHROMIUM_PATH` overrides it. */
export const chromiumPath = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"

/** Whether Chromium is installed at {@link chromiumPath}. */
export const chromiumInstalled = (): boolean => fs.existsSync(chromiumPath)

/**
 * Why the browser tests cannot run on this machine, or `undefined` when they can. Under CI (`CI`
 * set) it is always `undefined`: there a missing browser is a failure, not a skip (`.ci/run`
 * installs it at the same path).
 */
export const skipReason: string | undefined = chromiumInstalled() || process.env["CI"]
  ? undefined
  : `browser tests skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`

/** Prints {@link skipReason} (once per test file) and says whether to skip. */
export const skip = (): boolean => {
  if (skipReason !== undefined) process.stderr.write(`${skipReason}\n`)
  return skipReason !== undefined
}

const flags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

/** Launches Chromium with a fresh profile directory and yields its browser context. */
export const launch: Effect.Effect<BrowserContext, Error, Scope.Scope> = Effect.gen(function*() {
  const { chromium } = yield* Effect.promise(() => import("playwright-core"))
  const profile = yield* Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "auth-pipeline-chromium-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )
  return yield* Effect.acquireRelease(
    Effect.tryPromise({
      try: () =>
        chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: flags }),
      catch: (cause) => new Error(`Chromium did not start from ${chromiumPath}: ${String(cause)}`, { cause })
    }),
    (context) => Effect.promise(() => context.close())
  )
})
