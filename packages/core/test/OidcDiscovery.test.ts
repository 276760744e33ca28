import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, TestClock } from "effect"
import * as OidcDiscovery from "../src/OidcDiscovery.js"
import { _fakeHttp, type Reply } from "./_fakeHttp.js"

const issuer = "https://auth.example.com"
const configurationUrl = "https://auth.example.com/.well-known/openid-configuration"

const document = (overrides: Record<string, unknown> = {}, base = issuer) => ({
  issuer: base,
  authorization_endpoint: `${base}/oauth/authorize`,
  token_endpoint: `${base}/oauth/token`,
  jwks_uri: `${base}/.well-known/jwks.json`,
  end_session_endpoint: `${base}/oidc/logout`,
  response_types_supported: ["code"],
  id_token_signing_alg_values_supported: ["RS256"],
  code_challenge_methods_supported: ["S256"],
  authorization_response_iss_parameter_supported: true,
  ...overrides
})

const replying = (reply: Reply) => _fakeHttp(() => Effect.succeed(reply))

const discoverWith = (reply: Reply, iss = issuer, options?: { readonly timeout?: Duration.DurationInput }) =>
  Effect.gen(function*() {
    const { client, requests } = yield* replying(reply)
    const result = yield* Effect.either(
      OidcDiscovery.discover(iss, options).pipe(Effect.provideService(HttpClient.HttpClient, client))
    )
    return { result, requests: yield* requests }
  })

const failure = (reply: Reply, iss = issuer) =>
  Effect.flatMap(discoverWith(reply, iss), ({ result }) => Effect.flip(result))

