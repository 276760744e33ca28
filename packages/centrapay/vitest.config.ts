import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "centrapay",
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000
  }
})
