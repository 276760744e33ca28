/**
 * A table of what the token machinery did, per provider, read from the library's metrics
 * (`Metrics` in `@auth-pipeline/core`): token requests, cache hits, callers that waited for a
 * fetch, 401 retries and rate-limit waits. The demo ends with it.
 */
import { Effect, Metric } from "effect"

const columns = [
  ["token requests", "auth_pipeline_token_requests_total"],
  ["cache hits", "auth_pipeline_token_cache_hits_total"],
  ["waits", "auth_pipeline_token_waits_total"],
  ["401 retries", "auth_pipeline_unauthorized_retries_total"],
  ["rate-limit waits", "auth_pipeline_rate_limit_waits_total"]
] as const

/** Counter totals by `provider` tag, summed over the other tags. */
export const countsByProvider: Effect.Effect<Map<string, Record<string, number>>> = Effect.map(
  Metric.snapshot,
  (pairs) => {
    const rows = new Map<string, Record<string, number>>()
    for (const pair of pairs) {
      const column = columns.find(([, name]) => name === pair.metricKey.name)
      const provider = pair.metricKey.tags.find((t) => t.key === "provider")?.value
      const count = (pair.metricState as { count?: unknown }).count
      if (column === undefined || provider === undefined || typeof count !== "number") continue
      const row = rows.get(provider) ?? {}
      row[column[0]] = (row[column[0]] ?? 0) + count
      rows.set(provider, row)
    }
    return rows
  }
)

/** The table as text, one row per provider. */
export const summary: Effect.Effect<string> = Effect.map(countsByProvider, (rows) => {
  const header = ["provider", ...columns.map(([label]) => label)]
  const body = [...rows].sort(([a], [b]) => a.localeCompare(b)).map(([provider, row]) => [
    provider,
    ...columns.map(([label]) => String(row[label] ?? 0))
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n")
})
