import { Centrapay, InMemory } from "@auth-pipeline/sandbox"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import { CentrapayApiKey } from "../src/index.js"

const withEmulator = (options: Centrapay.Options = {}) =>
  Effect.gen(function*() {
    const centrapay = yield* Centrapay.make(options)
    const { layer, sent } = yield* InMemory.recording(centrapay)
    return { centrapay, layer, sent }
  })

describe("CentrapayApiKey", () => {
  it.effect("puts the documented test merchant key in X-Api-Key on every request", () =>
    Effect.gen(function*() {
      const { layer, sent } = yield* withEmulator()
      const statuses = yield* Effect.gen(function*() {
        const { client } = yield* CentrapayApiKey.CentrapayApiKey
        const a = yield* client.get("/api/account-memberships")
        const b = yield* client.get("/api/account-memberships")
        return [a.status, b.status]
      }).pipe(
        Effect.provide(CentrapayApiKey.layer({ apiKey: CentrapayApiKey.testMerchantApiKey }).pipe(Layer.provide(layer)))
      )

      expect(statuses).toEqual([200, 200])
      const requests = yield* sent
      expect(requests.map((r) => r.url)).toEqual([
        "https://service.centrapay.com/api/account-memberships",
        "https://service.centrapay.com/api/account-memberships"
      ])
      for (const r of requests) {
        expect(r.headers["x-api-key"]).toBe(Redacted.value(CentrapayApiKey.testMerchantApiKey))
        expect(r.headers["authorization"]).toBeUndefined()
      }
    }))

  it.effect("the key goes only to the API origin; an absolute URL is used as is, never glued to the base", () =>
    Effect.gen(function*() {
      const { layer, sent } = yield* withEmulator()
      const [foreign, own] = yield* Effect.gen(function*() {
        const { client } = yield* CentrapayApiKey.CentrapayApiKey
        const foreign = yield* Effect.flip(client.get("https://evil.example.com/collect"))
        const own = yield* client.get("https://service.centrapay.com/api/account-memberships")
        return [foreign, own.status] as const
      }).pipe(
        Effect.provide(CentrapayApiKey.layer({ apiKey: CentrapayApiKey.testMerchantApiKey }).pipe(Layer.provide(layer)))
      )
      expect(foreign).toMatchObject({ _tag: "DisallowedUrl", reason: "ForeignOrigin" })
      expect(own).toBe(200)
      expect((yield* sent).map((r) => r.url)).toEqual(["https://service.centrapay.com/api/account-memberships"])
    }))

  it.effect("a rejected key surfaces Unauthorized at once: one request, nothing to refresh", () =>
    Effect.gen(function*() {
      const { centrapay, layer, sent } = yield* withEmulator({ apiKeys: [{ key: "k-123", name: "pos-1" }] })
      yield* centrapay.revoke("k-123")
      const error = yield* Effect.flatMap(
        CentrapayApiKey.CentrapayApiKey,
        ({ client }) => client.get("/api/account-memberships")
      ).pipe(
        Effect.flip,
        Effect.provide(CentrapayApiKey.layer({ apiKey: Redacted.make("k-123") }).pipe(Layer.provide(layer)))
      )
      expect(error._tag).toBe("Unauthorized")
      expect((yield* sent).length).toBe(1)
      // The key never reaches the error.
      expect(String(error)).not.toContain("k-123")
      expect(JSON.stringify(error)).not.toContain("k-123")
      expect(error.message).not.toContain("k-123")
    }))

  it.effect("layerConfig reads CENTRAPAY_API_KEY (redacted) and CENTRAPAY_BASE_URL", () =>
    Effect.gen(function*() {
      const { layer, sent } = yield* withEmulator()
      const provider = ConfigProvider.fromMap(
        new Map([
          ["CENTRAPAY_API_KEY", Redacted.value(CentrapayApiKey.testMerchantApiKey)],
          ["CENTRAPAY_BASE_URL", "https://centrapay.sandbox.local/"]
        ])
      )
      const status = yield* Effect.flatMap(CentrapayApiKey.CentrapayApiKey, ({ client }) =>
        Effect.map(client.get("/api/account-memberships"), (r) => r.status)).pipe(
          Effect.provide(CentrapayApiKey.layerConfig().pipe(Layer.provide(layer))),
          Effect.withConfigProvider(provider)
        )
      expect(status).toBe(200)
      expect((yield* sent)[0]!.url).toBe("https://centrapay.sandbox.local/api/account-memberships")
    }))

  it.effect("layerConfig without CENTRAPAY_API_KEY is a ConfigError naming it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Layer.build(CentrapayApiKey.layerConfig().pipe(Layer.provide(InMemory.layer()))).pipe(
          Effect.scoped,
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
        )
      )
      expect(String(error)).toContain("CENTRAPAY_API_KEY")
    }))

  it("the test merchant key is redacted in logs and JSON", () => {
    expect(String(CentrapayApiKey.testMerchantApiKey)).not.toContain("f32c")
    expect(JSON.stringify({ key: CentrapayApiKey.testMerchantApiKey })).not.toContain("f32c")
  })
})