describe("OidcDiscovery.discover", () => {
  it.effect("GETs {issuer}/.well-known/openid-configuration as JSON and yields the metadata", () =>
    Effect.gen(function*() {
      const { result, requests } = yield* discoverWith({ json: document({ claims_supported: ["sub", "email"] }) })
      const metadata = yield* result
      expect(requests).toHaveLength(1)
      expect(requests[0]!.method).toBe("GET")
      expect(requests[0]!.url).toBe(configurationUrl)
      expect(requests[0]!.headers["accept"]).toBe("application/json")
      expect(requests[0]!.headers["authorization"]).toBeUndefined()
      expect(metadata.issuer).toBe(issuer)
      expect(metadata.token_endpoint).toBe(`${issuer}/oauth/token`)
      expect(metadata.jwks_uri).toBe(`${issuer}/.well-known/jwks.json`)
      expect(metadata.authorization_response_iss_parameter_supported).toBe(true)
      expect(metadata.claims_supported).toEqual(["sub", "email"])
    }))

  it.effect("keeps members it does not know", () =>
    Effect.gen(function*() {
      const { result } = yield* discoverWith({ json: document({ frontchannel_logout_supported: true }) })
      expect((yield* result)["frontchannel_logout_supported"]).toBe(true)
    }))

  it.effect("builds the URL without a double slash when the issuer ends with /, and keeps the issuer exact", () =>
    Effect.gen(function*() {
      expect(OidcDiscovery.configurationUrl("https://tenant.example.com/")).toBe(
        "https://tenant.example.com/.well-known/openid-configuration"
      )
      expect(OidcDiscovery.configurationUrl("https://login.example.com/tenant-1/v2.0")).toBe(
        "https://login.example.com/tenant-1/v2.0/.well-known/openid-configuration"
      )
      const slashed = "https://tenant.example.com/"
      const { result, requests } = yield* discoverWith(
        { json: { ...document({}, "https://tenant.example.com"), issuer: slashed } },
        slashed
      )
      expect(requests[0]!.url).toBe("https://tenant.example.com/.well-known/openid-configuration")
      expect((yield* result).issuer).toBe(slashed)
    }))

  it.effect("refuses a document that is not valid as InvalidDocument naming every bad member, not its value", () =>
    Effect.gen(function*() {
      const missing = yield* failure({ json: document({ token_endpoint: undefined }) })
      expect(missing._tag).toBe("DiscoveryError")
      expect(missing.reason).toBe("InvalidDocument")
      expect(missing.document).toBe("configuration")
      expect(missing.url).toBe(configurationUrl)
      expect(missing.status).toBe(200)
      expect(missing.detail).toContain("token_endpoint")

      const wrongType = yield* failure({ json: document({ response_types_supported: "code-secret-value" }) })
      expect(wrongType.reason).toBe("InvalidDocument")
      expect(wrongType.detail).toContain("response_types_supported")
      expect(wrongType.detail).not.toContain("code-secret-value")

      const nested = yield* failure({ json: document({ scopes_supported: ["openid", 7] }) })
      expect(nested.detail).toContain("scopes_supported.1")

      const several = yield* failure({ json: document({ token_endpoint: undefined, jwks_uri: 42 }) })
      expect(several.detail).toContain("token_endpoint")
      expect(several.detail).toContain("jwks_uri")

      const notObject = yield* failure({ json: ["not", "an", "object"] })
      expect(notObject.reason).toBe("InvalidDocument")
    }))

  it.effect("refuses a document with a plain-http endpoint on a non-loopback host", () =>
    Effect.gen(function*() {
      for (const member of ["authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"]) {
        const error = yield* failure({ json: document({ [member]: "http://auth.example.com/endpoint" }) })
        expect(error.reason, member).toBe("InvalidDocument")
        expect(error.detail, member).toContain(member)
      }
      const notUrl = yield* failure({ json: document({ token_endpoint: "not a url" }) })
      expect(notUrl.detail).toContain("token_endpoint")
    }))

  it.effect("accepts plain-http endpoints on a loopback issuer", () =>
    Effect.gen(function*() {
      const local = "http://127.0.0.1:8080"
      const { result, requests } = yield* discoverWith({ json: document({}, local) }, local)
      expect(requests[0]!.url).toBe("http://127.0.0.1:8080/.well-known/openid-configuration")
      expect((yield* result).token_endpoint).toBe("http://127.0.0.1:8080/oauth/token")
    }))

  it.effect("refuses a plain-http issuer on a non-loopback host as InvalidUrl without a request", () =>
    Effect.gen(function*() {
      const { result, requests } = yield* discoverWith(
        { json: document({}, "http://auth.example.com") },
        "http://auth.example.com"
      )
      const error = yield* Effect.flip(result)
      expect(error.reason).toBe("InvalidUrl")
      expect(requests).toHaveLength(0)
    }))

  it.effect("refuses a document naming another issuer as IssuerMismatch", () =>
    Effect.gen(function*() {
      const error = yield* failure({ json: document({ issuer: "https://evil.example.com" }) })
      expect(error.reason).toBe("IssuerMismatch")
      expect(error.document).toBe("configuration")
      expect(error.detail).toContain("https://evil.example.com")
      const slash = yield* failure({ json: document({ issuer: issuer + "/" }) })
      expect(slash.reason).toBe("IssuerMismatch")
    }))

  it.effect("reports a 404 as Status, not transient, and a 500 or 429 as Status, transient", () =>
    Effect.gen(function*() {
      const notFound = yield* failure({ status: 404, text: "Not Found" })
      expect(notFound.reason).toBe("Status")
      expect(notFound.status).toBe(404)
      expect(notFound.detail).toContain("404")
      expect(OidcDiscovery.isTransient(notFound)).toBe(false)

      const serverError = yield* failure({ status: 500, text: "oops" })
      expect(serverError.reason).toBe("Status")
      expect(serverError.status).toBe(500)
      expect(OidcDiscovery.isTransient(serverError)).toBe(true)

      const tooMany = yield* failure({ status: 429, text: "slow down" })
      expect(OidcDiscovery.isTransient(tooMany)).toBe(true)
    }))

  it.effect("reports a body that is not JSON as NotJson, not transient", () =>
    Effect.gen(function*() {
      const error = yield* failure({ text: "<html>Sign in</html>", headers: { "content-type": "text/html" } })
      expect(error.reason).toBe("NotJson")
      expect(error.status).toBe(200)
      expect(OidcDiscovery.isTransient(error)).toBe(false)
    }))

  it.effect("reports a dropped connection as Transport, transient", () =>
    Effect.gen(function*() {
      const error = yield* failure({ drop: "connection reset" })
      expect(error.reason).toBe("Transport")
      expect(error.status).toBeUndefined()
      expect(OidcDiscovery.isTransient(error)).toBe(true)
    }))

  it.effect("gives up with Timeout, transient, when the provider does not answer in time", () =>
    Effect.gen(function*() {
      const { client } = yield* _fakeHttp(() => Effect.never)
      const fiber = yield* OidcDiscovery.discover(issuer, { timeout: "10 seconds" }).pipe(
        Effect.provideService(HttpClient.HttpClient, client),
        Effect.fork
      )
      yield* TestClock.adjust("9 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 second")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error.reason).toBe("Timeout")
      expect(error.url).toBe(configurationUrl)
      expect(OidcDiscovery.isTransient(error)).toBe(true)
    }))

  it.effect("times out after 30 seconds by default", () =>
    Effect.gen(function*() {
      const { client } = yield* _fakeHttp(() => Effect.never)
      const fiber = yield* OidcDiscovery.discover(issuer).pipe(
        Effect.provideService(HttpClient.HttpClient, client),
        Effect.fork
      )
      yield* TestClock.adjust("29 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 second")
      expect((yield* Effect.flip(Fiber.join(fiber))).reason).toBe("Timeout")
    }))

  it("names the document, URL and reason in its message", () => {
    const error = new OidcDiscovery.DiscoveryError({
      reason: "Status",
      document: "jwks",
      url: "https://auth.example.com/jwks",
      status: 503,
      detail: "HTTP 503: busy"
    })
    expect(error.message).toBe("OpenID JWKS https://auth.example.com/jwks is unusable (Status): HTTP 503: busy")
  })
})

