/**
 * Token records at rest: AES-256-GCM with WebCrypto, the key derived with HKDF-SHA-256 from the
 * configured secret, a random 96-bit IV per record, and the record's Redis key as additional
 * data (a record copied under another credential's key does not open).
 */
import { createHash } from "node:crypto"

const subtle = globalThis.crypto.subtle
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export const deriveKey = async (secret: string): Promise<CryptoKey> => {
  const material = await subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"])
  return subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: encoder.encode("@auth-pipeline/redis"),
      info: encoder.encode("token record v1")
    },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"]
  )
}

/** `v1.<base64 of iv ‖ ciphertext ‖ tag>` */
export const seal = async (key: CryptoKey, plaintext: string, associated: string): Promise<string> => {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12))
  const sealed = new Uint8Array(
    await subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(associated) },
      key,
      encoder.encode(plaintext)
    )
  )
  const out = new Uint8Array(iv.length + sealed.length)
  out.set(iv)
  out.set(sealed, iv.length)
  return `v1.${Buffer.from(out).toString("base64")}`
}

/** Rejects (with no detail) when the record was sealed under another key or altered. */
export const open = async (key: CryptoKey, sealed: string, associated: string): Promise<string> => {
  if (!sealed.startsWith("v1.")) throw new Error("unknown record format")
  const bytes = Buffer.from(sealed.slice(3), "base64")
  const plain = await subtle.decrypt(
    { name: "AES-GCM", iv: bytes.subarray(0, 12), additionalData: encoder.encode(associated) },
    key,
    bytes.subarray(12)
  )
  return decoder.decode(plain)
}

/** A short, stable, non-secret name for a credential: SHA-256 of its canonical JSON. */
export const credentialHash = (canonical: string): string =>
  createHash("sha256").update(canonical).digest("hex").slice(0, 32)
