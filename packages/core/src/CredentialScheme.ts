/**
 * How a credential is put on a request: `Authorization: Bearer <token>` (RFC 6750), a raw
 * `Authorization: <token>` (Centrapay's docs show no scheme), or a header of the API's choosing
 * (an API key such as `X-Api-Key`).
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"

/**
 * @since 0.1.0
 * @category models
 */
export type CredentialScheme =
  | { readonly _tag: "Bearer" }
  | { readonly _tag: "Raw" }
  | { readonly _tag: "Header"; readonly name: string }

/**
 * `Authorization: Bearer <token>`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const bearer: CredentialScheme = { _tag: "Bearer" }

/**
 * `Authorization: <token>`, with no scheme word.
 *
 * @since 0.1.0
 * @category constructors
 */
export const raw: CredentialScheme = { _tag: "Raw" }

/**
 * `<name>: <credential>`, e.g. `header("X-Api-Key")`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const header = (name: string): CredentialScheme => ({ _tag: "Header", name: name.toLowerCase() })

/**
 * The (lower-case) header the scheme writes.
 *
 * @since 0.1.0
 * @category getters
 */
export const headerName = (self: CredentialScheme): string => self._tag === "Header" ? self.name : "authorization"

/**
 * The header value for a credential.
 *
 * @since 0.1.0
 * @category getters
 */
export const headerValue = (self: CredentialScheme, credential: Redacted.Redacted<string>): string =>
  self._tag === "Bearer" ? `Bearer ${Redacted.value(credential)}` : Redacted.value(credential)
