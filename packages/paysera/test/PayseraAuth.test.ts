import { AccessToken } from "@auth-pipeline/core"
import { type Emulator, Fault, InMemory, Paysera, Server } from "@auth-pipeline/sandbox"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Config, ConfigProvider, Duration, Effect, Fiber, Layer, Option, Redacted, TestClock } from "effect"
import { PayseraAuth } from "../src/index.js"

const clientId = "sandbox-client"
const clientSecret = Redacted.make("sandbox-secret")
const options: PayseraAuth.Options = { clientId, clientSecret }

const minutes = (n: number) => Duration.toMillis(Duration.minutes(n))

/** Runs `f` with the provider over an in-memory Paysera emulator (body credentials only). */
const withPaysera = <A, E>(
  f: (auth: PayseraAuth.PayseraAuth["Type"], paysera: Emulator.Emulator) => Effect.Effect<A, E>,
  overrides: Partial<PayseraAuth.Options> = {}
) =>
  Effect.gen(function*() {
    const paysera = yield* Paysera.make({ clientAuthMethods: ["client_secret_post"] })
    return yield* Effect.flatMap(PayseraAuth.PayseraAuth, (auth) => f(auth, paysera)).pipe(
      Effect.provide(PayseraAuth.layer({ ...options, ...overrides }).pipe(Layer.provide(InMemory.layer(paysera))))
    )
  })

/** Waits until a fiber sleeps on the TestClock for at most `within` from now (not the background refresh). */
const untilSleepingWithin = (within: Duration.DurationInput) =>
  Effect.gen(function*() {
    const limit = (yield* TestClock.currentTimeMillis) + Duration.toMillis(within)
    while (!Chunk.some(yield* TestClock.sleeps(), (at) => at <= limit)) yield* Effect.yieldNow()
  })

