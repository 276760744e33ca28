/**
 * Reading and deleting the records under a key prefix, for operators (`store inspect|clear`):
 * plain commands (SCAN, HGETALL, PTTL, ZCARD, DEL), never a token value in what is returned.
 */
import * as FileTokenStore from "@auth-pipeline/core/FileTokenStore"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { RedisConnection } from "../RedisConnection.js"
import * as RedisConnectionModule from "../RedisConnection.js"
import type {
  ClearOptions,
  ClearResult,
  CredentialRecord,
  Inspection,
  InspectOptions,
  TokenSummary
} from "../RedisTokenStore.js"
import { RedisUnavailable } from "../RedisTokenStore.js"
import * as Seal from "./seal.js"
import { defaults } from "./store.js"

const decodeToken = Schema.decodeUnknownEither(FileTokenStore.StoredToken)

const parts = ["record", "lease", "backoff", "budget"] as const

export const displayUrl = RedisConnectionModule.displayUrl

const globEscape = (s: string) => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`)

const withConnection = <A>(
  options: InspectOptions,
  use: (send: (args: ReadonlyArray<string>) => Effect.Effect<unknown, RedisUnavailable>) => Effect.Effect<
    A,
    RedisUnavailable
  >
): Effect.Effect<A, RedisUnavailable> =>
  Effect.scoped(Effect.gen(function*() {
    const where = options.connection !== undefined
      ? "the given connection"
      : displayUrl(options.url ?? "redis://127.0.0.1:6379")
    const connection: RedisConnection = options.connection ?? (yield* RedisConnectionModule.nodeRedis({
      url: options.url ?? "redis://127.0.0.1:6379",
      commandTimeoutMillis: Duration.toMillis(options.commandTimeout ?? defaults.commandTimeout)
    }))
    const send = (args: ReadonlyArray<string>) =>
      Effect.tryPromise({
        try: () => connection.command(args),
        catch: (cause) =>
          new RedisUnavailable({
            url: where,
            detail: cause instanceof Error ? cause.message : String(cause)
          })
      })
    return yield* use(send)
  }))

/** Every credential hash with at least one key under the prefix. */
const scanHashes = (
  send: (args: ReadonlyArray<string>) => Effect.Effect<unknown, RedisUnavailable>,
  prefix: string
) =>
  Effect.gen(function*() {
    const pattern = `${globEscape(prefix)}{*}:*`
    const shape = new RegExp(`^${regexEscape(prefix)}\\{([^{}]+)\\}:(${parts.join("|")})$`)
    const hashes = new Set<string>()
    let cursor = "0"
    do {
      const reply = (yield* send(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"])) as [string, Array<string>]
      cursor = String(reply[0])
      for (const key of reply[1]) {
        const match = shape.exec(String(key))
        if (match !== null) hashes.add(match[1]!)
      }
    } while (cursor !== "0")
    return [...hashes].sort()
  })

const fieldsOf = (reply: unknown): Record<string, string> => {
  if (Array.isArray(reply)) {
    const out: Record<string, string> = {}
    for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1])
    return out
  }
  if (reply instanceof Map) return Object.fromEntries([...reply].map(([k, v]) => [String(k), String(v)]))
  if (typeof reply === "object" && reply !== null) {
    return Object.fromEntries(Object.entries(reply).map(([k, v]) => [k, String(v)]))
  }
  return {}
}

const remaining = (pttl: unknown): number | null => {
  const n = Number(pttl)
  return n > 0 ? n : null
}

const summarize = async (
  key: CryptoKey | undefined,
  data: string | undefined,
  recordKey: string
): Promise<{ readonly data: CredentialRecord["data"]; readonly token: TokenSummary | null }> => {
  if (data === undefined || data === "") return { data: "none", token: null }
  if (key === undefined) return { data: "sealed", token: null }
  try {
    const text = await Seal.open(key, data, recordKey)
    const decoded = decodeToken(JSON.parse(text))
    if (Either.isLeft(decoded)) return { data: "unopenable", token: null }
    const t = decoded.right
    return {
      data: "opened",
      token: {
        tokenType: t.tokenType,
        scopes: [...t.scopes],
        issuedAt: t.issuedAt,
        expiresAt: Option.getOrNull(t.expiresAt),
        refreshToken: Option.isSome(t.refreshToken),
        idToken: Option.isSome(t.idToken)
      }
    }
  } catch {
    return { data: "unopenable", token: null }
  }
}

export const inspect = (options: InspectOptions): Effect.Effect<Inspection, RedisUnavailable> =>
  withConnection(options, (send) =>
    Effect.gen(function*() {
      const prefix = options.keyPrefix ?? defaults.keyPrefix
      const key = options.encryptionKey === undefined
        ? undefined
        : yield* Effect.promise(() => Seal.deriveKey(Redacted.value(options.encryptionKey!)))
      const time = (yield* send(["TIME"])) as [string, string]
      const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000)
      const hashes = yield* scanHashes(send, prefix)
      const records = yield* Effect.forEach(hashes, (hash) =>
        Effect.gen(function*() {
          const base = `${prefix}{${hash}}`
          const fields = fieldsOf(yield* send(["HGETALL", `${base}:record`]))
          const lease = remaining(yield* send(["PTTL", `${base}:lease`]))
          const backoff = remaining(yield* send(["PTTL", `${base}:backoff`]))
          const budget = Number(yield* send(["ZCARD", `${base}:budget`]))
          const opened = yield* Effect.promise(() => summarize(key, fields["data"], `${base}:record`))
          const record: CredentialRecord = {
            hash,
            version: fields["v"] === undefined ? null : Number(fields["v"]),
            freshUntil: fields["fresh"] === undefined ? null : Number(fields["fresh"]),
            failures: Number(fields["fails"] ?? "0"),
            lease: { held: lease !== null, remainingMillis: lease },
            backoffMillis: backoff,
            budgetCount: Number.isFinite(budget) ? budget : 0,
            data: opened.data,
            token: opened.token
          }
          return record
        }))
      return { keyPrefix: prefix, now, records }
    }))

export const clear = (options: ClearOptions): Effect.Effect<ClearResult, RedisUnavailable> =>
  withConnection(options, (send) =>
    Effect.gen(function*() {
      const prefix = options.keyPrefix ?? defaults.keyPrefix
      const hashes = options.hash === undefined ? yield* scanHashes(send, prefix) : [options.hash]
      let deleted = 0
      const cleared: Array<string> = []
      // One DEL per credential: its keys share a hash tag, so this works on a Cluster too.
      for (const hash of hashes) {
        const base = `${prefix}{${hash}}`
        const n = Number(yield* send(["DEL", ...parts.map((p) => `${base}:${p}`)]))
        if (n > 0) cleared.push(hash)
        deleted += n
      }
      return { hashes: cleared, deletedKeys: deleted }
    }))
