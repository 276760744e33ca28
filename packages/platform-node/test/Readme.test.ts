import { itRunsTheOpeningExample } from "@auth-pipeline/testing/Readme"
import { describe } from "@effect/vitest"

describe("README", () => itRunsTheOpeningExample(new URL("../README.md", import.meta.url)))
