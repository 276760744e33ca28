/**
 * Cryptographically random token values (Web Crypto, available in Node 20 and browsers).
 *
 * @internal
 */
import * as Encoding from "effect/Encoding"

/** `bytes` random bytes as base64url without padding (32 bytes → 43 characters). */
export const base64UrlToken = (bytes = 32): string =>
  Encoding.encodeBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(bytes)))

const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/** `length` random characters from [A-Za-z0-9], without modulo bias. */
export const alphanumericToken = (length = 30): string => {
  let out = ""
  while (out.length < length) {
    for (const byte of globalThis.crypto.getRandomValues(new Uint8Array(length))) {
      // 248 = 4 * 62: bytes above it would favour the first characters
      if (byte < 248 && out.length < length) out += alphanumeric[byte % 62]
    }
  }
  return out
}
