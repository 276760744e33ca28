import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either } from "effect"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { render } from "../src/simulator/Report.js"
import { parse, parseDuration, usage } from "../src/simulator/Scenario.js"
import { run } from "../src/simulator/Simulation.js"

const scenario = (argv: Array<string>) => Either.getOrThrow(parse(argv))

const simulate = fileURLToPath(new URL("../src/simulate.ts", import.meta.url))

/** `tsx src/simulate.ts ...args` as `npm run simulate -- ...args` runs it. */
const cli = (...args: Array<string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", simulate, ...args],
      { timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : (error as { code?: number }).code ?? 1, stdout, stderr })
    )
  })

describe("npm run simulate", () => {
  it.effect("24 h of Paysera at 5 rps with a 300 s buffer: ~27 token requests, one every ~55 min, none failed", () =>
    Effect.gen(function*() {
      const report = yield* run(scenario(["--provider", "paysera", "--hours", "24", "--rps", "5"]))
      expect(report.requests).toBe(432_000)
      expect(report.failed).toBe(0)
      expect(report.succeeded).toBe(432_000)
      expect(report.tokenRequests).toBeGreaterThanOrEqual(26)
      expect(report.tokenRequests).toBeLessThanOrEqual(27)
      expect(report.onePerLifetime).toBe(24)
      const gaps = report.tokenRequestTimes.slice(1).map((t, i) => t - report.tokenRequestTimes[i]!)
      for (const gap of gaps) {
        // refresh 300 s before expiry, less up to 10 s of jitter
        expect(gap).toBeGreaterThanOrEqual(3_290_000)
        expect(gap).toBeLessThanOrEqual(3_300_000)
      }
      expect(report.unauthorizedRetries).toBe(0)
      expect(Duration.toMillis(report.longestWait)).toBe(0)
      expect(report.cacheHits).toBe(432_000 - 1)
      const text = render(report)
      expect(text).toContain("requests:          432,000 (432,000 succeeded, 0 failed)")
      expect(text).toMatch(/token requests: {4}2[67] \(one per 1h lifetime would be 24; typically one every 54m 5\ds\)/)
    }))

  it.effect("revocations cost one 401 retry each and no failed request", () =>
    Effect.gen(function*() {
      const report = yield* run(
        scenario(["--provider", "paysera", "--hours", "24", "--rps", "5", "--revoke-every", "2h"])
      )
      expect(report.failed).toBe(0)
      expect(report.unauthorizedRetries).toBe(11)
      // each revocation brings a new token and restarts the ~55 min refresh cycle: 3 tokens per 2 h
      expect(report.tokenRequests).toBe(36)
    }))

  it.effect("a 10 minute token endpoint outage at refresh time is absorbed: the old token is served meanwhile", () =>
    Effect.gen(function*() {
      const report = yield* run(
        scenario(["--provider", "paysera", "--hours", "3", "--rps", "5", "--token-endpoint-outage", "10m@50m"])
      )
      expect(report.failed).toBe(0)
      expect(Duration.toMillis(report.longestWait)).toBe(0)
      // the background refresh retried with backoff during the outage, then got a token
      const duringOutage = report.tokenRequestTimes.filter((t) => t >= 50 * 60_000 && t < 60 * 60_000)
      expect(duringOutage.length).toBeGreaterThan(3)
      expect(duringOutage.length).toBeLessThan(20)
    }))

  it.effect("failing requests cost about what succeeding ones do: an outage longer than the token's life runs fast", () =>
    Effect.gen(function*() {
      // Before the simulator had its own clock each failing request took tens of milliseconds
      // (TestClock samples the fibers across timer turns at every move): this ran for two minutes.
      const report = yield* run(
        scenario(["--provider", "paysera", "--hours", "1.1", "--rps", "1", "--token-endpoint-outage", "60m@5m"])
      )
      // About the last 5 minutes (the token's last 300 s are its margin) fail: ~300 requests.
      expect(report.failed).toBeGreaterThanOrEqual(290)
      expect(report.failed).toBeLessThanOrEqual(310)
      expect(Object.keys(report.failuresByError)).toEqual(["OAuthError"])
      expect(report.wallMillis).toBeLessThan(30_000)
    }))

  it.effect("8 replicas: 8 tokens per lifetime with a cache each, the single-process count with a shared store", () =>
    Effect.gen(function*() {
      const args = ["--provider", "paysera", "--hours", "24", "--rps", "5", "--replicas", "8", "--revoke-every", "6h"]
      const alone = yield* run(
        scenario(["--provider", "paysera", "--hours", "24", "--rps", "5", "--revoke-every", "6h"])
      )
      const local = yield* run(scenario(args))
      const shared = yield* run(scenario([...args, "--shared-store"]))
      expect(local.failed + shared.failed).toBe(0)
      expect(local.tokenRequests).toBe(8 * alone.tokenRequests)
      expect(local.unauthorizedRetries).toBe(8 * 3)
      expect(shared.tokenRequests).toBe(alone.tokenRequests)
      expect(shared.unauthorizedRetries).toBe(3)
      expect(render(shared)).toContain("fleet: 8 replicas, one token shared through a store")
    }))

  it.effect("Cryptofuse and Autopay use their own lifetimes", () =>
    Effect.gen(function*() {
      const cryptofuse = yield* run(scenario(["--provider", "cryptofuse", "--hours", "24", "--rps", "1"]))
      expect(cryptofuse.tokenRequests).toBe(3) // 10 h tokens, refreshed 60 s early
      const autopay = yield* run(scenario(["--provider", "autopay", "--hours", "48", "--rps", "1"]))
      expect(autopay.tokenRequests).toBe(3) // 24 h tokens refreshed 60 s early: at 0, ~24 h, ~48 h
      expect(cryptofuse.failed + autopay.failed).toBe(0)
    }))

  it("parses the command line", () => {
    expect(Either.isRight(parse([]))).toBe(true)
    expect(scenario(["--provider", "autopay", "--hours", "2", "--rps", "0.5"])).toMatchObject({
      provider: "autopay",
      rps: 0.5
    })
    expect(parseDuration("23h30m")).toEqual(Either.right(Duration.minutes(23 * 60 + 30)))
    expect(scenario(["--token-endpoint-outage", "10m"]).outage).toEqual({
      start: Duration.minutes(50),
      duration: Duration.minutes(10)
    })
    expect(Either.isLeft(parse(["--provider", "stripe"]))).toBe(true)
    expect(Either.isLeft(parse(["--hours"]))).toBe(true)
    expect(Either.isLeft(parse(["--revoke-every", "soon"]))).toBe(true)
    expect(Either.isLeft(parse(["--bogus", "1"]))).toBe(true)
  })

  it("--help and -h print the usage on stdout and exit 0", async () => {
    for (const flag of ["--help", "-h"]) {
      const { code, stdout, stderr } = await cli(flag)
      expect(code).toBe(0)
      expect(stderr).toBe("")
      expect(stdout.trim()).toBe(usage)
    }
  })

  it("an unknown option prints the problem and the usage on stderr and exits 2", async () => {
    const { code, stdout, stderr } = await cli("--bogus", "1")
    expect(code).toBe(2)
    expect(stdout).toBe("")
    expect(stderr.trim()).toBe(`unknown option --bogus\n${usage}`)
  })
})
