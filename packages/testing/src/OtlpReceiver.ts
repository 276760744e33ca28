/**
 * A small OTLP/HTTP receiver on 127.0.0.1 for tests: it accepts what an exporter POSTs to
 * `/v1/traces`, `/v1/metrics` and `/v1/logs` as JSON (the `Otlp.layerJson` of
 * `@effect/opentelemetry`), keeps every body as text (to scan for secrets) and parsed (to assert on
 * span names, attributes and metric points), and answers 200 with an empty partial-success body.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

/** An OTLP attribute value as the JSON encoding writes it. */
export type AnyValue = {
  readonly stringValue?: string
  readonly intValue?: string | number
  readonly doubleValue?: number
  readonly boolValue?: boolean
  readonly arrayValue?: { readonly values: ReadonlyArray<AnyValue> }
}

export interface KeyValue {
  readonly key: string
  readonly value: AnyValue
}

export interface Span {
  readonly name: string
  readonly attributes: Readonly<Record<string, unknown>>
  readonly status?: { readonly code?: number; readonly message?: string }
}

export interface MetricPoint {
  readonly name: string
  readonly kind: "sum" | "gauge" | "histogram"
  readonly attributes: Readonly<Record<string, unknown>>
  /** The sum's or gauge's value; the histogram's count. */
  readonly value: number
}

export interface Received {
  /** Every body received, in order, as text. */
  readonly bodies: ReadonlyArray<{ readonly path: string; readonly text: string }>
  readonly spans: () => ReadonlyArray<Span>
  readonly metrics: () => ReadonlyArray<MetricPoint>
}

export interface OtlpReceiver extends Received {
  /** `http://127.0.0.1:<port>`: the `baseUrl` of `Otlp.layerJson`. */
  readonly url: string
}

const valueOf = (v: AnyValue): unknown =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue ??
    v.arrayValue?.values.map(valueOf)

const attributesOf = (kvs: ReadonlyArray<KeyValue> | undefined): Record<string, unknown> =>
  Object.fromEntries((kvs ?? []).map((kv) => [kv.key, valueOf(kv.value)]))

const parse = (text: string): any => {
  try {
    return JSON.parse(text)
  } catch {
    return {}
  }
}

/** Starts the receiver on a free loopback port for the life of the Scope. */
export const start: Effect.Effect<OtlpReceiver, never, Scope.Scope> = Effect.gen(function*() {
  const bodies: Array<{ path: string; text: string }> = []
  const server = yield* Effect.acquireRelease(
    Effect.async<http.Server>((resume) => {
      const server = http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (chunk: Buffer) => chunks.push(chunk))
        req.on("end", () => {
          bodies.push({ path: req.url ?? "", text: Buffer.concat(chunks).toString("utf8") })
          res.writeHead(200, { "content-type": "application/json" })
          res.end("{}")
        })
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      })
  )
  const of = (path: string) => bodies.filter((b) => b.path === path).map((b) => parse(b.text))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    spans: () =>
      of("/v1/traces").flatMap((body) =>
        (body.resourceSpans ?? []).flatMap((rs: any) =>
          (rs.scopeSpans ?? []).flatMap((ss: any) =>
            (ss.spans ?? []).map((s: any): Span => ({
              name: s.name,
              attributes: attributesOf(s.attributes),
              status: s.status
            }))
          )
        )
      ),
    metrics: () =>
      of("/v1/metrics").flatMap((body) =>
        (body.resourceMetrics ?? []).flatMap((rm: any) =>
          (rm.scopeMetrics ?? []).flatMap((sm: any) =>
            (sm.metrics ?? []).flatMap((m: any): Array<MetricPoint> => {
              const kind = m.sum ? "sum" : m.gauge ? "gauge" : m.histogram ? "histogram" : undefined
              if (kind === undefined) return []
              return (m[kind].dataPoints ?? []).map((p: any): MetricPoint => ({
                name: m.name,
                kind,
                attributes: attributesOf(p.attributes),
                value: kind === "histogram" ? Number(p.count) : Number(p.asDouble ?? p.asInt ?? 0)
              }))
            })
          )
        )
      )
  }
})
