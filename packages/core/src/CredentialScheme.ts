/**
 * How a credential is put on a request: `Authorization: Bearer <token>` (RFC 6750), a raw
 * `Authorization: <token>` (Centrapay's docs show no scheme), or a header of the API's choosing
 * (an API key such as `X-Api-Key`).
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"

/**
 * How a credential is written onto a request; build one with {@link bearer}, {@link raw} or {@link header}.
 *
 * @example
 * ```ts
 * import { CredentialScheme } from "@auth-pipeline/core"
 *
 * const scheme: CredentialScheme.CredentialScheme = CredentialScheme.header("X-Api-Key")
 * assert.strictEqual(CredentialScheme.headerName(scheme), "x-api-key")
 * ```
 *
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
 * @example
 * ```ts
 * import { CredentialScheme } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * assert.strictEqual(CredentialScheme.headerValue(CredentialScheme.bearer, Redacted.make("at-1")), "Bearer at-1")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const bearer: CredentialScheme = { _tag: "Bearer" }

/**
 * `Authorization: <token>`, with no scheme word.
 *
 * @example
 * ```ts
 * import { CredentialScheme } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * assert.strictEqual(CredentialScheme.headerValue(CredentialScheme.raw, Redacted.make("at-1")), "at-1")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const raw: CredentialScheme = { _tag: "Raw" }

/**
 * `<name>: <credential>`, e.g. `header("X-Api-Key")`.
 *
 * @example
 * ```ts
 * import { CredentialScheme } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const apiKey = CredentialScheme.header("X-Api-Key")
 * assert.strictEqual(CredentialScheme.headerName(apiKey), "x-api-key")
 * assert.strictEqual(CredentialScheme.headerValue(apiKey, Redacted.make("key-1")), "key-1")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const header = (name: string): CredentialScheme => ({ _tag: "Header", name: name.toLowerCase() })

/**
 * The (lower-case) header the scheme writes.
 *
 * @example
 * ```ts
 * import { CredentialScheme } from "@auth-pipeline/core"
 *
 * assert.strictEqual(CredentialScheme.headerName(CredentialScheme.bearer), "authorization")
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const headerName = (self: CredentialScheme): string => self._tag === "Header" ? self.name : "authorization"

/**
 * The header value for a credential: `Bearer <credential>` for {@link bearer}, the bare credential otherwise.
 * The result is the revealed secret: put it on the request only.
 *
 * @example
 * ```ts
 * import { CredentialScheme } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * assert.strictEqual(CredentialScheme.headerValue(CredentialScheme.bearer, Redacted.make("at-1")), "Bearer at-1")
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const headerValue = (self: CredentialScheme, credential: Redacted.Redacted<string>): string =>
  self._tag === "Bearer" ? `Bearer ${Redacted.value(credential)}` : Redacted.value(credential)
