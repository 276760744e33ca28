/**
 * The provider pipelines the simulator drives: each provider's own Layer over the in-memory
 * emulator of its sandbox, with the provider's real token lifetime and refresh buffer.
 */
import { AutopayAuth } from "@auth-pipeline/autopay"
import { type ProviderAuth, TokenStore } from "@auth-pipeline/core"
import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
import { PayseraAuth } from "@auth-pipeline/paysera"
import { Autopay, Cryptofuse, type Emulator, Paysera } from "@auth-pipeline/sandbox"
import { HttpClient } from "@effect/platform"
import type { Scope } from "effect"
import { Context, Effect, Layer, Redacted } from "effect"
import type { ProviderName } from "./Scenario.js"

export interface SimulatedProvider {
  /** A fresh emulator (rate limits off: the simulator measures tokens, not API quotas). */
  readonly emulator: Effect.Effect<Emulator.Emulator>
  /** The provider's pipeline, built from its own package with its defaults. */
  readonly build: (
    http: HttpClient.HttpClient,
    store?: TokenStore.Factory["Type"]
  ) => Effect.Effect<ProviderAuth.ProviderAuth, unknown, Scope.Scope>
  /** The protected API path, relative to the provider's API base URL. */
  readonly resourcePath: string
  readonly tokenPath: string
  /** The token lifetime the emulator grants, in seconds. */
  readonly lifetime: number
}

const clientId = "sandbox-client"
const clientSecret = Redacted.make("sandbox-secret")

const build =
  <I, E>(tag: Context.Tag<I, ProviderAuth.ProviderAuth>, layer: Layer.Layer<I, E, HttpClient.HttpClient>) =>
  (http: HttpClient.HttpClient, store?: TokenStore.Factory["Type"]) =>
    Layer.build(layer.pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, http)),
      // A replica of a fleet sharing its token (see SharedStore.ts); without it each has its own cache.
      Layer.provide(store === undefined ? Layer.empty : Layer.succeed(TokenStore.Factory, store))
    )).pipe(
      Effect.map((context) => Context.get(context, tag))
    )

export const providers: Record<ProviderName, SimulatedProvider> = {
  paysera: {
    emulator: Paysera.make({ rateLimit: false }),
    build: build(PayseraAuth.PayseraAuth, PayseraAuth.layer({ clientId, clientSecret, rateLimit: false })),
    resourcePath: Paysera.resourcePath,
    tokenPath: Paysera.tokenPath,
    lifetime: Paysera.expiresIn
  },
  cryptofuse: {
    emulator: Cryptofuse.make(),
    build: build(
      CryptofuseAuth.CryptofuseAuth,
      CryptofuseAuth.layer({ clientId, clientSecret, baseUrl: "https://cryptofuse.sandbox.local" })
    ),
    resourcePath: Cryptofuse.resourcePath,
    tokenPath: Cryptofuse.tokenPath,
    lifetime: Cryptofuse.expiresIn
  },
  autopay: {
    emulator: Autopay.make(),
    build: build(AutopayAuth.AutopayAuth, AutopayAuth.layer({ clientId, clientSecret })),
    resourcePath: Autopay.resourcePath,
    tokenPath: Autopay.tokenPath,
    lifetime: Autopay.expiresIn
  }
}
