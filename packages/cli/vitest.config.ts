import { defineProject, mergeConfig } from "vitest/config"
import { shared } from "../../vitest.shared.js"

export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "cli",
      include: ["test/**/*.test.ts"],
      // The tests run the BUILT command (node dist/bin.js) as a user would: build it first.
      globalSetup: ["test/_build.ts"],
      testTimeout: 60_000,
      hookTimeout: 180_000
    }
  })
)
