import { defineProject, mergeConfig } from "vitest/config"
import { shared } from "../../vitest.shared.js"

export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "platform-browser",
      include: ["test/**/*.test.ts"],
      testTimeout: 30_000
    }
  })
)
