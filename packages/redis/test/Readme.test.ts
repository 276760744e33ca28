import { itRunsTheOpeningExample } from "@auth-pipeline/testing/Readme"
import * as Redis from "@auth-pipeline/testing/Redis"
import { afterAll, beforeAll, describe } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"

describe.skipIf(Redis.skip())("README", () => {
  const scope = Effect.runSync(Scope.make())
  beforeAll(async () => {
    const redis = await Effect.runPromise(Scope.extend(Redis.server, scope))
    process.env["AUTH_PIPELINE_REDIS_URL"] = redis.url
    process.env["AUTH_PIPELINE_REDIS_ENCRYPTION_KEY"] = "readme-test-key-0123456789abcdef0123456789"
  }, 30_000)
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  itRunsTheOpeningExample(new URL("../README.md", import.meta.url))
})
