import { observe } from "@auth-pipeline/testing/Observe"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, Redacted, TestClock } from "effect"
import * as AuthenticatedClient from "../src/AuthenticatedClient.js"
import * as ClientAuthentication from "../src/ClientAuthentication.js"
import * as Grant from "../src/Grant.js"
import * as Metrics from "../src/Metrics.js"
import * as ProviderAuth from "../src/ProviderAuth.js"
import * as RateLimit from "../src/RateLimit.js"
import * as TokenCache from "../src/TokenCache.js"
import * as TokenEndpoint from "../src/TokenEndpoint.js"
import { _fakeHttp } from "./_fakeHttp.js"
import { _oauth, _settle, _source } from "./_source.js"

/**
 * The state of the metric `name` with exactly these tags, whatever order they were attached in
 * (static tags, then those of `Effect.tagMetrics`), as an exporter sees them.
 */
const stateOf = (name: string, tags: Record<string, string>) =>
  Effect.map(Metric.snapshot, (pairs) => {
    const wanted = Object.entries(tags).map(([k, v]) => `${k}=${v}`).sort().join(",")
    return pairs.find((p) =>
      p.metricKey.name === name && p.metricKey.tags.map((t) => `${t.key}=${t.value}`).sort().join(",") === wanted
    )?.metricState as { count?: number; sum?: number; value?: number } | undefined
  })

const names = new Map<unknown, string>([
  [Metrics.tokenRequests, "auth_pipeline_token_requests_total"],
  [Metrics.tokenRequestDuration, "auth_pipeline_token_request_duration_seconds"],
  [Metrics.cacheHits, "auth_pipeline_token_cache_hits_total"],
  [Metrics.waits, "auth_pipeline_token_waits_total"],
  [Metrics.waitDuration, "auth_pipeline_token_wait_duration_seconds"],
  [Metrics.backgroundRefreshes, "auth_pipeline_background_refreshes_total"],
  [Metrics.backgroundRefreshFailures, "auth_pipeline_background_refresh_failures_total"],
  [Metrics.failures, "auth_pipeline_token_failures_total"],
  [Metrics.unauthorizedRetries, "auth_pipeline_unauthorized_retries_total"],
  [Metrics.rateLimitWaits, "auth_pipeline_rate_limit_waits_total"],
  [Metrics.rateLimitWaitDuration, "auth_pipeline_rate_limit_wait_duration_seconds"]
])

const count = (metric: unknown, provider: string, extra: Record<string, string> = {}) =>
  Effect.map(stateOf(names.get(metric)!, { provider, ...extra }), (state) => state?.count ?? 0)

const histogram = (metric: unknown, provider: string, extra: Record<string, string> = {}) =>
  Effect.map(stateOf(names.get(metric)!, { provider, ...extra }), (state) => ({
    count: state?.count ?? 0,
    sum: state?.sum ?? 0
  }))

