import { AccessToken } from "@auth-pipeline/core"
import { Cryptofuse, type Emulator, Fault, InMemory } from "@auth-pipeline/sandbox"
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Duration, Effect, Layer, Option, Redacted, TestClock } from "effect"
import { CryptofuseAuth } from "../src/index.js"

const baseUrl = "https://cryptofuse.sandbox.local"
const clientSecret = Redacted.make("sandbox-secret")
const options: CryptofuseAuth.Options = { clientId: "sandbox-client", clientSecret, baseUrl }

const hours = (n: number) => Duration.toMillis(Duration.hours(n))

/** Runs `f` with the provider over an in-memory Cryptofuse emulator. */
const withCryptofuse = <A, E>(
  f: (auth: CryptofuseAuth.CryptofuseAuth["Type"], cryptofuse: Emulator.Emulator) => Effect.Effect<A, E>,
  overrides: Partial<CryptofuseAuth.Options> = {},
  emulator: Cryptofuse.Options = {}
) =>
  Effect.gen(function*() {
    const cryptofuse = yield* Cryptofuse.make(emulator)
    return yield* Effect.flatMap(CryptofuseAuth.CryptofuseAuth, (auth) => f(auth, cryptofuse)).pipe(
      Effect.provide(CryptofuseAuth.layer({ ...options, ...overrides }).pipe(Layer.provide(InMemory.layer(cryptofuse))))
    )
  })

/** Sends one authenticated call and returns the token request and the API call as sent. */
const exchange = (overrides: Partial<CryptofuseAuth.Options>, emulator: Cryptofuse.Options = {}) =>
  Effect.gen(function*() {
    const cryptofuse = yield* Cryptofuse.make(emulator)
    const { layer, sent } = yield* InMemory.recording(cryptofuse)
    const [token, body] = yield* Effect.gen(function*() {
      const auth = yield* CryptofuseAuth.CryptofuseAuth
      const response = yield* auth.client.get(Cryptofuse.resourcePath)
      expect(response.status).toBe(200)
      return [yield* auth.token, yield* response.json] as const
    }).pipe(Effect.provide(CryptofuseAuth.layer({ ...options, ...overrides }).pipe(Layer.provide(layer))))
    const [tokenRequest, apiRequest] = yield* sent
    return {
      token,
      body,
      tokenRequest: tokenRequest!,
      params: Object.fromEntries(new URLSearchParams(tokenRequest!.body)),
      apiRequest: apiRequest!,
      counters: yield* cryptofuse.counters
    }
  })

