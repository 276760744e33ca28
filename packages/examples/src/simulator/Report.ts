/**
 * Renders a simulation report as a few readable lines and a text timeline of token requests.
 */
import { Duration } from "effect"
import type { Report } from "./Simulation.js"

const clock = (millis: number) => {
  const s = Math.floor(millis / 1000)
  const hh = String(Math.floor(s / 3600)).padStart(2, "0")
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0")
  const ss = String(s % 60).padStart(2, "0")
  return `${hh}:${mm}:${ss}`
}

const n = (x: number) => x.toLocaleString("en-US")

/** One character per slot of the period: `|` where a token request was made, `·` elsewhere. */
export const timeline = (report: Report, width = 72): string => {
  const period = Duration.toMillis(report.scenario.duration)
  const slot = period / width
  const cells = Array.from({ length: width }, () => 0)
  for (const t of report.tokenRequestTimes) cells[Math.min(width - 1, Math.floor(t / slot))]!++
  const row = cells.map((c) => (c === 0 ? "·" : c === 1 ? "|" : c < 10 ? String(c) : "#")).join("")
  return `  ${row}\n  0${" ".repeat(width - 2 - clock(period).length)}${clock(period)}  (one column = ${
    Duration.format(Duration.millis(Math.round(slot)))
  })`
}

export const render = (report: Report): string => {
  const s = report.scenario
  const hours = Duration.toHours(s.duration)
  const faults = [
    s.revokeEvery === undefined ? undefined : `tokens revoked every ${Duration.format(s.revokeEvery)}`,
    s.outage === undefined
      ? undefined
      : `token endpoint down for ${Duration.format(s.outage.duration)} from ${clock(Duration.toMillis(s.outage.start))}`
  ].filter((x) => x !== undefined)
  const gaps = report.tokenRequestTimes.slice(1).map((t, i) => t - report.tokenRequestTimes[i]!)
  const typicalGap = gaps.length === 0 ? undefined : [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!
  const lines = [
    `${s.provider}: ${hours} h simulated at ${s.rps} requests/s on a simulated clock in ${
      (report.wallMillis / 1000).toFixed(2)
    } s of wall time`,
    ...(s.replicas > 1
      ? [
        `fleet: ${s.replicas} replicas, ${
          s.sharedStore
            ? "one token shared through a store (the @auth-pipeline/redis protocol, simulated)"
            : "each with its own token cache (no shared store)"
        }`
      ]
      : []),
    faults.length > 0 ? `faults: ${faults.join("; ")}` : `faults: none`,
    `requests:          ${n(report.requests)} (${n(report.succeeded)} succeeded, ${n(report.failed)} failed${
      report.failed > 0
        ? `: ${Object.entries(report.failuresByError).map(([k, v]) => `${k} ${n(v)}`).join(", ")}`
        : ""
    })`,
    `token requests:    ${n(report.tokenRequests)} (one per ${
      Duration.format(report.lifetime)
    } lifetime would be ${report.onePerLifetime}${
      typicalGap === undefined || faults.length > 0
        ? ""
        : `; typically one every ${Duration.format(Duration.millis(Math.round(typicalGap / 1000) * 1000))}`
    })`,
    `cache hits:        ${n(report.cacheHits)}`,
    `401 retries:       ${n(report.unauthorizedRetries)}`,
    `longest wait for a token: ${Duration.format(Duration.millis(Math.round(Duration.toMillis(report.longestWait))))}`,
    `sent through the whole pipeline to the emulator API: ${
      n(report.pipelineRequests)
    } (the rest were cache hits with nothing changed)`,
    `token requests over time:`,
    timeline(report),
    `  at ${report.tokenRequestTimes.slice(0, 12).map(clock).join(", ")}${
      report.tokenRequestTimes.length > 12 ? ", ..." : ""
    }`
  ]
  return lines.join("\n")
}