describe("metrics and spans", () => {
  it.scoped("counts cache hits, background refreshes, 401 retries and failures, tagged with the provider", () =>
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

      expect(yield* count(Metrics.cacheHits, name)).toBe(5)
      expect(yield* count(Metrics.backgroundRefreshes, name)).toBe(1)
      expect(yield* count(Metrics.unauthorizedRetries, name)).toBe(1)
      expect(yield* count(Metrics.failures, name, { error_type: "invalid_client" })).toBe(1)
      const fetches = observed.spans.filter((s) => s.name === "auth_pipeline.token_cache.fetch")
      const outcomes = fetches.map((s) =>
        `${s.attributes.get("auth_pipeline.trigger")}:${s.attributes.get("auth_pipeline.outcome")}`
      )
      // the first request and the 401 retry, then the background refresh (forked from the traced fetch)
      expect(outcomes.slice(0, 3)).toEqual(["foreground:success", "foreground:success", "background:success"])
      expect(fetches[0]!.attributes.get("auth_pipeline.provider")).toBe(name)
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
      const span = observed.spans.find((s) => s.name === "auth_pipeline.token_request")!
      expect(Object.fromEntries(span.attributes)).toMatchObject({
        "http.request.method": "POST",
        "url.full": "https://auth.test/token",
        "server.address": "auth.test",
        "server.port": 443,
        "http.response.status_code": 400,
        "auth_pipeline.grant_type": "refresh_token",
        "auth_pipeline.client_id": "app",
        "auth_pipeline.client_auth_method": "client_secret_post",
        "auth_pipeline.outcome": "failure",
        "error.type": "invalid_grant"
      })
      expect(observed.text()).not.toMatch(/pssst|rt-secret/)
    }))

  it.scoped("token requests are counted and timed by provider, grant type and outcome", () =>
    Effect.gen(function*() {
      const name = "requests-test"
      let calls = 0
      const { client } = yield* _fakeHttp(() =>
        Effect.gen(function*() {
          yield* Effect.sleep("250 millis") // the token endpoint's latency, on the TestClock
          return ++calls === 1
            ? { status: 503, json: { error: "temporarily_unavailable" } }
            : { json: { access_token: "at", token_type: "Bearer", expires_in: 3600 } }
        })
      )
      const endpoint = TokenEndpoint.make({
        url: "https://auth.test/token",
        clientAuthentication: ClientAuthentication.clientSecretPost("app", Redacted.make("pssst"))
      })
      const cache = yield* TokenCache.make({
        name,
        acquire: Grant.clientCredentials(endpoint).pipe(Effect.provideService(HttpClient.HttpClient, client)),
        retry: { baseDelay: "1 second" }
      })
      const fiber = yield* Effect.fork(cache.get)
      yield* TestClock.adjust("5 seconds")
      yield* fiber.await
      const byOutcome = (outcome: string) => ({ grant_type: "client_credentials", outcome })
      expect(yield* count(Metrics.tokenRequests, name, byOutcome("failure"))).toBe(1)
      expect(yield* count(Metrics.tokenRequests, name, byOutcome("success"))).toBe(1)
      const latency = yield* histogram(Metrics.tokenRequestDuration, name, byOutcome("success"))
      expect([latency.count, latency.sum]).toEqual([1, 0.25])
      // the caller waited for the first attempt, the backoff (~1 s) and the second attempt
      const waited = yield* histogram(Metrics.waitDuration, name)
      expect(waited.count).toBe(1)
      expect(waited.sum).toBeGreaterThanOrEqual(1.3)
      expect(yield* count(Metrics.waits, name)).toBe(1)
    }))

  it.scoped("the expiry gauges follow the current token: seconds left, and the expiry as a Unix time", () =>
    Effect.gen(function*() {
      const name = "expiry-test"
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({ name, acquire: source.acquire, backgroundRefresh: false })
      const gauge = (metric: typeof Metrics.expiresIn) =>
        Effect.map(Metric.value(Metric.tagged(metric, "provider", name)), (s) => s.value)
      yield* cache.get
      expect(yield* gauge(Metrics.expiresIn)).toBe(3600)
      expect(yield* gauge(Metrics.expiryTimestamp)).toBe(3600)
      yield* TestClock.adjust("10 minutes")
      yield* cache.get // a hit: the seconds-left gauge moves with the clock
      expect(yield* gauge(Metrics.expiresIn)).toBe(3000)
      expect(yield* gauge(Metrics.expiryTimestamp)).toBe(3600)
    }))

  it.scoped("a failed background refresh is counted by error type; callers keep the current token", () =>
    Effect.gen(function*() {
      const name = "background-failure-test"
      const source = yield* _source({ lifetime: "1 hour" })
      const cache = yield* TokenCache.make({ name, acquire: source.acquire, policy: { maxJitter: 0 } })
      yield* cache.get
      yield* source.failNext(_oauth("invalid_client", 401))
      yield* TestClock.adjust("3540 seconds")
      yield* _settle
      expect(yield* count(Metrics.backgroundRefreshFailures, name, { error_type: "invalid_client" })).toBe(1)
      expect((yield* cache.get).value).toEqual(Redacted.make("tok-1"))
    }))

  it.scoped("requestSpans: false drops the client's per-request span and keeps the token spans", () =>
    Effect.gen(function*() {
      const spansOf = (requestSpans: boolean) =>
        Effect.gen(function*() {
          const { observed, layer } = observe()
          const { client } = yield* _fakeHttp((r) =>
            Effect.succeed(
              r.url.endsWith("/token") ? { json: { access_token: "at", token_type: "Bearer", expires_in: 60 } } : {
                json: {}
              }
            )
          )
          const auth = yield* ProviderAuth.clientCredentials({
            name: `spans-${requestSpans}`,
            endpoint: TokenEndpoint.make({
              url: "https://auth.test/token",
              clientAuthentication: ClientAuthentication.clientSecretPost("app", Redacted.make("pssst"))
            }),
            baseUrl: "https://api.test",
            requestSpans
          }).pipe(Effect.provideService(HttpClient.HttpClient, client))
          yield* auth.client.get("/payments").pipe(Effect.provide(layer))
          return observed.spans.map((s) => s.name)
        })
      const withSpans = yield* spansOf(true)
      const without = yield* spansOf(false)
      expect(withSpans).toContain("http.client GET")
      expect(without).not.toContain("http.client GET")
      for (const names of [withSpans, without]) {
        expect(names).toContain("auth_pipeline.token_cache.fetch")
        expect(names).toContain("auth_pipeline.token_request")
      }
    }))

  it.effect("a rate-limit wait is counted and timed for the provider", () =>
    Effect.gen(function*() {
      let calls = 0
      const { client } = yield* _fakeHttp(() =>
        Effect.succeed(++calls === 1 ? { status: 429, headers: { "retry-after": "2" } } : { json: {} })
      )
      const limited = RateLimit.make(client, { retryOnce: true, name: "rate-test" })
      const fiber = yield* Effect.fork(limited.get("https://api.test/x"))
      yield* TestClock.adjust("2 seconds")
      yield* fiber.await
      expect(yield* count(Metrics.rateLimitWaits, "rate-test")).toBe(1)
      expect((yield* histogram(Metrics.rateLimitWaitDuration, "rate-test")).sum).toBe(2)
    }))
})
