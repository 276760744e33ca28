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
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretBasic {
  readonly _tag: "client_secret_basic"
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
}

/**
 * `client_id` and `client_secret` as request body parameters (RFC 6749 §2.3.1). With a JSON body
 * endpoint they become JSON members, as Autopay expects.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretPost {
  readonly _tag: "client_secret_post"
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
}

/**
 * A public client: only `client_id` in the body (used with PKCE).
 *
 * @since 0.1.0
 * @category models
 */
export interface None {
  readonly _tag: "none"
  readonly clientId: string
}

/**
 * @since 0.1.0
 * @category models
 */
export type ClientAuthentication = ClientSecretBasic | ClientSecretPost | None

/**
 * @since 0.1.0
 * @category constructors
 */
export const clientSecretBasic = (clientId: string, clientSecret: Redacted.Redacted<string>): ClientSecretBasic => ({
  _tag: "client_secret_basic",
  clientId,
  clientSecret
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const clientSecretPost = (clientId: string, clientSecret: Redacted.Redacted<string>): ClientSecretPost => ({
  _tag: "client_secret_post",
  clientId,
  clientSecret
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const none = (clientId: string): None => ({ _tag: "none", clientId })

/**
 * The `application/x-www-form-urlencoded` encoding of one value (WHATWG URL, as RFC 6749
 * Appendix B asks): space becomes `+`, everything but `*-._` and ASCII letters and digits is
 * percent-encoded as UTF-8.
 *
 * @since 0.1.0
 * @category encoding
 */
export const formUrlEncode = (value: string): string => new URLSearchParams([["", value]]).toString().slice(1)

/**
 * The `Authorization` header value for `client_secret_basic`:
 * `Basic base64(formUrlEncode(id) ":" formUrlEncode(secret))`.
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
 * @since 0.1.0
 * @category getters
 */
export const secret = (self: ClientAuthentication): ReadonlyArray<Redacted.Redacted<string>> =>
  self._tag === "none" ? [] : [self.clientSecret]

/**
 * What a method adds to a request to the provider (token, revocation): a header and/or body
 * parameters, revealed for sending. Keep the result out of anything reported.
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
