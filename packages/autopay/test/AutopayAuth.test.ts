import { AccessToken } from "@auth-pipeline/core"
import { Autopay, type Emulator, Fault, InMemory } from "@auth-pipeline/sandbox"
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Duration, Effect, Layer, Option, Redacted, TestClock } from "effect"
import { AutopayAuth } from "../src/index.js"

const clientSecret = Redacted.make("sandbox-secret")
const options: AutopayAuth.Options = { clientId: "sandbox-client", clientSecret }

const hours = (n: number) => Duration.toMillis(Duration.hours(n))

/** Runs `f` with the provider over an in-memory Autopay emulator. */
const withAutopay = <A, E>(
  f: (auth: AutopayAuth.AutopayAuth["Type"], autopay: Emulator.Emulator) => Effect.Effect<A, E>,
  overrides: Partial<AutopayAuth.Options> = {},
  emulator: Autopay.Options = {}
) =>
  Effect.gen(function*() {
    const autopay = yield* Autopay.make(emulator)
    return yield* Effect.flatMap(AutopayAuth.AutopayAuth, (auth) => f(auth, autopay)).pipe(
      Effect.provide(AutopayAuth.layer({ ...options, ...overrides }).pipe(Layer.provide(InMemory.layer(autopay))))
    )
  })

/** Forces a new token the way an API rejection does: revoke the current one, then call the API. */
const forceNewToken = (auth: AutopayAuth.AutopayAuth["Type"], autopay: Emulator.Emulator) =>
  Effect.zipRight(autopay.revokeAll, auth.client.get(Autopay.resourcePath))