describe("CryptofuseAuth", () => {
  it.effect("by default sends POST {baseUrl}/o/token/ with HTTP Basic and scope=read write", () =>
    Effect.gen(function*() {
      const { apiRequest, body, counters, params, token, tokenRequest } = yield* exchange({}, {
        clientAuthMethods: ["client_secret_basic"]
      })
      expect(tokenRequest).toMatchObject({
        method: "POST",
        url: "https://cryptofuse.sandbox.local/o/token/",
        contentType: "application/x-www-form-urlencoded"
      })
      // The docs: BASE64_CREDENTIAL=$(echo -n "your_client_id:your_client_secret" | base64)
      expect(tokenRequest.headers["authorization"]).toBe(`Basic ${btoa("sandbox-client:sandbox-secret")}`)
      expect(params).toEqual({ grant_type: "client_credentials", scope: "read write" })
      expect(apiRequest).toMatchObject({ method: "GET", url: `${baseUrl}/payments/` })
      expect(apiRequest.headers["authorization"]).toBe(`Bearer ${Redacted.value(token.value)}`)
      expect(token.scopes).toEqual(["read", "write"])
      expect(AccessToken.lifetimeMillis(token)).toEqual(Option.some(36_000_000))
      expect(body).toMatchObject({ provider: "cryptofuse", scope: "read write", credential_number: 1 })
      expect(counters).toMatchObject({
        tokenRequests: 1,
        tokensIssued: 1,
        tokenRequestsByAuthMethod: { client_secret_basic: 1, client_secret_post: 0 }
      })
    }))

  it.effect("clientAuthentication: client_secret_post sends client_id and client_secret in the body instead", () =>
    Effect.gen(function*() {
      const { counters, params, token, tokenRequest } = yield* exchange(
        { clientAuthentication: "client_secret_post" },
        {
          clientAuthMethods: ["client_secret_post"]
        }
      )
      expect(tokenRequest.url).toBe("https://cryptofuse.sandbox.local/o/token/")
      expect(tokenRequest.headers["authorization"]).toBeUndefined()
      expect(params).toEqual({
        grant_type: "client_credentials",
        scope: "read write",
        client_id: "sandbox-client",
        client_secret: "sandbox-secret"
      })
      expect(token.scopes).toEqual(["read", "write"])
      expect(counters.tokenRequestsByAuthMethod).toMatchObject({ client_secret_basic: 0, client_secret_post: 1 })
    }))

  it.effect("admin: true asks for scope=read write admin", () =>
    Effect.gen(function*() {
      const { body, params, token } = yield* exchange({ admin: true })
      expect(params).toEqual({ grant_type: "client_credentials", scope: "read write admin" })
      expect(token.scopes).toEqual(["read", "write", "admin"])
      expect(body).toMatchObject({ scope: "read write admin" })
    }))

  it.effect("form-encodes Basic credentials the RFC 6749 way, so a secret with : + / = % works", () =>
    Effect.gen(function*() {
      const { counters, token } = yield* exchange(
        { clientId: "app:1", clientSecret: Redacted.make("p@ss: +/=%") },
        { clients: [{ clientId: "app:1", clientSecret: "p@ss: +/=%" }], clientAuthMethods: ["client_secret_basic"] }
      )
      expect(token.scopes).toEqual(["read", "write"])
      expect(counters.tokenRequestsByClientId).toEqual({ "app:1": 1 })
    }))

  it.effect("accepts a base URL with a trailing slash", () =>
    Effect.gen(function*() {
      const { apiRequest, tokenRequest } = yield* exchange({ baseUrl: `${baseUrl}/` })
      expect(tokenRequest.url).toBe("https://cryptofuse.sandbox.local/o/token/")
      expect(apiRequest.url).toBe("https://cryptofuse.sandbox.local/payments/")
    }))

  it.effect("reuses a 36000 s token for ~10 hours: one token request per ~10 h over 29 hours of calls", () =>
    withCryptofuse((auth, cryptofuse) =>
      Effect.gen(function*() {
        for (let i = 0; i < 58; i++) {
          expect((yield* auth.client.get(Cryptofuse.resourcePath)).status).toBe(200)
          yield* TestClock.adjust("30 minutes")
        }
        const issued = (yield* cryptofuse.credentials).map((c) => c.issuedAt)
        expect(issued.length).toBe(3)
        expect(issued[0]).toBe(0)
        // Core's default buffer: 60 s before expiry, less a jitter of at most 10 s.
        for (const [previous, next] of [[issued[0]!, issued[1]!], [issued[1]!, issued[2]!]] as const) {
          expect(next - previous).toBeGreaterThanOrEqual(hours(10) - 70_000)
          expect(next - previous).toBeLessThanOrEqual(hours(10) - 60_000)
        }
        expect(yield* cryptofuse.counters).toMatchObject({ tokenRequests: 3, resourceRequests: 58, unauthorized: 0 })
      })
    ))

  it.effect("a revoked token (401): re-authenticates and retries once; a second 401 is Unauthorized", () =>
    withCryptofuse((auth, cryptofuse) =>
      Effect.gen(function*() {
        const first = yield* auth.token
        yield* cryptofuse.revoke(Redacted.value(first.value))
        expect((yield* auth.client.get(Cryptofuse.resourcePath)).status).toBe(200)
        expect(yield* cryptofuse.counters).toMatchObject({ tokensIssued: 2, resourceRequests: 2, unauthorized: 1 })

        yield* cryptofuse.failNext(
          Fault.status(401, { body: { detail: "Authentication credentials were not provided." } }),
          {
            endpoint: "resource",
            times: 2
          }
        )
        const error = yield* Effect.flip(auth.client.get(Cryptofuse.resourcePath))
        expect(error).toMatchObject({ _tag: "Unauthorized", status: 401, retried: true })
        expect(yield* cryptofuse.counters).toMatchObject({ tokensIssued: 3, resourceRequests: 4, unauthorized: 3 })
      })
    ))

  it.effect("a wrong secret is an OAuthError invalid_client (HTTP 401), with Basic and in the body", () =>
    Effect.gen(function*() {
      for (const clientAuthentication of ["client_secret_basic", "client_secret_post"] as const) {
        yield* withCryptofuse(
          (auth, cryptofuse) =>
            Effect.gen(function*() {
              const error = yield* Effect.flip(auth.token)
              expect(error).toMatchObject({
                _tag: "OAuthError",
                status: 401,
                error: "invalid_client",
                errorDescription: Option.some("Client authentication failed (invalid client_id or client_secret)"),
                url: "https://cryptofuse.sandbox.local/o/token/"
              })
              expect(`${error.message} ${JSON.stringify(error)}`).not.toContain("wrong-secret")
              expect((yield* cryptofuse.counters).tokenRequests).toBe(1)
            }),
          { clientAuthentication, clientSecret: Redacted.make("wrong-secret") }
        )
      }
    }))

  it.effect("a 400 invalid_request is an OAuthError with status 400, not retried", () =>
    withCryptofuse((auth, cryptofuse) =>
      Effect.gen(function*() {
        const description = "Missing required parameter or unsupported parameter value: grant_type"
        yield* cryptofuse.failNext(
          Fault.status(400, { body: { error: "invalid_request", error_description: description } })
        )
        const error = yield* Effect.flip(auth.token)
        expect(error).toMatchObject({
          _tag: "OAuthError",
          status: 400,
          error: "invalid_request",
          errorDescription: Option.some(description)
        })
        expect((yield* cryptofuse.counters).tokenRequests).toBe(1)
      })
    ))

  it.effect("admin scope refused to the client is an OAuthError invalid_scope", () =>
    withCryptofuse(
      (auth) =>
        Effect.gen(function*() {
          expect(yield* Effect.flip(auth.token)).toMatchObject({
            _tag: "OAuthError",
            status: 400,
            error: "invalid_scope"
          })
        }),
      { admin: true },
      { clients: [{ clientId: "sandbox-client", clientSecret: "sandbox-secret", scopes: ["read", "write"] }] }
    ))
})

