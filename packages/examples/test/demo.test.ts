import * as Redis from "@auth-pipeline/testing/Redis"
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"

const demo = fileURLToPath(new URL("../src/demo.ts", import.meta.url))

const run = () =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ["--import", "tsx", demo], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : (error as { code?: number }).code ?? 1, stdout, stderr }))
  })

describe("npm run demo", () => {
  it("runs every provider against the sandbox on loopback and tells what happened", async () => {
    const { code, stdout, stderr } = await run()
    expect(stderr).toBe("")
    expect(code).toBe(0)
    const lines = stdout.split("\n")
    const has = (pattern: RegExp) => expect(lines.some((l) => pattern.test(l)), `${pattern}\n${stdout}`).toBe(true)
    // Paysera: cache, 401 recovery, rate limit
    has(/^token obtained: Bearer <redacted>, scope "profile email", expires in 1h$/)
    has(/^5 API calls made with 1 token request: 4 served from the cache$/)
    has(
      /^token revoked at the provider: the API answered 401 \(1 in all\), one new token was fetched .* → HTTP 200 \(tokens issued: 2\)$/
    )
    has(/^rate limit met .*HTTP 429 1×, the client waited .* re-sent once → HTTP 200$/)
    // Cryptofuse: background refresh
    has(/^refreshed in the background before expiry .*: 2 tokens issued, no caller waited/)
    // Autopay: typed error for a wrong secret
    has(/^wrong secret → OAuthError: .* answered access_denied \(HTTP 401\): Unauthorized$/)
    has(/^GET \/sandbox\/protected → HTTP 200; token requests so far: 2$/)
    // Centrapay: API key, 401 at once
    has(/^key revoked → Unauthorized: .*\(2 requests: no retry\)$/)
    // Centrapay user: OIDC login, raw access token, refresh on 401, logout
    has(/^signed in through a loopback redirect as user-1 \(jane\.doe@example\.com\); ID token verified$/)
    has(/^GET \/api\/account-memberships with the user's access token \(no "Bearer"\) → HTTP 200$/)
    has(
      /^access token rejected → refreshed with the refresh token, re-sent once → HTTP 200 \(token requests: \{"authorization_code":1,"refresh_token":1\}\)$/
    )
    has(/^logged out: token set forgotten, refresh token revoked, provider logout URL built$/)
    // The fleet (with redis-server; otherwise the demo says how to enable it)
    if (Redis.redisInstalled()) {
      has(/^12 API calls from 4 replicas starting cold at once → 1 token request \(without a shared store: 4\)/)
      has(
        /^token revoked at the provider: \d replicas met a 401 → 1 new token request for the fleet .*4\/4 → HTTP 200$/
      )
    } else {
      has(/^skipped: no redis-server found: apt-get install redis-server/)
    }
    // the closing table, from the library's metrics
    has(/^provider +token requests +cache hits +waits +401 retries +rate-limit waits$/)
    has(/^paysera +2 +\d+ +2 +1 +1$/)
    has(/^centrapay-user +2 +\d+ +1 +1 +0$/)
    expect(stdout).not.toMatch(/eyJ[\w-]+\.[\w-]+\./) // no JWT
    // nothing secret
    expect(stdout).not.toMatch(/sandbox-secret|not-the-secret|f32c5497297084e5354b47c40d5ccacb109ce483/)
  })
})
