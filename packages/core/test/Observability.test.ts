import { observe } from "@auth-pipeline/testing/Observe"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, Redacted, TestClock } from "effect"
import * as AuthenticatedClient from "../src/AuthenticatedClient.js"
import * as ClientAuthentication from "../src/ClientAuthentication.js"
import * as Grant from "../src/Grant.js"
import * as Metrics from "../src/Metrics.js"
import * as TokenCache from "../src/TokenCache.js"
import * as TokenEndpoint from "../src/TokenEndpoint.js"
import { _fakeHttp } from "./_fakeHttp.js"
import { _oauth, _settle, _source } from "./_source.js"

const count = (metric: typeof Metrics.cacheHits, name: string, extra: Record<string, string> = {}) =>
  Effect.map(
    Metric.value(
      Object.entries(extra).reduce((m, [k, v]) => Metric.tagged(m, k, v), Metric.tagged(metric, "cache", name))
    ),
    (state) => state.count
  )

describe("metrics and spans", () => {
  it.scoped("counts token requests, cache hits, background refreshes, 401 retries and failures", () =>
    Effect.gen(function*() {
      const { observed, layer } = observe()
      const name = "metrics-test"
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({ name, acquire: source.acquire, policy: { maxJitter: 0 } })
      let calls = 0
      const { client } = yield* _fakeHttp(() => Effect.succeed(++calls === 1 ? { status: 401 } : { json: {} }))
      const authed = AuthenticatedClient.make(client, cache)
      yield* authed.execute(HttpClientRequest.get("https://api.test/x")).pipe(Effect.provide(layer))
      yield* Effect.repeatN(cache.get, 4)
      // one background refresh at 3540 s, then a forced refresh that fails for good
      yield* TestClock.adjust("3540 seconds")
      yield* _settle
      yield* source.failNext(_oauth("invalid_client", 401))
      yield* cache.refresh.pipe(Effect.ignore)

      expect(yield* count(Metrics.tokenRequests, name, { outcome: "success" })).toBe(3)
      expect(yield* count(Metrics.tokenRequests, name, { outcome: "failure" })).toBe(1)
      expect(yield* count(Metrics.cacheHits, name)).toBe(5)
      expect(yield* count(Metrics.backgroundRefreshes, name)).toBe(1)
      expect(yield* count(Metrics.unauthorizedRetries, name)).toBe(1)
      expect(yield* count(Metrics.failures, name, { error: "OAuthError" })).toBe(1)
      const fetches = observed.spans.filter((s) => s.name === "auth-pipeline.token_cache.fetch")
      const outcomes = fetches.map((s) =>
        `${s.attributes.get("auth_pipeline.trigger")}:${s.attributes.get("auth_pipeline.outcome")}`
      )
      // the first request and the 401 retry, then the background refresh (forked from the traced fetch)
      expect(outcomes.slice(0, 3)).toEqual(["foreground:success", "foreground:success", "background:success"])
      expect(fetches[0]!.attributes.get("auth_pipeline.cache")).toBe(name)
    }))

  it.scoped("the token request span names the grant and outcome, never a secret", () =>
    Effect.gen(function*() {
      const { observed, layer } = observe()
      const { client } = yield* _fakeHttp(() => Effect.succeed({ status: 400, json: { error: "invalid_grant" } }))
      const endpoint = TokenEndpoint.make({
        url: "https://auth.test/token",
        clientAuthentication: ClientAuthentication.clientSecretPost("app", Redacted.make("pssst"))
      })
      yield* Grant.refreshToken(endpoint, Redacted.make("rt-secret")).pipe(
        Effect.provideService(HttpClient.HttpClient, client),
        Effect.ignore,
        Effect.provide(layer)
      )
      const span = observed.spans.find((s) => s.name === "auth-pipeline.token_request")!
      expect(Object.fromEntries(span.attributes)).toMatchObject({
        "oauth.grant_type": "refresh_token",
        "oauth.client_id": "app",
        "oauth.client_auth_method": "client_secret_post",
        "oauth.outcome": "failure",
        "oauth.error": "invalid_grant"
      })
      expect(observed.text()).not.toMatch(/pssst|rt-secret/)
    }))
})
