/**
 * The test projects of the monorepo: every package with its own `vitest.config.ts`.
 * The root `vitest.config.ts` runs this list as `test.projects`.
 */
export default ["packages/*/vitest.config.ts"]