describe("OidcDiscovery.cached", () => {
  const counting = (reply: (index: number) => Reply) => _fakeHttp((_, index) => Effect.succeed(reply(index)))

  it.effect("shares one request among many concurrent first uses", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* counting(() => ({ json: document() }))
      const get = yield* OidcDiscovery.cached(issuer).pipe(Effect.provideService(HttpClient.HttpClient, client))
      const results = yield* Effect.all(Array.from({ length: 25 }, () => get), { concurrency: "unbounded" })
      expect(results.every((m) => m.issuer === issuer)).toBe(true)
      expect(yield* requests).toHaveLength(1)
      yield* get
      expect(yield* requests).toHaveLength(1)
    }))

  it.effect("does not keep a failure: the next use fetches again", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* counting((
        i
      ) => (i === 0 ? { status: 503, text: "busy" } : { json: document() }))
      const get = yield* OidcDiscovery.cached(issuer).pipe(Effect.provideService(HttpClient.HttpClient, client))
      const error = yield* Effect.flip(get)
      expect(error.reason).toBe("Status")
      expect((yield* get).issuer).toBe(issuer)
      expect(yield* requests).toHaveLength(2)
      yield* get
      expect(yield* requests).toHaveLength(2)
    }))

  it.effect("keeps the document for the ttl and fetches it again after", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* counting(() => ({ json: document() }))
      const get = yield* OidcDiscovery.cached(issuer, { ttl: "10 minutes" }).pipe(
        Effect.provideService(HttpClient.HttpClient, client)
      )
      yield* get
      yield* TestClock.adjust("9 minutes")
      yield* get
      expect(yield* requests).toHaveLength(1)
      yield* TestClock.adjust("1 minute")
      yield* get
      expect(yield* requests).toHaveLength(2)
      yield* get
      expect(yield* requests).toHaveLength(2)
    }))

  it.effect("keeps the document for one hour by default", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* counting(() => ({ json: document() }))
      const get = yield* OidcDiscovery.cached(issuer).pipe(Effect.provideService(HttpClient.HttpClient, client))
      yield* get
      yield* TestClock.adjust(Duration.minutes(59))
      yield* get
      expect(yield* requests).toHaveLength(1)
      yield* TestClock.adjust(Duration.minutes(1))
      yield* get
      expect(yield* requests).toHaveLength(2)
    }))

  it.effect("does not fetch before the first use", () =>
    Effect.gen(function*() {
      const { client, requests } = yield* counting(() => ({ json: document() }))
      yield* OidcDiscovery.cached(issuer).pipe(Effect.provideService(HttpClient.HttpClient, client))
      expect(yield* requests).toHaveLength(0)
    }))
})
