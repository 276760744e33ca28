import * as Encoding from "effect/Encoding"
import * as Redacted from "effect/Redacted"

/** `application/x-www-form-urlencoded` encoding of one value (RFC 6749 Appendix B). */
const formUrlEncode = (value: string): string => new URLSearchParams([["", value]]).toString().slice(1)

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

/** What every scrubbed secret, credential header and dropped body is replaced with. */
export const placeholder = "<redacted>"

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0")

const regexSpecial = /[.*+?^${}()|[\]\\/-]/g

const escapeRegex = (s: string) => s.replace(regexSpecial, "\\$&")

const shortJsonEscapes: Readonly<Record<string, string>> = {
  "\"": "\\\"",
  "\\": "\\\\",
  "/": "\\/",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t"
}

/**
 * The ways one character of a secret may be written in text a server echoes: as itself,
 * percent-encoded (its UTF-8 bytes, any hex case; a space also as `+`, as form encoding writes it),
 * or JSON-escaped (`\"`, `\\`, `\/`, `\n`..., or `\uXXXX` with surrogate pairs for astral
 * characters, any hex case).
 */
const charPattern = (char: string): string => {
  const alternatives = new Set<string>([escapeRegex(char)])
  const bytes = new TextEncoder().encode(char)
  alternatives.add(Array.from(bytes, (b) => "%" + hex(b, 2)).join(""))
  if (char === " ") alternatives.add("\\+")
  const short = shortJsonEscapes[char]
  if (short !== undefined) alternatives.add(escapeRegex(short))
  let units = ""
  for (let i = 0; i < char.length; i++) units += "\\\\u" + hex(char.charCodeAt(i), 4)
  alternatives.add(units)
  return alternatives.size === 1 ? escapeRegex(char) : `(?:${[...alternatives].join("|")})`
}

/** One pattern per secret, kept only as long as the `Redacted` holding the secret. */
const patterns = new WeakMap<Redacted.Redacted<string>, RegExp>()

/**
 * A regular expression that finds a secret as written, percent-encoded or form-encoded (any
 * encoder's choice of reserved characters, any hex case), JSON-escaped, or any mix of these,
 * letters in any case.
 */
const patternOf = (secret: Redacted.Redacted<string>): RegExp => {
  const known = patterns.get(secret)
  if (known !== undefined) return known
  let source = ""
  for (const char of Redacted.value(secret)) source += charPattern(char)
  const pattern = new RegExp(source, "gi")
  patterns.set(secret, pattern)
  return pattern
}

/**
 * Replaces every occurrence of each secret in `text` with `<redacted>`: the secret as written,
 * percent-encoded or form-encoded, JSON-escaped (see {@link patternOf}). Pass the base64 forms of
 * a Basic credential as secrets of their own ({@link basicCredentialForms}).
 */
export const scrub = (text: string, secrets: ReadonlyArray<Redacted.Redacted<string>>): string => {
  let out = text
  for (const secret of secrets) {
    if (Redacted.value(secret).length > 0) out = out.replace(patternOf(secret), placeholder)
  }
  return out
}

// UTF-8 then base64, in any runtime (no Buffer: core bundles for browsers).
const base64 = (s: string) => Encoding.encodeBase64(s)

/**
 * The forms an HTTP Basic credential `id:secret` travels in, as secrets to scrub: the base64 of
 * `id:secret` with id and secret form-url-encoded first (RFC 6749 Appendix B) and without, each
 * also in base64url without padding.
 */
export const basicCredentialForms = (
  clientId: string,
  secret: Redacted.Redacted<string>
): ReadonlyArray<Redacted.Redacted<string>> => {
  const value = Redacted.value(secret)
  const forms = new Set<string>()
  for (const pair of [`${clientId}:${value}`, `${formUrlEncode(clientId)}:${formUrlEncode(value)}`]) {
    const standard = base64(pair)
    forms.add(standard)
    forms.add(standard.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""))
  }
  return [...forms].map((form) => Redacted.make(form))
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
  // scrubbed again after whitespace is collapsed, which could join a secret that was split by it
  truncate(scrub(scrub(text, secrets).replace(sensitivePair, "$1<redacted>").replace(/\s+/g, " ").trim(), secrets))
