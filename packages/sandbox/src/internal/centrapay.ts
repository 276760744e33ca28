/**
 * Centrapay: API keys in the `X-Api-Key` header. (User access tokens via OIDC are not emulated
 * yet.)
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { Options } from "../Centrapay.js"
import { type Emulator, sandboxHost } from "../Emulator.js"
import * as Bearer from "./bearer.js"
import { reveal } from "./clientAuth.js"
import * as Emulators from "./emulator.js"
import { json } from "./responses.js"

export const name = "centrapay"
export const resourcePath = "/api/account-memberships"
export const productionHost = "service.centrapay.com"
export const hosts: ReadonlyArray<string> = [productionHost, sandboxHost(name)]
export const testMerchantApiKey = "f32c5497297084e5354b47c40d5ccacb109ce483"
export const testMerchantKeyName = "test-merchant"
export const apiKeyHeader = "x-api-key"

export const make = (options: Options = {}): Effect.Effect<Emulator> =>
  Emulators.make({
    name,
    hosts: options.hosts ?? hosts,
    expiresIn: 0,
    newTokenValue: () => "",
    apiKeys: (options.apiKeys ?? [{ key: testMerchantApiKey, name: testMerchantKeyName }])
      .map((key, i) => ({ value: reveal(key.key), name: key.name ?? `api-key-${i + 1}` })),
    resource: {
      path: resourcePath,
      handle: (request, ctx) => {
        const key = request.headers[apiKeyHeader]
        if (key === undefined || key === "") return Effect.succeed(json({ message: "Unauthorized" }, 401))
        return Effect.map(ctx.lookup(key), (found) =>
          found._tag === "Valid" && found.credential.kind === "api_key"
            ? json(Bearer.resourceBody(name, request, found.credential))
            : json({ message: "Unauthorized" }, 401))
      }
    }
  })