describe("CryptofuseAuth.layerConfig", () => {
  const run = <A, E>(
    env: ReadonlyArray<readonly [string, string]>,
    program: Effect.Effect<A, E, CryptofuseAuth.CryptofuseAuth>,
    config?: Config.Config<Partial<CryptofuseAuth.Options>>
  ) =>
    Effect.gen(function*() {
      const cryptofuse = yield* Cryptofuse.make()
      const result = yield* program.pipe(
        Effect.provide(CryptofuseAuth.layerConfig(config).pipe(Layer.provide(InMemory.layer(cryptofuse)))),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(env)))
      )
      return [result, yield* cryptofuse.counters] as const
    })
  const scopes = Effect.flatMap(CryptofuseAuth.CryptofuseAuth, (auth) => Effect.map(auth.token, (t) => t.scopes))
  const required = [
    ["CRYPTOFUSE_CLIENT_ID", "sandbox-client"],
    ["CRYPTOFUSE_CLIENT_SECRET", "sandbox-secret"],
    ["CRYPTOFUSE_BASE_URL", baseUrl]
  ] as const

  it.effect("reads the client, the base URL, and defaults to Basic with read write", () =>
    Effect.gen(function*() {
      const [granted, counters] = yield* run(required, scopes)
      expect(granted).toEqual(["read", "write"])
      expect(counters.tokenRequestsByAuthMethod).toMatchObject({ client_secret_basic: 1 })
    }))

  it.effect("CRYPTOFUSE_SCOPE=read write admin and CRYPTOFUSE_CLIENT_AUTH=client_secret_post", () =>
    Effect.gen(function*() {
      const [granted, counters] = yield* run(
        [...required, ["CRYPTOFUSE_SCOPE", "read write admin"], ["CRYPTOFUSE_CLIENT_AUTH", "client_secret_post"]],
        scopes
      )
      expect(granted).toEqual(["read", "write", "admin"])
      expect(counters.tokenRequestsByAuthMethod).toMatchObject({ client_secret_post: 1, client_secret_basic: 0 })
    }))

  it.effect("what the given config sets wins over the environment", () =>
    Effect.gen(function*() {
      const [granted] = yield* run(
        [...required, ["CRYPTOFUSE_SCOPE", "read write"]],
        scopes,
        Config.succeed({ admin: true })
      )
      expect(granted).toEqual(["read", "write", "admin"])
    }))

  it.effect("a missing base URL, a missing secret, or an unknown scope or method is a ConfigError without the secret", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [ReadonlyArray<readonly [string, string]>, string]> = [
        [required.filter(([k]) => k !== "CRYPTOFUSE_BASE_URL"), "CRYPTOFUSE_BASE_URL"],
        [required.filter(([k]) => k !== "CRYPTOFUSE_CLIENT_SECRET"), "CRYPTOFUSE_CLIENT_SECRET"],
        [[...required, ["CRYPTOFUSE_SCOPE", "admin"]], "CRYPTOFUSE_SCOPE"],
        [[...required, ["CRYPTOFUSE_CLIENT_AUTH", "private_key_jwt"]], "CRYPTOFUSE_CLIENT_AUTH"]
      ]
      for (const [env, variable] of cases) {
        const error = yield* Effect.flip(run(env, CryptofuseAuth.CryptofuseAuth))
        expect(error._tag).toBe("ConfigError")
        expect(String(error)).toContain(variable)
        expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain("sandbox-secret")
      }
    }))
})
