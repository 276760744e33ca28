import { itRunsTheOpeningExample } from "@auth-pipeline/testing/Readme"
import { describe } from "@effect/vitest"

describe("the root README", () => itRunsTheOpeningExample(new URL("../../../README.md", import.meta.url)))
