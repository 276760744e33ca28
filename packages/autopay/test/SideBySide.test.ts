import { PayseraAuth } from "@auth-pipeline/paysera"
import { Autopay, InMemory, Paysera } from "@auth-pipeline/sandbox"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { AutopayAuth } from "../src/index.js"

describe("Paysera and Autopay in one application", () => {
  it.effect("each provider gets its own token from its own endpoint, one token request each", () =>
    Effect.gen(function*() {
      const paysera = yield* Paysera.make()
      const autopay = yield* Autopay.make({ clients: [{ clientId: "autopay-client", clientSecret: "autopay-secret" }] })
      const ProvidersLive = Layer.mergeAll(
        PayseraAuth.layer({ clientId: "sandbox-client", clientSecret: Redacted.make("sandbox-secret") }),
        AutopayAuth.layer({ clientId: "autopay-client", clientSecret: Redacted.make("autopay-secret") })
      ).pipe(Layer.provide(InMemory.layer(paysera, autopay)))

      const [payseraCall, autopayCall, payseraToken, autopayToken] = yield* Effect.gen(function*() {
        const payseraAuth = yield* PayseraAuth.PayseraAuth
        const autopayAuth = yield* AutopayAuth.AutopayAuth
        // Several calls each, concurrently: still one token request per provider.
        const [payseraResponses, autopayResponses] = yield* Effect.all([
          Effect.all(Array.from({ length: 5 }, () => payseraAuth.client.get(Paysera.resourcePath)), {
            concurrency: "unbounded"
          }),
          Effect.all(Array.from({ length: 5 }, () => autopayAuth.client.get(Autopay.resourcePath)), {
            concurrency: "unbounded"
          })
        ], { concurrency: "unbounded" })
        return [
          yield* payseraResponses[0]!.json,
          yield* autopayResponses[0]!.json,
          yield* payseraAuth.token,
          yield* autopayAuth.token
        ] as const
      }).pipe(Effect.provide(ProvidersLive))

      expect(payseraCall).toMatchObject({ provider: "paysera", client_id: "sandbox-client", scope: "profile email" })
      expect(autopayCall).toMatchObject({ provider: "autopay", client_id: "autopay-client", scope: "customer_club" })
      expect(Redacted.value(payseraToken.value)).not.toBe(Redacted.value(autopayToken.value))
      expect(payseraToken.scopes).toEqual(["profile", "email"])
      expect(autopayToken.scopes).toEqual(["customer_club"])
      expect(yield* paysera.counters).toMatchObject({
        tokenRequests: 1,
        tokensIssued: 1,
        tokenRequestsByClientId: { "sandbox-client": 1 },
        resourceRequests: 5,
        unauthorized: 0
      })
      expect(yield* autopay.counters).toMatchObject({
        tokenRequests: 1,
        tokensIssued: 1,
        tokenRequestsByClientId: { "autopay-client": 1 },
        resourceRequests: 5,
        unauthorized: 0
      })
    }))
})
