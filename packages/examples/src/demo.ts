/**
 * The main job: `npm run demo`. Starts the provider emulators on 127.0.0.1 and runs each
 * provider's pipeline over real HTTP, printing a short account of what happened. Needs no
 * credentials and no network beyond loopback; finishes in a few seconds.
 */
import { AutopayAuth } from "@auth-pipeline/autopay"
import { CentrapayApiKey, CentrapayUser } from "@auth-pipeline/centrapay"
import type { ProviderAuth } from "@auth-pipeline/core"
import { CryptofuseAuth } from "@auth-pipeline/cryptofuse"
import { PayseraAuth } from "@auth-pipeline/paysera"
import { NodeLoopbackRedirect } from "@auth-pipeline/platform-node"
import { RedisTokenStore } from "@auth-pipeline/redis"
import { Autopay, Centrapay, CentrapayOidc, Cryptofuse, Paysera, Server } from "@auth-pipeline/sandbox"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Clock, Console, Context, Duration, Effect, Layer, Option, Redacted } from "effect"
import { pathToFileURL } from "node:url"
import { howToEnable, redisAvailable, redisServer } from "./autopay-fleet.js"
import { summary } from "./summary.js"

const clientId = "sandbox-client"
const clientSecret = Redacted.make("sandbox-secret")

const expiry = (auth: ProviderAuth.ProviderAuth) =>
  Effect.gen(function*() {
    const token = yield* auth.token
    const now = yield* Clock.currentTimeMillis
    const left = Option.match(token.expiresAt, {
      onNone: () => "no expires_in",
      onSome: (t) => `expires in ${Duration.format(Duration.seconds(Math.round((t - now) / 1000)))}`
    })
    return `${token.tokenType} <redacted>, scope "${token.scopes.join(" ")}", ${left}`
  })

const paysera = Effect.gen(function*() {
  yield* Console.log("\n== Paysera (client credentials, form post, 300 s buffer) ==")
  // A short rate-limit window so the demo meets the limit and waits for it in seconds.
  const emulator = yield* Paysera.make({ rateLimit: { limit: 8, window: "2 seconds" } })
  const url = yield* Server.serve(emulator)
  yield* Effect.gen(function*() {
    const auth = yield* PayseraAuth.PayseraAuth
    yield* Console.log(`token obtained: ${yield* expiry(auth)}`)
    for (let i = 0; i < 5; i++) yield* auth.client.get(Paysera.resourcePath)
    let c = yield* emulator.counters
    yield* Console.log(
      `${c.resourceRequests} API calls made with ${c.tokensIssued} token request: ${
        c.resourceRequests - 1
      } served from the cache`
    )
    const token = yield* auth.token
    yield* emulator.revoke(Redacted.value(token.value))
    const afterRevoke = yield* auth.client.get(Paysera.resourcePath)
    c = yield* emulator.counters
    yield* Console.log(
      `token revoked at the provider: the API answered 401 (${c.unauthorized} in all), one new token was fetched ` +
        `and the request re-sent once → HTTP ${afterRevoke.status} (tokens issued: ${c.tokensIssued})`
    )
    const start = yield* Clock.currentTimeMillis
    let last = afterRevoke
    for (let i = 0; i < 4; i++) last = yield* auth.client.get(Paysera.resourcePath)
    c = yield* emulator.counters
    const waited = ((yield* Clock.currentTimeMillis) - start) / 1000
    yield* Console.log(
      `rate limit met (emulator set to ${last.headers["x-ratelimit-limit"]} per 2 s for the demo; Paysera's is 50 a ` +
        `minute): HTTP 429 ${c.rateLimited}×, the client waited for the window to reset (${waited.toFixed(1)} s) and ` +
        `re-sent once → HTTP ${last.status}`
    )
  }).pipe(
    Effect.provide(
      PayseraAuth.layer({
        clientId,
        clientSecret,
        tokenUrl: `${url}${Paysera.tokenPath}`,
        baseUrl: url,
        rateLimit: { retryOnce: true, maxWait: "5 seconds" }
      })
    )
  )
})

