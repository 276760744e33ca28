import * as AccessToken from "@auth-pipeline/core/AccessToken"
import * as TokenCache from "@auth-pipeline/core/TokenCache"
import * as TokenStore from "@auth-pipeline/core/TokenStore"
import * as RedisTokenStore from "@auth-pipeline/redis/RedisTokenStore"
import * as Redis from "@auth-pipeline/testing/Redis"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Option, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { cleanEnv, killAll, run } from "./_cli.js"

const home = fs.mkdtempSync(path.join(os.tmpdir(), "auth-pipeline-cli-redis-"))
const key = "cli-test-key-0123456789abcdef0123456789abcdef"
const env = cleanEnv(home, { AUTH_PIPELINE_REDIS_KEY_PREFIX: "cli:" })
const keyed = cleanEnv(home, { AUTH_PIPELINE_REDIS_KEY_PREFIX: "cli:", AUTH_PIPELINE_REDIS_ENCRYPTION_KEY: key })

afterAll(killAll)

/** Tokens written through the Redis store, as a fleet's replica writes them. */
const populate = (url: string) =>
  Effect.gen(function*() {
    const factory = yield* RedisTokenStore.make({ url, keyPrefix: "cli:", encryptionKey: Redacted.make(key) })
    const secrets: Array<string> = []
    for (const clientId of ["alpha", "beta"]) {
      const acquire = Effect.map(Clock.currentTimeMillis, (now) => {
        const value = `access-${clientId}-${crypto.randomUUID()}`
        const refresh = `refresh-${clientId}-${crypto.randomUUID()}`
        secrets.push(value, refresh)
        return AccessToken.make({
          value: Redacted.make(value),
          scopes: ["payments"],
          issuedAt: now,
          expiresAt: Option.some(now + 3_600_000),
          refreshToken: Option.some(Redacted.make(refresh))
        })
      })
      const cache = yield* TokenCache.make({
        name: `cli-${clientId}`,
        acquire,
        credential: {
          tokenUrl: "http://127.0.0.1/token",
          clientId,
          grant: "client_credentials",
          scopes: [],
          params: []
        }
      }).pipe(Effect.provideService(TokenStore.Factory, factory))
      yield* cache.get
    }
    return secrets
  })

describe.skipIf(Redis.skip())("auth-pipeline store inspect|clear --store redis://", () => {
  it.scopedLive("inspect shows each credential's version and expiry, never a value; clear empties the prefix", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.server
      const secrets = yield* Effect.scoped(populate(redis.url))
      expect(secrets).toHaveLength(4)
      const cli = (args: ReadonlyArray<string>, e = env) => Effect.promise(() => run(args, e))

      // Without the encryption key: the records' versions and freshness, the data sealed.
      const sealed = yield* cli(["store", "inspect", "--store", redis.url])
      expect(sealed.code, sealed.stderr).toBe(0)
      expect(sealed.stdout).toMatch(/^key prefix +cli:$/m)
      expect(sealed.stdout).toMatch(/^credentials +2$/m)
      expect(sealed.stdout).toMatch(/^credential +version +fresh until +lease +backoff +budget +token +expires$/m)
      expect(
        sealed.stdout.match(/^[0-9a-f]{32} +\d{13,} +\d{4}-\d\d-\d\dT[\d:.]+Z \(in \d+ min\) +none +none +0 +sealed /gm)
      )
        .toHaveLength(2)

      // With it (from the environment): type, scopes, expiry.
      const opened = yield* cli(["store", "inspect", "--store", redis.url, "--format", "json"], keyed)
      expect(opened.code, opened.stderr).toBe(0)
      const json = JSON.parse(opened.stdout)
      expect(json.store).toEqual({ kind: "redis", url: redis.url, keyPrefix: "cli:" })
      expect(json.records).toHaveLength(2)
      for (const record of json.records) {
        expect(record.version).toBeGreaterThan(0)
        expect(record.fresh).toBe(true)
        expect(record.lease).toEqual({ held: false, remainingMillis: null })
        expect(record.data).toBe("opened")
        expect(record.token).toMatchObject({ tokenType: "Bearer", scopes: ["payments"], refreshToken: true })
        expect(Date.parse(record.token.expiresAt) - Date.parse(record.token.issuedAt)).toBe(3_600_000)
      }
      const table = yield* cli(["store", "inspect", "--store", redis.url], keyed)
      expect(table.stdout).toMatch(
        /present Bearer \[payments\], refresh token +\d{4}-\d\d-\d\dT[\d:.]+Z \(in 60 min\)$/m
      )

      // No token value anywhere, in any output.
      for (const result of [sealed, opened, table]) {
        for (const secret of secrets) expect(result.stdout + result.stderr).not.toContain(secret)
      }

      // Another prefix (the flag wins over the variable) holds nothing.
      const other = yield* cli(["store", "inspect", "--store", redis.url, "--key-prefix", "other:"])
      expect(other.stdout).toMatch(/^credentials +none$/m)

      // Clear one credential, then all.
      const hash = json.records[0].hash as string
      const one = yield* cli(["store", "clear", "--store", redis.url, "--credential", hash])
      expect(one.code, one.stderr).toBe(0)
      expect(one.stdout).toMatch(/^cleared 1 credential\(s\)/)
      const cleared = yield* cli(["store", "clear", "--store", redis.url])
      expect(cleared.code, cleared.stderr).toBe(0)
      expect(cleared.stdout).toMatch(/^cleared 1 credential\(s\)/)
      const empty = yield* cli(["store", "inspect", "--store", redis.url, "--format", "json"])
      expect(JSON.parse(empty.stdout).records).toEqual([])
    }))

  it.live("an unreachable Redis exits 4 with one line, without the URL's password", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(() => Redis.freePort())
      for (const command of ["inspect", "clear"]) {
        const result = yield* Effect.promise(() =>
          run(["store", command, "--store", `redis://:hunter2@127.0.0.1:${port}`], env)
        )
        expect(result.code).toBe(4)
        expect(result.stdout).toBe("")
        expect(result.stderr).toMatch(
          new RegExp(`^error: Redis unavailable at redis://127\\.0\\.0\\.1:${port}: [^\\n]+\\n$`)
        )
        expect(result.stderr).not.toContain("hunter2")
      }
    }))
})