describe("AutopayAuth", () => {
  it.effect("sends the documented JSON body: client_id, client_secret, audience and grant_type", () =>
    Effect.gen(function*() {
      const autopay = yield* Autopay.make()
      const { layer, sent } = yield* InMemory.recording(autopay)
      const [token, body] = yield* Effect.gen(function*() {
        const auth = yield* AutopayAuth.AutopayAuth
        const response = yield* auth.client.get(Autopay.resourcePath)
        expect(response.status).toBe(200)
        return [yield* auth.token, yield* response.json] as const
      }).pipe(Effect.provide(AutopayAuth.layer(options).pipe(Layer.provide(layer))))

      const [tokenRequest, apiRequest] = yield* sent
      expect(tokenRequest).toMatchObject({ method: "POST", url: AutopayAuth.tokenUrl, contentType: "application/json" })
      expect(tokenRequest!.headers["authorization"]).toBeUndefined()
      expect(JSON.parse(tokenRequest!.body)).toEqual({
        client_id: "sandbox-client",
        client_secret: "sandbox-secret",
        audience: "https://api.autopay.io",
        grant_type: "client_credentials"
      })
      expect(apiRequest).toMatchObject({ method: "GET", url: `https://api.autopay.io${Autopay.resourcePath}` })
      expect(apiRequest!.headers["authorization"]).toBe(`Bearer ${Redacted.value(token.value)}`)

      expect(token.scopes).toEqual(["customer_club"])
      expect(AccessToken.lifetimeMillis(token)).toEqual(Option.some(hours(24)))
      expect(body).toMatchObject({ provider: "autopay", client_id: "sandbox-client", credential_number: 1 })
      expect(yield* autopay.counters).toMatchObject({
        tokenRequests: 1,
        tokensIssued: 1,
        tokenRequestsByGrantType: { client_credentials: 1 },
        tokenRequestsByAuthMethod: { client_secret_post: 1, client_secret_basic: 0 }
      })
    }))

  it.effect("reuses a 24 h token: one token request per ~24 h (less the 60 s buffer) over 3 days of calls", () =>
    withAutopay((auth, autopay) =>
      Effect.gen(function*() {
        for (let hour = 0; hour < 71; hour++) {
          expect((yield* auth.client.get(Autopay.resourcePath)).status).toBe(200)
          yield* TestClock.adjust("1 hour")
        }
        const issued = (yield* autopay.credentials).map((c) => c.issuedAt)
        expect(issued.length).toBe(3)
        expect(issued[0]).toBe(0)
        for (const [previous, next] of [[issued[0]!, issued[1]!], [issued[1]!, issued[2]!]] as const) {
          expect(next - previous).toBeGreaterThanOrEqual(hours(24) - 70_000)
          expect(next - previous).toBeLessThanOrEqual(hours(24) - 60_000)
        }
        expect(yield* autopay.counters).toMatchObject({ tokenRequests: 3, resourceRequests: 71, unauthorized: 0 })
      })
    ))

  it.effect("follows expires_in: a 10 h token is replaced after ~10 h", () =>
    Effect.gen(function*() {
      const autopay = yield* Autopay.make({ expiresIn: 36_000 })
      yield* Effect.gen(function*() {
        const auth = yield* AutopayAuth.AutopayAuth
        for (let i = 0; i < 48; i++) {
          yield* auth.client.get(Autopay.resourcePath)
          yield* TestClock.adjust("30 minutes")
        }
      }).pipe(Effect.provide(AutopayAuth.layer(options).pipe(Layer.provide(InMemory.layer(autopay)))))
      const issued = (yield* autopay.credentials).map((c) => c.issuedAt)
      expect(issued.length).toBe(3)
      expect(issued[1]).toBeGreaterThanOrEqual(hours(10) - 70_000)
      expect(issued[1]).toBeLessThanOrEqual(hours(10) - 60_000)
    }))

  it.effect("a revoked token (401): re-authenticates and retries once; a second 401 is Unauthorized", () =>
    withAutopay((auth, autopay) =>
      Effect.gen(function*() {
        yield* auth.token
        expect((yield* forceNewToken(auth, autopay)).status).toBe(200)
        expect(yield* autopay.counters).toMatchObject({ tokensIssued: 2, resourceRequests: 2, unauthorized: 1 })

        yield* autopay.failNext(Fault.status(401, { body: { error: "invalid_token" } }), {
          endpoint: "resource",
          times: 2
        })
        const error = yield* Effect.flip(auth.client.get(Autopay.resourcePath))
        expect(error).toMatchObject({ _tag: "Unauthorized", status: 401, retried: true })
        expect(yield* autopay.counters).toMatchObject({ tokensIssued: 3, resourceRequests: 4, unauthorized: 3 })
      })
    ))

  it.effect("a wrong secret is an OAuthError access_denied (HTTP 401), not retried, without the secret", () =>
    withAutopay(
      (auth, autopay) =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(auth.token)
          expect(error).toMatchObject({
            _tag: "OAuthError",
            status: 401,
            error: "access_denied",
            errorDescription: Option.some("Unauthorized"),
            url: AutopayAuth.tokenUrl
          })
          expect(`${error.message} ${JSON.stringify(error)}`).not.toContain("wrong-secret")
          expect((yield* autopay.counters).tokenRequests).toBe(1)
        }),
      { clientSecret: Redacted.make("wrong-secret") }
    ))

  it.effect("the budget guard: the 11th token request within 24 h fails with TokenBudgetExceeded, unsent", () =>
    withAutopay((auth, autopay) =>
      Effect.gen(function*() {
        yield* auth.token
        for (let i = 1; i < 10; i++) {
          yield* TestClock.adjust("10 minutes")
          expect((yield* forceNewToken(auth, autopay)).status).toBe(200)
        }
        expect((yield* autopay.counters).tokenRequests).toBe(10)
        yield* TestClock.adjust("10 minutes")
        const error = yield* Effect.flip(forceNewToken(auth, autopay))
        expect(error).toMatchObject({
          _tag: "TokenBudgetExceeded",
          cache: "autopay",
          limit: 10,
          window: Duration.hours(24),
          retryAt: hours(24)
        })
        expect((yield* autopay.counters).tokenRequests).toBe(10)
        // Once the first request leaves the 24 h window, one more is allowed.
        yield* TestClock.setTime(hours(24) + 1)
        expect((yield* auth.client.get(Autopay.resourcePath)).status).toBe(200)
        expect((yield* autopay.counters).tokenRequests).toBe(11)
      })
    ))

  it.effect("budget: a custom limit, or false to turn the guard off", () =>
    Effect.gen(function*() {
      yield* withAutopay(
        (auth, autopay) =>
          Effect.gen(function*() {
            yield* forceNewToken(auth, autopay)
            yield* forceNewToken(auth, autopay)
            expect(yield* Effect.flip(auth.cache.refresh)).toMatchObject({ _tag: "TokenBudgetExceeded", limit: 2 })
            expect((yield* autopay.counters).tokenRequests).toBe(2)
          }),
        { budget: { maxRequests: 2, window: "1 hour" } }
      )
      yield* withAutopay(
        (auth, autopay) =>
          Effect.gen(function*() {
            for (let i = 0; i < 15; i++) yield* auth.cache.refresh
            expect((yield* autopay.counters).tokenRequests).toBe(15)
          }),
        { budget: false }
      )
    }))
})