describe("PayseraAuth", () => {
  it.effect("sends the documented form post: grant_type, client_id and client_secret in the body", () =>
    Effect.gen(function*() {
      const paysera = yield* Paysera.make({ clientAuthMethods: ["client_secret_post"] })
      const { layer, sent } = yield* InMemory.recording(paysera)
      const [token, response] = yield* Effect.gen(function*() {
        const auth = yield* PayseraAuth.PayseraAuth
        const response = yield* auth.client.get(Paysera.resourcePath)
        return [yield* auth.token, yield* response.json] as const
      }).pipe(Effect.provide(PayseraAuth.layer(options).pipe(Layer.provide(layer))))

      const [tokenRequest, apiRequest] = yield* sent
      expect(tokenRequest).toMatchObject({
        method: "POST",
        url: PayseraAuth.tokenUrl,
        contentType: "application/x-www-form-urlencoded"
      })
      expect(tokenRequest!.headers["authorization"]).toBeUndefined()
      expect(Object.fromEntries(new URLSearchParams(tokenRequest!.body))).toEqual({
        grant_type: "client_credentials",
        client_id: "sandbox-client",
        client_secret: "sandbox-secret"
      })
      expect(apiRequest).toMatchObject({ method: "GET", url: `${PayseraAuth.apiBaseUrl}${Paysera.resourcePath}` })
      expect(apiRequest!.headers["authorization"]).toBe(`Bearer ${Redacted.value(token.value)}`)

      expect(token.scopes).toEqual(["profile", "email"])
      expect(AccessToken.lifetimeMillis(token)).toEqual(Option.some(3_600_000))
      expect(token.refreshToken).toEqual(Option.none())
      expect(token.extra).toMatchObject({ refresh_expires_in: 0 })
      expect(response).toMatchObject({ provider: "paysera", client_id: "sandbox-client", credential_number: 1 })
      expect(yield* paysera.counters).toMatchObject({
        tokenRequests: 1,
        tokensIssued: 1,
        tokenRequestsByAuthMethod: { client_secret_post: 1, client_secret_basic: 0 },
        resourceRequests: 1
      })
    }))

  it.effect("reuses a token ~55 minutes: token requests at 0, ~55 and ~110 minutes over two hours of calls", () =>
    withPaysera((auth, paysera) =>
      Effect.gen(function*() {
        for (let minute = 0; minute < 120; minute++) {
          const response = yield* auth.client.get(Paysera.resourcePath)
          expect(response.status).toBe(200)
          yield* TestClock.adjust("1 minute")
        }
        const issued = (yield* paysera.credentials).map((c) => c.issuedAt)
        expect(issued.length).toBe(3)
        // The background refresh runs 300 s before expiry, less a jitter of at most 10 s.
        expect(issued[0]).toBe(0)
        expect(issued[1]).toBeGreaterThanOrEqual(minutes(55) - 10_000)
        expect(issued[1]).toBeLessThanOrEqual(minutes(55))
        expect(issued[2]! - issued[1]!).toBeGreaterThanOrEqual(minutes(55) - 10_000)
        expect(issued[2]! - issued[1]!).toBeLessThanOrEqual(minutes(55))
        expect(yield* paysera.counters).toMatchObject({
          tokenRequests: 3,
          tokensIssued: 3,
          resourceRequests: 120,
          unauthorized: 0
        })
      })
    ))

  it.effect("without background refresh, serves the token until exactly 300 s before expiry", () =>
    withPaysera(
      (auth) =>
        Effect.gen(function*() {
          const first = yield* auth.token
          yield* TestClock.adjust(Duration.millis(minutes(55) - 1))
          expect(AccessToken.sameValue(yield* auth.token, first)).toBe(true)
          yield* TestClock.adjust("1 millis")
          const second = yield* auth.token
          expect(AccessToken.sameValue(second, first)).toBe(false)
          expect(second.issuedAt).toBe(minutes(55))
        }),
      { cache: { backgroundRefresh: false } }
    ))

  it.effect("a revoked token (401): discards it, re-authenticates and retries the call once", () =>
    withPaysera((auth, paysera) =>
      Effect.gen(function*() {
        const first = yield* auth.token
        expect(yield* paysera.revoke(Redacted.value(first.value))).toBe(true)
        const response = yield* auth.client.get(Paysera.resourcePath)
        expect(response.status).toBe(200)
        expect(yield* response.json).toMatchObject({ credential_number: 2 })
        expect(yield* paysera.counters).toMatchObject({ tokensIssued: 2, resourceRequests: 2, unauthorized: 1 })
      })
    ))

  it.effect("a second 401 surfaces as Unauthorized: no loop", () =>
    withPaysera((auth, paysera) =>
      Effect.gen(function*() {
        yield* paysera.failNext(
          Fault.status(401, { body: { error: "invalid_token", error_description: "Token is expired" } }),
          {
            endpoint: "resource",
            times: 2
          }
        )
        const error = yield* Effect.flip(auth.client.get(Paysera.resourcePath))
        expect(error).toMatchObject({
          _tag: "Unauthorized",
          status: 401,
          retried: true,
          url: `${PayseraAuth.apiBaseUrl}${Paysera.resourcePath}`
        })
        expect(yield* paysera.counters).toMatchObject({ tokensIssued: 2, resourceRequests: 2, unauthorized: 2 })
      })
    ))

  it.effect("an invalid_token error body (not a 401) is also a rejection: re-authenticate and retry once", () =>
    withPaysera((auth, paysera) =>
      Effect.gen(function*() {
        yield* paysera.failNext(
          Fault.status(400, { body: { error: "invalid_token", error_description: "Token is expired" } }),
          {
            endpoint: "resource"
          }
        )
        const response = yield* auth.client.get(Paysera.resourcePath)
        expect(response.status).toBe(200)
        expect(yield* paysera.counters).toMatchObject({ tokensIssued: 2, resourceRequests: 2 })
      })
    ))

  it.effect("a wrong secret is an OAuthError invalid_client (HTTP 401), not retried, without the secret", () =>
    withPaysera(
      (auth, paysera) =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(auth.token)
          expect(error).toMatchObject({
            _tag: "OAuthError",
            status: 401,
            error: "invalid_client",
            errorDescription: Option.some("Invalid client credentials"),
            url: PayseraAuth.tokenUrl
          })
          expect(`${error.message} ${JSON.stringify(error)}`).not.toContain("wrong-secret")
          expect((yield* paysera.counters).tokenRequests).toBe(1)
          // Not cached: the next call asks again.
          yield* Effect.flip(auth.client.get(Paysera.resourcePath))
          expect(yield* paysera.counters).toMatchObject({ tokenRequests: 2, resourceRequests: 0 })
        }),
      { clientSecret: Redacted.make("wrong-secret") }
    ))

  it.effect("after 50 calls in a minute, a 429 waits for the window to reset and is re-sent once", () =>
    withPaysera((auth, paysera) =>
      Effect.gen(function*() {
        for (let i = 0; i < 50; i++) {
          const response = yield* auth.client.get(Paysera.resourcePath)
          expect(response.headers["x-ratelimit-remaining"]).toBe(String(49 - i))
        }
        yield* TestClock.adjust("20 seconds")
        const fiber = yield* Effect.fork(auth.client.get(Paysera.resourcePath))
        yield* untilSleepingWithin("60 seconds")
        yield* TestClock.adjust("39 seconds")
        expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
        yield* TestClock.adjust("1 second")
        const response = yield* Fiber.join(fiber)
        expect(response.status).toBe(200)
        expect(response.headers["x-ratelimit-remaining"]).toBe("49")
        expect(yield* paysera.counters).toMatchObject({ tokensIssued: 1, resourceRequests: 52, rateLimited: 1 })
      })
    ))

  it.effect("with rateLimit: { retryOnce: false }, a 429 is a typed RateLimited with limit, remaining and reset", () =>
    withPaysera(
      (auth, paysera) =>
        Effect.gen(function*() {
          for (let i = 0; i < 50; i++) yield* auth.client.get(Paysera.resourcePath)
          yield* TestClock.adjust("20 seconds")
          const error = yield* Effect.flip(auth.client.get(Paysera.resourcePath))
          expect(error).toMatchObject({
            _tag: "RateLimited",
            status: 429,
            method: "GET",
            url: `${PayseraAuth.apiBaseUrl}${Paysera.resourcePath}`,
            limit: Option.some(50),
            remaining: Option.some(0),
            reset: Option.some(Duration.seconds(40)),
            retried: false
          })
          expect(yield* paysera.counters).toMatchObject({ resourceRequests: 51, rateLimited: 1 })
        }),
      { rateLimit: { retryOnce: false } }
    ))

  it.effect("with rateLimit: false, a 429 is passed through as a response", () =>
    withPaysera(
      (auth) =>
        Effect.gen(function*() {
          for (let i = 0; i < 50; i++) yield* auth.client.get(Paysera.resourcePath)
          const response = yield* auth.client.get(Paysera.resourcePath)
          expect(response.status).toBe(429)
          expect(response.headers["x-ratelimit-limit"]).toBe("50")
        }),
      { rateLimit: false }
    ))

  it.effect("refuses a plain-http token URL off loopback with a typed InvalidUrl", () =>
    Effect.gen(function*() {
      const paysera = yield* Paysera.make()
      const error = yield* Layer.build(PayseraAuth.layer({ ...options, tokenUrl: "http://api.paysera.com/token" }))
        .pipe(
          Effect.provide(InMemory.layer(paysera)),
          Effect.scoped,
          Effect.flip
        )
      expect(error).toMatchObject({ _tag: "TokenRequestError", reason: "InvalidUrl" })
    }))
})

