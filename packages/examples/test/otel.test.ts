/**
 * The OpenTelemetry example against a small OTLP/HTTP receiver on 127.0.0.1: what arrives (span
 * names and attributes, metric points per provider) and what never does (a secret or a token).
 */
import * as OtlpReceiver from "@auth-pipeline/testing/OtlpReceiver"
import { encodings } from "@auth-pipeline/testing/Secrets"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { main } from "../src/otel.js"

describe("OpenTelemetry export (packages/examples/src/otel.ts)", () => {
  it.live(
    "spans and metrics reach an OTLP/HTTP collector, tagged per provider account, with no secret",
    () =>
      Effect.gen(function*() {
        const receiver = yield* OtlpReceiver.start
        const emulator = yield* main({ endpoint: receiver.url, serviceName: "otel-test" })

        const spans = receiver.spans()
        const names = new Set(spans.map((s) => s.name))
        for (const name of ["auth_pipeline.token_cache.fetch", "auth_pipeline.token_request", "http.client GET"]) {
          expect(names).toContain(name)
        }
        const request = spans.find((s) => s.name === "auth_pipeline.token_request")!
        expect(request.attributes).toMatchObject({
          "http.request.method": "POST",
          "server.address": "127.0.0.1",
          "auth_pipeline.grant_type": "client_credentials",
          "auth_pipeline.client_auth_method": "client_secret_post",
          "auth_pipeline.outcome": "success",
          "http.response.status_code": 200
        })
        expect(String(request.attributes["url.full"])).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\//)
        const fetches = spans.filter((s) => s.name === "auth_pipeline.token_cache.fetch")
        expect(new Set(fetches.map((s) => s.attributes["auth_pipeline.provider"]))).toEqual(
          new Set(["paysera-main", "paysera-refunds"])
        )

        const metrics = receiver.metrics()
        const point = (name: string, attributes: Record<string, unknown>) =>
          metrics.filter((m) => m.name === name && Object.entries(attributes).every(([k, v]) => m.attributes[k] === v))
            .reduce((max, m) => Math.max(max, m.value), 0)
        for (const provider of ["paysera-main", "paysera-refunds"]) {
          // first token, then one after the revoked token's 401
          expect(point("auth_pipeline_token_requests_total", { provider, outcome: "success" })).toBe(2)
          expect(point("auth_pipeline_token_request_duration_seconds", { provider })).toBe(2)
          expect(point("auth_pipeline_unauthorized_retries_total", { provider })).toBe(1)
          expect(point("auth_pipeline_token_cache_hits_total", { provider })).toBeGreaterThan(0)
          expect(point("auth_pipeline_token_waits_total", { provider })).toBe(2)
          expect(
            metrics.some((m) =>
              m.name === "auth_pipeline_token_expires_in_seconds" && m.attributes["provider"] === provider
            )
          )
            .toBe(true)
        }
        expect(point("auth_pipeline_rate_limit_waits_total", {})).toBeGreaterThan(0)

        // Nothing secret arrived: the client secret and every token the emulator issued, in any encoding.
        const everything = receiver.bodies.map((b) => b.text).join("\n")
        const issued = (yield* emulator.credentials).map((c) => c.value)
        expect(issued.length).toBe(4)
        for (const secret of ["sandbox-secret", ...issued]) {
          for (const [, form] of encodings(secret)) expect(everything).not.toContain(form)
        }
        // The platform client's request span names the Authorization header, with its value redacted.
        expect(everything).toContain(`"http.request.header.authorization","value":{"stringValue":"<redacted>"}`)
        expect(everything).not.toMatch(/"http\.request\.header\.authorization","value":\{"stringValue":"(?!<redacted>)/)
        // "Bearer" appears only as the API's challenge (WWW-Authenticate: Bearer realm=...), never with a token.
        expect(everything).not.toMatch(/bearer (?!realm=)/i)
      }).pipe(Effect.scoped),
    { timeout: 60_000 }
  )
})
