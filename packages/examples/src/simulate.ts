/**
 * `npm run simulate -- --provider paysera --hours 24 --rps 5 [--revoke-every 2h] [--token-endpoint-outage 10m@50m]`:
 * a provider pipeline against its in-memory emulator under TestClock; prints token requests,
 * cache hits, 401 retries, the longest wait and a timeline.
 */
import { Effect, Either } from "effect"
import { pathToFileURL } from "node:url"
import { render } from "./simulator/Report.js"
import { parse, usage } from "./simulator/Scenario.js"
import { run } from "./simulator/Simulation.js"

export { parse, render, run, usage }

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const scenario = parse(process.argv.slice(2))
  if (Either.isLeft(scenario)) {
    console.error(scenario.left)
    process.exitCode = 2
  } else {
    Effect.runPromise(run(scenario.right)).then(
      (report) => {
        console.log(render(report))
        if (report.failed > 0) process.exitCode = 1
      },
      (error) => {
        console.error(error)
        process.exitCode = 1
      }
    )
  }
}
