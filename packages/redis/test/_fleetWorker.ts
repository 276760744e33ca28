/**
 * A replica of the multi-process fleet tests: a token cache over a real HTTP token endpoint with
 * `RedisTokenStore` as its shared store, driven by its parent over IPC. Each message
 * `{ id, op, ... }` is answered `{ id, ... }`.
 *
 * Arguments: <name> <config JSON>
 */
import * as ClientAuthentication from "@auth-pipeline/core/ClientAuthentication"
import * as Grant from "@auth-pipeline/core/Grant"
import * as ProviderAuth from "@auth-pipeline/core/ProviderAuth"
import * as TokenCache from "@auth-pipeline/core/TokenCache"
import * as TokenEndpoint from "@auth-pipeline/core/TokenEndpoint"
import * as TokenStore from "@auth-pipeline/core/TokenStore"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { Effect, Exit, Metric, Redacted, Scope } from "effect"
import * as RedisMetrics from "../src/RedisMetrics.js"
import * as RedisTokenStore from "../src/RedisTokenStore.js"

export interface WorkerConfig {
  readonly redisUrl: string
  readonly tokenUrl: string
  readonly apiUrl: string
  readonly rotation?: boolean
  readonly leaseTtlMillis?: number
  readonly fetchDeadlineMillis?: number
  readonly maxRetries?: number
  /** `false`: each worker keeps its own token (an in-memory cache), for comparison. Default `true`. */
  readonly shared?: boolean
  readonly bufferMillis?: number
  readonly maxJitterMillis?: number
}

const [name, configJson] = process.argv.slice(2)
const config = JSON.parse(configJson!) as WorkerConfig

const endpoint = TokenEndpoint.make({
  url: config.tokenUrl,
  clientAuthentication: ClientAuthentication.clientSecretPost("fleet-client", Redacted.make("fleet-secret")),
  headers: { "x-worker": name!, "x-worker-pid": String(process.pid) }
})

const program = Effect.gen(function*() {
  const scope = yield* Scope.make()
  const factory = yield* RedisTokenStore.make({
    url: config.redisUrl,
    encryptionKey: Redacted.make("fleet-test-key-0123456789abcdef0123456789"),
    leaseTtl: config.leaseTtlMillis ?? 15_000,
    fetchDeadline: config.fetchDeadlineMillis ?? 10_000,
    pollInterval: 200,
    breaker: { baseDelay: 200, maxDelay: 1_000 }
  }).pipe(Scope.extend(scope))
  const http = yield* HttpClient.HttpClient
  const cache = yield* TokenCache.make({
    name: "fleet",
    credential: ProviderAuth.credential(endpoint, "client_credentials"),
    acquire: Grant.clientCredentials(endpoint).pipe(Effect.provideService(HttpClient.HttpClient, http)),
    refresh: config.rotation
      ? (rt) => Grant.refreshToken(endpoint, rt).pipe(Effect.provideService(HttpClient.HttpClient, http))
      : undefined,
    retry: { maxRetries: config.maxRetries ?? 3 },
    policy: {
      buffer: config.bufferMillis ?? 60_000,
      maxJitter: config.maxJitterMillis ?? 10_000
    }
  }).pipe(
    config.shared === false ? (effect) => effect : Effect.provideService(TokenStore.Factory, factory),
    Scope.extend(scope)
  )
  const provider = ProviderAuth.fromCache(cache, http, { baseUrl: config.apiUrl })

  const api = Effect.gen(function*() {
    const response = yield* provider.client.get("/api")
    return response.status
  })

  const handle = (message: any): Effect.Effect<Record<string, unknown>, unknown> =>
    Effect.gen(function*() {
      switch (message.op) {
        case "get": {
          const started = Date.now()
          const exit = yield* Effect.exit(cache.get)
          return Exit.isSuccess(exit)
            ? { token: Redacted.value(exit.value.value), waited: Date.now() - started }
            : { error: String(Exit.isFailure(exit) ? exit.cause : ""), waited: Date.now() - started }
        }
        case "refresh": {
          const exit = yield* Effect.exit(cache.refresh)
          return Exit.isSuccess(exit) ? { token: Redacted.value(exit.value.value) } : { error: String(exit.cause) }
        }
        case "api": {
          const exit = yield* Effect.exit(api)
          return Exit.isSuccess(exit) ? { status: exit.value } : { error: String(exit.cause) }
        }
        case "load": {
          // Calls the API every `interval` ms for `duration` ms; counts outcomes.
          const until = Date.now() + message.duration
          const statuses: Record<string, number> = {}
          while (Date.now() < until) {
            const exit = yield* Effect.exit(api)
            const key = Exit.isSuccess(exit) ? String(exit.value) : "error"
            statuses[key] = (statuses[key] ?? 0) + 1
            yield* Effect.sleep(message.interval)
          }
          return { statuses }
        }
        case "stats": {
          const refused = yield* Metric.value(Metric.tagged(RedisMetrics.refusedPublishes, "provider", "fleet"))
          return { refused: refused.count }
        }
        case "exit": {
          yield* Scope.close(scope, Exit.void)
          setTimeout(() => process.exit(0), 10)
          return {}
        }
      }
      return { error: `unknown op ${message.op}` }
    })

  process.on("message", (message: any) => {
    Effect.runFork(
      handle(message).pipe(
        Effect.catchAllCause((cause) => Effect.succeed({ error: String(cause) })),
        Effect.tap((reply) => Effect.sync(() => process.send!({ id: message.id, ...reply })))
      )
    )
  })
  process.send!({ id: 0, ready: true })
  return yield* Effect.never
})

Effect.runFork(program.pipe(Effect.provide(NodeHttpClient.layerUndici)))
