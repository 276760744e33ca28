/**
 * What a simulation runs: a provider, a period, a request rate and fault events, parsed from the
 * command line (`--provider paysera --hours 24 --rps 5 --revoke-every 2h --token-endpoint-outage 10m@50m`).
 */
import { Duration, Either } from "effect"

/** The providers the simulator knows. */
export type ProviderName = "paysera" | "cryptofuse" | "autopay"

export interface Scenario {
  readonly provider: ProviderName
  readonly duration: Duration.Duration
  readonly rps: number
  /** Revoke every token at the provider every so often (the next request meets a 401). */
  readonly revokeEvery?: Duration.Duration | undefined
  /** Replicas of the service (requests go round-robin). Default 1. */
  readonly replicas: number
  /** Whether the replicas share their token (the `@auth-pipeline/redis` protocol, simulated). */
  readonly sharedStore: boolean
  /** Token endpoint answers 503 for `duration` from `start`. */
  readonly outage?: { readonly start: Duration.Duration; readonly duration: Duration.Duration } | undefined
}

const units: Record<string, (n: number) => Duration.Duration> = {
  ms: Duration.millis,
  s: Duration.seconds,
  m: Duration.minutes,
  h: Duration.hours,
  d: Duration.days
}

/** `30s`, `10m`, `2h`, `1d`, or a sum such as `23h30m`. */
export const parseDuration = (text: string): Either.Either<Duration.Duration, string> => {
  const trimmed = text.trim()
  if (!/^(\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/.test(trimmed)) {
    return Either.left(`not a duration: "${text}" (use e.g. 30s, 10m, 2h, 23h30m)`)
  }
  let total = Duration.zero
  for (const [, n, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total = Duration.sum(total, units[unit!]!(Number(n)))
  }
  return Either.right(total)
}

export const usage = `usage: npm run simulate -- [--provider paysera|cryptofuse|autopay] [--hours H] [--rps N]
                         [--revoke-every DURATION] [--token-endpoint-outage DURATION[@START]]
                         [--replicas N [--shared-store]]
       npm run simulate -- --help   (or -h: this text)
  defaults: --provider paysera --hours 24 --rps 5, one replica, no faults
  --replicas N: N processes of the service, the requests spread over them (--rps is the total);
  each has its own token cache, or with --shared-store they share one token (@auth-pipeline/redis)
  durations: 30s, 10m, 2h, 1d; the outage starts at START (default 50m) of simulated time`

/** Whether the command line asks for the usage (`--help` or `-h` anywhere). */
export const wantsHelp = (argv: ReadonlyArray<string>): boolean => argv.includes("--help") || argv.includes("-h")

/** Parses command-line arguments; defaults: paysera, 24 hours, 5 requests a second. */
export const parse = (argv: ReadonlyArray<string>): Either.Either<Scenario, string> => {
  const args = new Map<string, string>()
  let sharedStore = false
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i]!
    if (key === "--shared-store") {
      sharedStore = true
      continue
    }
    if (!key.startsWith("--")) return Either.left(`unexpected argument "${key}"\n${usage}`)
    const value = argv[i + 1]
    if (value === undefined || value.startsWith("--")) return Either.left(`${key} needs a value\n${usage}`)
    args.set(key.slice(2), value)
    i++
  }
  for (const key of args.keys()) {
    if (!["provider", "hours", "rps", "revoke-every", "token-endpoint-outage", "replicas"].includes(key)) {
      return Either.left(`unknown option --${key}\n${usage}`)
    }
  }
  const provider = args.get("provider") ?? "paysera"
  if (provider !== "paysera" && provider !== "cryptofuse" && provider !== "autopay") {
    return Either.left(`unknown provider "${provider}"\n${usage}`)
  }
  const hours = Number(args.get("hours") ?? "24")
  const rps = Number(args.get("rps") ?? "5")
  if (!(hours > 0 && hours <= 24 * 31)) return Either.left(`--hours must be > 0 and at most 744`)
  if (!(rps > 0 && rps <= 1000)) return Either.left(`--rps must be > 0 and at most 1000`)
  const replicas = Number(args.get("replicas") ?? "1")
  if (!(Number.isInteger(replicas) && replicas >= 1 && replicas <= 64)) {
    return Either.left(`--replicas must be a whole number from 1 to 64`)
  }
  let revokeEvery: Duration.Duration | undefined
  const revoke = args.get("revoke-every")
  if (revoke !== undefined) {
    const parsed = parseDuration(revoke)
    if (Either.isLeft(parsed)) return Either.left(parsed.left)
    if (Duration.toMillis(parsed.right) < 1000) return Either.left("--revoke-every must be at least 1s")
    revokeEvery = parsed.right
  }
  let outage: Scenario["outage"]
  const outageArg = args.get("token-endpoint-outage")
  if (outageArg !== undefined) {
    const [length, start = "50m"] = outageArg.split("@")
    const d = parseDuration(length!)
    const s = parseDuration(start)
    if (Either.isLeft(d)) return Either.left(d.left)
    if (Either.isLeft(s)) return Either.left(s.left)
    outage = { start: s.right, duration: d.right }
  }
  return Either.right({ provider, duration: Duration.hours(hours), rps, revokeEvery, outage, replicas, sharedStore })
}
