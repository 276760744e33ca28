import * as Redis from "@auth-pipeline/testing/Redis"
import { runTsx } from "@auth-pipeline/testing/Tsx"
import { describe, expect, it } from "@effect/vitest"
import { fileURLToPath } from "node:url"

const dir = fileURLToPath(new URL("..", import.meta.url))
const example = (name: string) => runTsx(dir, `src/${name}.ts`, { file: true })

describe("provider examples run against the sandbox over loopback HTTP, exit 0 and print no secret", () => {
  it("paysera.ts", async () => {
    const run = await example("paysera")
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`token obtained: Bearer token, scope "profile email", expires in 3600 s`)
    expect(run.stdout).toContain("GET /checkout-project/integration/v1/methods → HTTP 200")
    expect(run.stdout).toContain("via one retry with a new token (token requests: 2, 401s: 1)")
    expect(run.stdout).not.toContain("sandbox-secret")
  })

  it("cryptofuse.ts", async () => {
    const run = await example("cryptofuse")
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`token obtained: Bearer token, scope "read write", expires in 36000 s`)
    expect(run.stdout).toContain(`token obtained: Bearer token, scope "read write admin", expires in 36000 s`)
    expect(run.stdout).toContain("GET /payments/ → HTTP 200")
    expect(run.stdout).toContain("token requests: 2 (Basic 1, body 1)")
    expect(run.stdout).not.toContain("sandbox-secret")
  })

  it("autopay.ts", async () => {
    const run = await example("autopay")
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("wrong secret → OAuthError")
    expect(run.stdout).toContain("answered access_denied (HTTP 401): Unauthorized")
    expect(run.stdout).toContain(`token obtained: Bearer token, scope "customer_club", expires in 86400 s`)
    expect(run.stdout).toContain("GET /sandbox/protected → HTTP 200")
    expect(run.stdout).not.toContain("sandbox-secret")
    expect(run.stdout).not.toContain("not-the-secret")
  })
})

describe("Centrapay examples run against the sandbox over loopback HTTP, exit 0 and print no secret", () => {
  it("centrapay-api-key.ts", async () => {
    const run = await example("centrapay-api-key")
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("GET /api/account-memberships with X-Api-Key → HTTP 200")
    expect(run.stdout).toContain(`"client_id":"test-merchant"`)
    expect(run.stdout).toContain("after the key was revoked: Unauthorized")
    expect(run.stdout + run.stderr).not.toContain("f32c5497297084e5354b47c40d5ccacb109ce483")
  })

  it("centrapay-login.ts", async () => {
    const run = await example("centrapay-login")
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      "signed in as user-1 (jane.doe@example.com, +6421234567890): expires in 3600 s, with a refresh token"
    )
    expect(run.stdout).toContain("GET /api/account-memberships with the user's access token → HTTP 200")
    expect(run.stdout).toContain("already signed in as user-1 (token set read from the file)")
    expect(run.stdout).toContain("signed out: token file cleared, refresh token revoked at the provider")
    expect(run.stdout).toContain("/session/end?post_logout_redirect_uri=")
    expect(run.stdout).toContain(`token requests at the provider: {"authorization_code":1,"refresh_token":2}`)
    expect(run.stdout).not.toMatch(/eyJ[\w-]+\.[\w-]+\./) // no JWT
  })
})

describe.skipIf(Redis.skip())("the fleet example runs against one redis-server and the sandbox", () => {
  it("autopay-fleet.ts: 4 processes, 1 token request; 401 everywhere, 1 new token request", async () => {
    const run = await runTsx(dir, "src/autopay-fleet.ts", { file: true, timeout: 90_000 })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("1 token request (without a shared store: 4); every replica holds the same token")
    expect(run.stdout).toContain("1 new token request for the fleet, then 4/4 calls → HTTP 200")
    expect(run.stdout).not.toContain("sandbox-secret")
  }, 120_000)
})
