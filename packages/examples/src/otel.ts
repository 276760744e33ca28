/**
 * The library's spans and metrics in any OpenTelemetry backend: `npx tsx packages/examples/src/otel.ts`.
 *
 * Exports over OTLP/HTTP (JSON) with `@effect/opentelemetry`'s `Otlp.layerJson`, which needs only
 * an `HttpClient` (no OpenTelemetry SDK), to `OTEL_EXPORTER_OTLP_ENDPOINT` (default
 * `http://127.0.0.1:4318`, an OpenTelemetry Collector's OTLP/HTTP port). Runs Paysera against the
 * sandbox on 127.0.0.1 under two account names, so the metrics tell the accounts apart, meets a
 * revoked token (one 401 retry) and a rate limit, then flushes the exporters as the program ends.
 */
import { PayseraAuth } from "@auth-pipeline/paysera"
import { Paysera, Server } from "@auth-pipeline/sandbox"
import * as Otlp from "@effect/opentelemetry/Otlp"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Console, Effect, Layer, Redacted } from "effect"
import { pathToFileURL } from "node:url"

/** What the telemetry layer needs: where the collector listens and what this service is called. */
export interface TelemetryOptions {
  readonly endpoint: string
  readonly serviceName: string
}

/**
 * The exporters: spans, metrics and logs over OTLP/HTTP JSON. Their own HTTP client is the plain
 * `layerUndici` (never an authenticated one); closing the layer flushes what is left.
 */
export const telemetry = (options: TelemetryOptions) =>
  Otlp.layerJson({
    baseUrl: options.endpoint,
    resource: { serviceName: options.serviceName },
    metricsExportInterval: "10 seconds",
    tracerExportInterval: "1 second"
  }).pipe(Layer.provide(NodeHttpClient.layerUndici))

/** Two Paysera accounts against the sandbox: a few calls each, a revoked token, a rate limit. */
export const workload = Effect.gen(function*() {
  const emulator = yield* Paysera.make({ rateLimit: { limit: 4, window: "1 second" } })
  const url = yield* Server.serve(emulator)
  const account = (name: string) =>
    PayseraAuth.layer({
      name,
      clientId: "sandbox-client",
      clientSecret: Redacted.make("sandbox-secret"),
      tokenUrl: `${url}${Paysera.tokenPath}`,
      baseUrl: url,
      rateLimit: { retryOnce: true, maxWait: "5 seconds" }
    })
  for (const name of ["paysera-main", "paysera-refunds"]) {
    yield* Effect.gen(function*() {
      const paysera = yield* PayseraAuth.PayseraAuth
      for (let i = 0; i < 3; i++) yield* paysera.client.get(Paysera.resourcePath)
      yield* emulator.revoke(Redacted.value((yield* paysera.token).value))
      yield* paysera.client.get(Paysera.resourcePath) // 401 → one new token → re-sent once
    }).pipe(Effect.scoped, Effect.provide(account(name)))
  }
  return emulator
})

/** The example: the workload with the exporters around it. */
export const main = (options: TelemetryOptions) =>
  Effect.gen(function*() {
    const emulator = yield* workload
    const c = yield* emulator.counters
    yield* Console.log(
      `${c.resourceRequests} API requests, ${c.tokensIssued} tokens, ${c.unauthorized} 401s, ` +
        `${c.rateLimited} 429s: spans and metrics exported to ${options.endpoint}`
    )
    return emulator
  }).pipe(Effect.scoped, Effect.provide([telemetry(options), NodeHttpClient.layerUndici]))

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const endpoint = process.env["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? "http://127.0.0.1:4318"
  Effect.runPromise(main({ endpoint, serviceName: "auth-pipeline-example" })).catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
}