describe("AutopayAuth budget during a token endpoint outage", () => {
  // The budget counts tokens obtained, not failed attempts (core), so an outage at refresh time
  // while the application keeps calling cannot use the 10 up and lock the application out.
  it.effect("a 40-minute outage at refresh time does not lock the application out for a day", () =>
    withAutopay((auth, autopay) =>
      Effect.gen(function*() {
        yield* auth.token
        yield* TestClock.adjust(Duration.sum(Duration.hours(23), Duration.minutes(50)))
        yield* autopay.failNext(Fault.status(503), { times: 1_000 })
        for (let minute = 0; minute < 40; minute++) {
          yield* Effect.fork(Effect.either(auth.client.get(Autopay.resourcePath)))
          yield* TestClock.adjust("1 minute")
        }
        const counters = yield* autopay.counters
        expect(counters.tokensIssued).toBe(1)
        // the background loop backs off (1 s doubling to 60 s) and callers retry a few times: no storm
        expect(counters.tokenRequests).toBeLessThan(200)
        yield* autopay.clearFaults
        yield* TestClock.adjust("10 minutes")
        expect((yield* auth.client.get(Autopay.resourcePath)).status).toBe(200)
      })
    ))
})

describe("AutopayAuth.layerConfig", () => {
  const run = <A, E>(
    env: ReadonlyArray<readonly [string, string]>,
    program: Effect.Effect<A, E, AutopayAuth.AutopayAuth>,
    config?: Config.Config<Partial<AutopayAuth.Options>>
  ) =>
    Effect.gen(function*() {
      const autopay = yield* Autopay.make()
      const result = yield* program.pipe(
        Effect.provide(AutopayAuth.layerConfig(config).pipe(Layer.provide(InMemory.layer(autopay)))),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(env)))
      )
      return [result, yield* autopay.counters] as const
    })
  const call = Effect.flatMap(
    AutopayAuth.AutopayAuth,
    (auth) => Effect.map(auth.client.get(Autopay.resourcePath), (r) => r.status)
  )

  it.effect("reads AUTOPAY_CLIENT_ID, AUTOPAY_CLIENT_SECRET, AUTOPAY_TOKEN_URL and AUTOPAY_BASE_URL", () =>
    Effect.gen(function*() {
      const [status, counters] = yield* run(
        [
          ["AUTOPAY_CLIENT_ID", "sandbox-client"],
          ["AUTOPAY_CLIENT_SECRET", "sandbox-secret"],
          ["AUTOPAY_TOKEN_URL", `https://autopay.sandbox.local${Autopay.tokenPath}`],
          ["AUTOPAY_BASE_URL", "https://autopay.sandbox.local"]
        ],
        call
      )
      expect(status).toBe(200)
      expect(counters).toMatchObject({ tokensIssued: 1, tokenRequestsByClientId: { "sandbox-client": 1 } })
    }))

  it.effect("defaults to the documented URLs; the given config wins over the environment", () =>
    Effect.gen(function*() {
      const [status, counters] = yield* run(
        [["AUTOPAY_CLIENT_ID", "sandbox-client"], ["AUTOPAY_CLIENT_SECRET", "not-it"]],
        call,
        Config.succeed({ clientSecret: Redacted.make("sandbox-secret") })
      )
      expect(status).toBe(200)
      expect(counters.tokensIssued).toBe(1)
    }))

  it.effect("a missing secret is a ConfigError naming the variable; no secret is shown", () =>
    Effect.gen(function*() {
      const missingSecret = yield* Effect.flip(run([["AUTOPAY_CLIENT_ID", "sandbox-client"]], AutopayAuth.AutopayAuth))
      expect(missingSecret._tag).toBe("ConfigError")
      expect(String(missingSecret)).toContain("AUTOPAY_CLIENT_SECRET")
      const missingId = yield* Effect.flip(run([["AUTOPAY_CLIENT_SECRET", "hunter2-secret"]], AutopayAuth.AutopayAuth))
      expect(String(missingId)).toContain("AUTOPAY_CLIENT_ID")
      expect(`${String(missingId)} ${JSON.stringify(missingId)}`).not.toContain("hunter2")
    }))
})
