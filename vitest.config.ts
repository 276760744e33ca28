import { defineConfig } from "vitest/config"
import projects from "./vitest.workspace.js"

export default defineConfig({
  test: {
    projects,
    // The JSON report is what `.ci/run` counts for its closing `N passed, N failed` line.
    reporters: ["default", ["json", { outputFile: ".tmp/vitest-report.json" }]]
  }
})
