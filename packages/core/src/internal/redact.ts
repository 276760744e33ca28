import * as Redacted from "effect/Redacted"

const sensitiveKey = /token|secret|password|assertion|code|key|credential/i
const sensitivePair =
  /((?:access_token|refresh_token|id_token|token|client_secret|secret|password|code|assertion)["']?\s*[=:]\s*["']?)[^&\s"',}]+/gi

/** The plain value of a parameter that may be `Redacted`, for sending it. */
export const reveal = (value: string | Redacted.Redacted<string>): string =>
  typeof value === "string" ? value : Redacted.value(value)

/** Compares two strings (`state`, `nonce`) in time that does not depend on where they differ. */
export const constantTimeEqual = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/** Replaces every occurrence of each secret in `text` with `<redacted>`. */
export const scrub = (text: string, secrets: ReadonlyArray<Redacted.Redacted<string>>): string => {
  let out = text
  for (const secret of secrets) {
    const value = Redacted.value(secret)
    if (value.length > 0) out = out.split(value).join("<redacted>")
  }
  return out
}

/** A copy of a JSON value with every credential-like member (whatever its value) replaced by `<redacted>`. */
export const redactJson = (value: unknown, depth = 0): unknown => {
  if (value === null || typeof value !== "object") return value
  if (depth > 5) return "<redacted>"
  if (Array.isArray(value)) return value.map((v) => redactJson(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    out[k] = sensitiveKey.test(k) && v !== null && v !== undefined ? "<redacted>" : redactJson(v, depth + 1)
  }
  return out
}

const limit = 200

const truncate = (text: string): string => (text.length > limit ? text.slice(0, limit) + "…" : text)

/** A short excerpt of a JSON body with the values of credential-like members redacted. */
export const excerptJson = (json: unknown, secrets: ReadonlyArray<Redacted.Redacted<string>>): string =>
  truncate(scrub(JSON.stringify(redactJson(json)) ?? "", secrets))

/** A short excerpt of a text body with `name=value` credential pairs and known secrets redacted. */
export const excerptText = (text: string, secrets: ReadonlyArray<Redacted.Redacted<string>>): string =>
  truncate(scrub(text, secrets).replace(sensitivePair, "$1<redacted>").replace(/\s+/g, " ").trim())
