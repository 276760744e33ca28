/**
 * How a client proves its identity to the token endpoint, named after the IANA
 * `token_endpoint_auth_method` values.
 *
 * @since 0.1.0
 */
import * as Encoding from "effect/Encoding"
import * as Redacted from "effect/Redacted"

/**
 * HTTP Basic with the client id and secret, each form-url-encoded BEFORE base64
 * (RFC 6749 §2.3.1 and Appendix B).
 *
 * @example
 * ```ts
 * import { ClientAuthentication } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const auth: ClientAuthentication.ClientSecretBasic = ClientAuthentication.clientSecretBasic(
 *   "my-client",
 *   Redacted.make("s3cret")
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretBasic {
  /** The IANA `token_endpoint_auth_method` name of this method. */
  readonly _tag: "client_secret_basic"
  /** The client identifier the provider issued. */
  readonly clientId: string
  /** The client secret; revealed only when the request is built. */
  readonly clientSecret: Redacted.Redacted<string>
}

/**
 * `client_id` and `client_secret` as request body parameters (RFC 6749 §2.3.1). With a JSON body
 * endpoint they become JSON members, as Autopay expects.
 *
 * @example
 * ```ts
 * import { ClientAuthentication } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const auth: ClientAuthentication.ClientSecretPost = ClientAuthentication.clientSecretPost(
 *   "my-client",
 *   Redacted.make("s3cret")
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretPost {
  /** The IANA `token_endpoint_auth_method` name of this method. */
  readonly _tag: "client_secret_post"
  /** The client identifier the provider issued. */
  readonly clientId: string
  /** The client secret; revealed only when the request is built. */
  readonly clientSecret: Redacted.Redacted<string>
}

/**
 * A public client: only `client_id` in the body (used with PKCE).
 *
 * @example
 * ```ts
 * import { ClientAuthentication } from "@auth-pipeline/core"
 *
 * const auth: ClientAuthentication.None = ClientAuthentication.none("my-public-app")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface None {
  /** The IANA `token_endpoint_auth_method` name of this method. */
  readonly _tag: "none"
  /** The client identifier, sent as the `client_id` body parameter. */
  readonly clientId: string
}

/**
 * The client authentication methods a {@link TokenEndpoint} can use, told apart by `_tag`.
 *
 * @example
 * ```ts
 * import { ClientAuthentication } from "@auth-pipeline/core"
 *
 * const describe = (auth: ClientAuthentication.ClientAuthentication): string =>
 *   auth._tag === "none" ? `public client ${auth.clientId}` : `${auth._tag} for ${auth.clientId}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ClientAuthentication = ClientSecretBasic | ClientSecretPost | None

/**
 * HTTP Basic client authentication ({@link ClientSecretBasic}).
 *
 * @example
 * ```ts
 * import { ClientAuthentication } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const auth = ClientAuthentication.clientSecretBasic("my-client", Redacted.make("s3cret"))
 * assert.deepStrictEqual(ClientAuthentication.credentials(auth).params, [])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const clientSecretBasic = (clientId: string, clientSecret: Redacted.Redacted<string>): ClientSecretBasic => ({
  _tag: "client_secret_basic",
  clientId,
  clientSecret
})

/**
 * Client id and secret in the request body ({@link ClientSecretPost}).
 *
 * @example
 * ```ts
 * import { ClientAuthentication } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const auth = ClientAuthentication.clientSecretPost("my-client", Redacted.make("s3cret"))
 * assert.deepStrictEqual(ClientAuthentication.credentials(auth).params, [
 *   ["client_id", "my-client"],
 *   ["client_secret", "s3cret"]
 * ])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const clientSecretPost = (clientId: string, clientSecret: Redacted.Redacted<string>): ClientSecretPost => ({
  _tag: "client_secret_post",
  clientId,
  clientSecret
})

/**
 * A public client that sends only its `client_id` ({@link None}).
 *
 * @example
 * ```ts
 * import { ClientAuthentication } from "@auth-pipeline/core"
 *
 * const auth = ClientAuthentication.none("my-public-app")
 * assert.deepStrictEqual(ClientAuthentication.secret(auth), [])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const none = (clientId: string): None => ({ _tag: "none", clientId })

/**
 * The `application/x-www-form-urlencoded` encoding of one value (WHATWG URL, as RFC 6749
 * Appendix B asks): space becomes `+`, everything but `*-._` and ASCII letters and digits is
 * percent-encoded as UTF-8.
 *
 * @example
 * ```ts
 * import { ClientAuthentication } from "@auth-pipeline/core"
 *
 * assert.strictEqual(ClientAuthentication.formUrlEncode("a b:c+d"), "a+b%3Ac%2Bd")
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const formUrlEncode = (value: string): string => new URLSearchParams([["", value]]).toString().slice(1)

/**
 * The `Authorization` header value for `client_secret_basic`:
 * `Basic base64(formUrlEncode(id) ":" formUrlEncode(secret))`.
 *
 * @example
 * ```ts
 * import { ClientAuthentication } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const header = ClientAuthentication.basicAuthorization("my-client", Redacted.make("p:ss"))
 * // base64 of "my-client:p%3Ass": the ":" in the secret is encoded first
 * assert.strictEqual(Redacted.value(header), "Basic " + Buffer.from("my-client:p%3Ass").toString("base64"))
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const basicAuthorization = (
  clientId: string,
  clientSecret: Redacted.Redacted<string>
): Redacted.Redacted<string> =>
  // Encoding.encodeBase64 encodes the string as UTF-8 first, in any runtime (no Buffer).
  Redacted.make(
    "Basic " + Encoding.encodeBase64(`${formUrlEncode(clientId)}:${formUrlEncode(Redacted.value(clientSecret))}`)
  )

/**
 * The secret a method sends, if any (used to scrub it from anything the library reports).
 *
 * @example
 * ```ts
 * import { ClientAuthentication } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const secret = Redacted.make("s3cret")
 * const auth = ClientAuthentication.clientSecretPost("my-client", secret)
 * assert.deepStrictEqual(ClientAuthentication.secret(auth), [secret])
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const secret = (self: ClientAuthentication): ReadonlyArray<Redacted.Redacted<string>> =>
  self._tag === "none" ? [] : [self.clientSecret]

/**
 * What a method adds to a request to the provider (token, revocation): a header and/or body
 * parameters, revealed for sending. Keep the result out of anything reported.
 *
 * @example
 * ```ts
 * import { ClientAuthentication } from "@auth-pipeline/core"
 * import { Redacted } from "effect"
 *
 * const { headers, params } = ClientAuthentication.credentials(
 *   ClientAuthentication.clientSecretBasic("my-client", Redacted.make("s3cret"))
 * )
 * assert.ok(headers.authorization?.startsWith("Basic "))
 * assert.deepStrictEqual(params, [])
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const credentials = (
  self: ClientAuthentication
): {
  readonly headers: Readonly<Record<string, string>>
  readonly params: ReadonlyArray<readonly [string, string]>
} => {
  switch (self._tag) {
    case "client_secret_basic":
      return {
        headers: { authorization: Redacted.value(basicAuthorization(self.clientId, self.clientSecret)) },
        params: []
      }
    case "client_secret_post":
      return {
        headers: {},
        params: [["client_id", self.clientId], ["client_secret", Redacted.value(self.clientSecret)]]
      }
    case "none":
      return { headers: {}, params: [["client_id", self.clientId]] }
  }
}