describe("PayseraAuth.layerConfig", () => {
  const sandboxHost = "https://paysera.sandbox.local"
  const run = <A, E>(
    env: ReadonlyArray<readonly [string, string]>,
    program: Effect.Effect<A, E, PayseraAuth.PayseraAuth>,
    config?: Config.Config<Partial<PayseraAuth.Options>>
  ) =>
    Effect.gen(function*() {
      const paysera = yield* Paysera.make()
      const result = yield* program.pipe(
        Effect.provide(PayseraAuth.layerConfig(config).pipe(Layer.provide(InMemory.layer(paysera)))),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(env)))
      )
      return [result, yield* paysera.counters] as const
    })

  it.effect("reads PAYSERA_CLIENT_ID, PAYSERA_CLIENT_SECRET, PAYSERA_TOKEN_URL and PAYSERA_BASE_URL", () =>
    Effect.gen(function*() {
      const [status, counters] = yield* run(
        [
          ["PAYSERA_CLIENT_ID", "sandbox-client"],
          ["PAYSERA_CLIENT_SECRET", "sandbox-secret"],
          ["PAYSERA_TOKEN_URL", `${sandboxHost}${Paysera.tokenPath}`],
          ["PAYSERA_BASE_URL", sandboxHost]
        ],
        Effect.flatMap(
          PayseraAuth.PayseraAuth,
          (auth) => Effect.map(auth.client.get(Paysera.resourcePath), (r) => r.status)
        )
      )
      expect(status).toBe(200)
      expect(counters).toMatchObject({
        tokensIssued: 1,
        resourceRequests: 1,
        tokenRequestsByClientId: { "sandbox-client": 1 }
      })
    }))

  it.effect("defaults to the production URLs, and takes what the given config sets over the environment", () =>
    Effect.gen(function*() {
      const [status] = yield* run(
        [["PAYSERA_CLIENT_ID", "someone-else"], ["PAYSERA_CLIENT_SECRET", "sandbox-secret"], ["PAYSERA_BASE_URL", ""]],
        Effect.flatMap(
          PayseraAuth.PayseraAuth,
          (auth) => Effect.map(auth.client.get(Paysera.resourcePath), (r) => r.status)
        ),
        Config.succeed({ clientId: "sandbox-client" })
      )
      expect(status).toBe(200)
    }))

  it.effect("a missing secret is a ConfigError naming the variable", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(run([["PAYSERA_CLIENT_ID", "sandbox-client"]], PayseraAuth.PayseraAuth))
      expect(error._tag).toBe("ConfigError")
      expect(String(error)).toContain("PAYSERA_CLIENT_SECRET")
    }))

  it.effect("a missing client id is a ConfigError that does not show the secret", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(run([["PAYSERA_CLIENT_SECRET", "hunter2-secret"]], PayseraAuth.PayseraAuth))
      expect(error._tag).toBe("ConfigError")
      expect(String(error)).toContain("PAYSERA_CLIENT_ID")
      expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain("hunter2")
    }))
})

describe("PayseraAuth over real HTTP", () => {
  it.scopedLive("gets a token from the emulator served on 127.0.0.1 and calls the API with it", () =>
    Effect.gen(function*() {
      const paysera = yield* Paysera.make({ clientAuthMethods: ["client_secret_post"] })
      const baseUrl = yield* Server.serve(paysera)
      yield* Effect.gen(function*() {
        const auth = yield* PayseraAuth.PayseraAuth
        const response = yield* auth.client.get(Paysera.resourcePath)
        expect(response.status).toBe(200)
        expect(yield* response.json).toMatchObject({
          provider: "paysera",
          scope: "profile email",
          credential_number: 1
        })
        expect((yield* auth.token).scopes).toEqual(["profile", "email"])
      }).pipe(
        Effect.provide(
          PayseraAuth.layer({ ...options, tokenUrl: `${baseUrl}${Paysera.tokenPath}`, baseUrl }).pipe(
            Layer.provide(FetchHttpClient.layer)
          )
        )
      )
      expect(yield* paysera.counters).toMatchObject({
        tokenRequests: 1,
        tokensIssued: 1,
        tokenRequestsByAuthMethod: { client_secret_post: 1 },
        resourceRequests: 1
      })
    }))
})
