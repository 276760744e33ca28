/**
 * Client authentication at a token endpoint: HTTP Basic decoded the RFC 6749 Appendix B way,
 * and checking the presented credentials against the configured clients.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Redacted from "effect/Redacted"
import { type ClientAuthMethod, defaultClientId, defaultClientSecret } from "../Emulator.js"

/** A secret as users configure it: a string or a `Redacted` one. */
export type Secret = string | Redacted.Redacted<string>

export const reveal = (secret: Secret): string => (Redacted.isRedacted(secret) ? Redacted.value(secret) : secret)

/** `application/x-www-form-urlencoded` decoding of one value: `+` is a space, then percent-decoding. */
export const formDecode = (value: string): string | undefined => {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "))
  } catch {
    return undefined
  }
}

/** `application/x-www-form-urlencoded` encoding of one value (the inverse of `formDecode`). */
export const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2)

export type BasicCredentials =
  | { readonly _tag: "Absent" }
  | { readonly _tag: "Malformed" }
  | { readonly _tag: "Present"; readonly clientId: string; readonly clientSecret: string }

/**
 * Reads `Authorization: Basic base64(formEncode(id) ":" formEncode(secret))` (RFC 6749 §2.3.1
 * and Appendix B): base64-decode, split at the FIRST `:`, form-url-decode each part. Another
 * scheme (or no header) is `Absent`; undecodable input is `Malformed`.
 */
export const parseBasic = (authorization: string | undefined): BasicCredentials => {
  const match = authorization === undefined ? null : /^Basic(?:\s+(\S*))?\s*$/i.exec(authorization)
  if (match === null) return { _tag: "Absent" }
  const encoded = match[1] ?? ""
  const padded = encoded.length % 4 === 0 ? encoded : encoded + "=".repeat(4 - (encoded.length % 4))
  const decoded = Encoding.decodeBase64String(padded)
  if (encoded === "" || Either.isLeft(decoded)) return { _tag: "Malformed" }
  const colon = decoded.right.indexOf(":")
  if (colon < 0) return { _tag: "Malformed" }
  const clientId = formDecode(decoded.right.slice(0, colon))
  const clientSecret = formDecode(decoded.right.slice(colon + 1))
  if (clientId === undefined || clientSecret === undefined) return { _tag: "Malformed" }
  return { _tag: "Present", clientId, clientSecret }
}

/** What the client presented at the token endpoint. */
export interface PresentedClient {
  readonly method: ClientAuthMethod
  readonly clientId: string | undefined
  readonly clientSecret: string | undefined
  /** Basic header undecodable, or credentials sent both by Basic and in the body. */
  readonly problem: "malformed_basic" | "multiple_methods" | undefined
}

/**
 * Combines the Basic header with `client_id`/`client_secret` body parameters. RFC 6749 §2.3
 * forbids using more than one method, so a `client_secret` in both places is a problem; a
 * `client_id` in the body next to Basic is tolerated when it names the same client.
 */
export const presentedClient = (
  authorization: string | undefined,
  bodyClientId: string | undefined,
  bodyClientSecret: string | undefined
): PresentedClient => {
  const basic = parseBasic(authorization)
  switch (basic._tag) {
    case "Malformed":
      return {
        method: "client_secret_basic",
        clientId: bodyClientId,
        clientSecret: undefined,
        problem: "malformed_basic"
      }
    case "Present": {
      const conflict = bodyClientSecret !== undefined ||
        (bodyClientId !== undefined && bodyClientId !== basic.clientId)
      return {
        method: "client_secret_basic",
        clientId: basic.clientId,
        clientSecret: basic.clientSecret,
        problem: conflict ? "multiple_methods" : undefined
      }
    }
    case "Absent":
      return {
        method: bodyClientSecret !== undefined ? "client_secret_post" : "none",
        clientId: bodyClientId,
        clientSecret: bodyClientSecret,
        problem: undefined
      }
  }
}

/** A client an emulator accepts. */
export interface ClientEntry {
  readonly clientId: string
  readonly clientSecret: Secret
}

/** The clients every emulator accepts unless told otherwise. */
export const defaultClients: ReadonlyArray<ClientEntry> = [
  { clientId: defaultClientId, clientSecret: defaultClientSecret }
]

export type ClientAuthResult<C> =
  | { readonly _tag: "Authenticated"; readonly client: C }
  | {
    readonly _tag: "Rejected"
    readonly reason:
      | "missing"
      | "malformed"
      | "multiple_methods"
      | "method_not_allowed"
      | "unknown_client"
      | "wrong_secret"
  }

/** Authenticates the presented credentials against `clients`, allowing only `allowed` methods. */
export const authenticate = <C extends ClientEntry>(
  presented: PresentedClient,
  clients: ReadonlyArray<C>,
  allowed: ReadonlyArray<ClientAuthMethod>
): ClientAuthResult<C> => {
  if (presented.problem === "malformed_basic") return { _tag: "Rejected", reason: "malformed" }
  if (presented.problem === "multiple_methods") return { _tag: "Rejected", reason: "multiple_methods" }
  if (presented.clientId === undefined || presented.clientSecret === undefined) {
    return { _tag: "Rejected", reason: "missing" }
  }
  if (!allowed.includes(presented.method)) return { _tag: "Rejected", reason: "method_not_allowed" }
  const client = clients.find((c) => c.clientId === presented.clientId)
  if (client === undefined) return { _tag: "Rejected", reason: "unknown_client" }
  if (reveal(client.clientSecret) !== presented.clientSecret) return { _tag: "Rejected", reason: "wrong_secret" }
  return { _tag: "Authenticated", client }
}
