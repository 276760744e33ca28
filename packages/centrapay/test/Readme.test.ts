import { describe } from "@effect/vitest"
import { itRunsTheOpeningExample } from "@auth-pipeline/testing/Readme"

describe("README", () => itRunsTheOpeningExample(new URL("../README.md", import.meta.url)))