const cryptofuse = Effect.gen(function*() {
  yield* Console.log("\n== Cryptofuse (client credentials, HTTP Basic, scopes read write admin) ==")
  const emulator = yield* Cryptofuse.make()
  const url = yield* Server.serve(emulator)
  // 3 s tokens and a 1 s buffer, so a background refresh happens during the demo.
  yield* emulator.setExpiresIn(3)
  yield* Effect.gen(function*() {
    const auth = yield* CryptofuseAuth.CryptofuseAuth
    yield* Console.log(`token obtained: ${yield* expiry(auth)}`)
    const first = yield* auth.token
    yield* Effect.sleep("2500 millis")
    const second = yield* auth.token
    const c = yield* emulator.counters
    const refreshed = Redacted.value(first.value) !== Redacted.value(second.value)
    yield* Console.log(
      `${refreshed ? "refreshed" : "NOT refreshed"} in the background before expiry (2.5 s into a 3 s token, ` +
        `1 s buffer): ${c.tokensIssued} tokens issued, no caller waited on the token endpoint`
    )
    const response = yield* auth.client.get("/payments/")
    yield* Console.log(`GET /payments/ → HTTP ${response.status}`)
  }).pipe(
    Effect.provide(
      CryptofuseAuth.layer({
        clientId,
        clientSecret,
        baseUrl: url,
        admin: true,
        cache: { policy: { buffer: "1 second", maxJitter: 0 } }
      })
    )
  )
})

const autopay = Effect.gen(function*() {
  yield* Console.log("\n== Autopay (client credentials as JSON with audience, token budget) ==")
  const emulator = yield* Autopay.make()
  const url = yield* Server.serve(emulator)
  const options = { clientId, tokenUrl: `${url}${Autopay.tokenPath}`, baseUrl: url }
  const wrong = yield* Effect.flatMap(AutopayAuth.AutopayAuth, (auth) => auth.token).pipe(
    Effect.provide(AutopayAuth.layer({ ...options, clientSecret: Redacted.make("not-the-secret") })),
    Effect.flip
  )
  yield* Console.log(`wrong secret → ${wrong._tag}: ${wrong.message}`)
  yield* Effect.gen(function*() {
    const auth = yield* AutopayAuth.AutopayAuth
    yield* Console.log(`token obtained: ${yield* expiry(auth)}`)
    const response = yield* auth.client.get(Autopay.resourcePath)
    const c = yield* emulator.counters
    yield* Console.log(
      `GET ${Autopay.resourcePath} → HTTP ${response.status}; token requests so far: ${c.tokenRequests}`
    )
  }).pipe(Effect.provide(AutopayAuth.layer({ ...options, clientSecret })))
})

const centrapay = Effect.gen(function*() {
  yield* Console.log("\n== Centrapay (API key in X-Api-Key: nothing to refresh) ==")
  const emulator = yield* Centrapay.make()
  const baseUrl = yield* Server.serve(emulator)
  yield* Effect.gen(function*() {
    const { client } = yield* CentrapayApiKey.CentrapayApiKey
    const ok = yield* client.get(Centrapay.resourcePath)
    yield* Console.log(`GET ${Centrapay.resourcePath} with the documented test merchant key → HTTP ${ok.status}`)
    yield* emulator.revoke(Centrapay.testMerchantApiKey)
    const error = yield* Effect.flip(client.get(Centrapay.resourcePath))
    const c = yield* emulator.counters
    yield* Console.log(`key revoked → ${error._tag}: ${error.message} (${c.resourceRequests} requests: no retry)`)
  }).pipe(Effect.provide(CentrapayApiKey.layer({ apiKey: CentrapayApiKey.testMerchantApiKey, baseUrl })))
})

