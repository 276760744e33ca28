/**
 * `npm run simulate -- --provider paysera --hours 24 --rps 5 [--revoke-every 2h] [--token-endpoint-outage 10m@50m]`:
 * a provider pipeline against its in-memory emulator on a simulated clock; prints token requests,
 * cache hits, 401 retries, the longest wait and a timeline. `--help` (or `-h`) prints the usage and
 * exits 0; a command line it cannot read prints the problem and the usage on stderr and exits 2.
 */
import { Effect, Either } from "effect"
import { pathToFileURL } from "node:url"
import { render } from "./simulator/Report.js"
import { parse, usage, wantsHelp } from "./simulator/Scenario.js"
import { run } from "./simulator/Simulation.js"

export { parse, render, run, usage, wantsHelp }

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const argv = process.argv.slice(2)
  const scenario = parse(argv)
  if (wantsHelp(argv)) {
    console.log(usage)
  } else if (Either.isLeft(scenario)) {
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
