/**
 * What every test project shares: `@auth-pipeline/*` imports resolve to the packages' TypeScript
 * sources (as the root tsconfig's `paths` do for `tsc` and `tsx`), so tests never need a build and
 * never see a stale `dist/`.
 */
import * as path from "node:path"
import type { ViteUserConfig } from "vitest/config"

const packages = path.join(import.meta.dirname, "packages")

export const shared: ViteUserConfig = {
  resolve: {
    alias: [
      { find: /^@auth-pipeline\/([\w-]+)$/, replacement: `${packages}/$1/src/index.ts` },
      { find: /^@auth-pipeline\/([\w-]+)\/(.+)$/, replacement: `${packages}/$1/src/$2.ts` }
    ]
  }
}