const centrapayUser = Effect.gen(function*() {
  yield* Console.log("\n== Centrapay user (OIDC code + PKCE, loopback login, raw Authorization, refresh token) ==")
  const emulator = yield* CentrapayOidc.start()
  const user = yield* CentrapayUser.make({
    clientId: emulator.clientId,
    issuer: emulator.issuer,
    baseUrl: emulator.apiBaseUrl
  })
  const session = yield* user.loginLoopback({
    // The sandbox plays the user: it fills in the login and consent forms and follows the redirect.
    open: (url) => Effect.orDie(emulator.signIn(url.href))
  })
  yield* Console.log(
    `signed in through a loopback redirect as ${session.claims.sub} (${session.claims.email}); ID token verified`
  )
  const ok = yield* user.client.get("/api/account-memberships")
  yield* Console.log(`GET /api/account-memberships with the user's access token (no "Bearer") → HTTP ${ok.status}`)
  yield* emulator.revokeAccessTokens
  const recovered = yield* user.client.get("/api/account-memberships")
  const c = yield* emulator.counters
  yield* Console.log(
    `access token rejected → refreshed with the refresh token, re-sent once → HTTP ${recovered.status} ` +
      `(token requests: ${JSON.stringify(c.tokenRequestsByGrantType)})`
  )
  const logout = yield* user.logout()
  yield* Console.log(
    `logged out: token set forgotten${logout.revoked ? ", refresh token revoked" : ""}` +
      `${Option.isSome(logout.endSession) ? ", provider logout URL built" : ""}`
  )
})

const fleet = Effect.gen(function*() {
  yield* Console.log("\n== A fleet: 4 replicas of one service, one Redis, one token (@auth-pipeline/redis) ==")
  if (!redisAvailable()) {
    yield* Console.log(`skipped: ${howToEnable}; then npm run demo shows it here`)
    return
  }
  const redisUrl = yield* redisServer
  const emulator = yield* Autopay.make()
  const url = yield* Server.serve(emulator)
  // Four replicas, each its own token cache and Redis connections (in this process, for a quick
  // demo; packages/examples/src/autopay-fleet.ts runs them as separate processes).
  const replica = Layer.build(
    AutopayAuth.layer({ clientId, clientSecret, tokenUrl: `${url}${Autopay.tokenPath}`, baseUrl: url }).pipe(
      Layer.provide(RedisTokenStore.layer({
        url: redisUrl,
        encryptionKey: Redacted.make("demo-only-key-6f1e2d3c4b5a69788796a5b4c3d2e1f0")
      }))
    )
  ).pipe(Effect.map((context) => Context.get(context, AutopayAuth.AutopayAuth)))
  const replicas = yield* Effect.all([replica, replica, replica, replica])
  const callAll = Effect.forEach(replicas, (auth) => auth.client.get(Autopay.resourcePath), {
    concurrency: "unbounded"
  })
  for (let i = 0; i < 3; i++) yield* callAll
  let c = yield* emulator.counters
  yield* Console.log(
    `${c.resourceRequests} API calls from 4 replicas starting cold at once → ${c.tokenRequests} token request ` +
      `(without a shared store: 4); the others waited for the leader's token in Redis`
  )
  yield* emulator.revokeAll
  const after = yield* callAll
  c = yield* emulator.counters
  yield* Console.log(
    `token revoked at the provider: ${c.unauthorized} replicas met a 401 → ${c.tokenRequests - 1} new token request ` +
      `for the fleet (compare-and-invalidate by version), then ${
        after.filter((r) => r.status === 200).length
      }/4 → HTTP 200`
  )
})

/** The whole demo; every section runs against its own emulator on 127.0.0.1. */
export const demo = Effect.gen(function*() {
  yield* Console.log("auth-pipeline demo: provider emulators on 127.0.0.1, real HTTP, no credentials")
  yield* paysera
  yield* cryptofuse
  yield* autopay
  yield* centrapay
  yield* centrapayUser
  yield* fleet
  yield* Console.log("\n== What the token machinery did (from the library's metrics) ==")
  yield* Console.log(yield* summary)
  yield* Console.log("\nNo token or secret was printed: they are Redacted end to end.")
}).pipe(Effect.scoped, Effect.provide([NodeHttpClient.layerUndici, NodeLoopbackRedirect.layer]))

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  Effect.runPromise(demo).catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
}
