/**
 * The shape every provider emulator shares: an HTTP app plus a typed control surface for fault
 * injection, token revocation and counters.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { Fault } from "./Fault.js"

/**
 * The two kinds of endpoint an emulator serves: the OAuth token endpoint and the protected API
 * resource.
 *
 * @example
 * ```ts
 * import { Fault, type Emulator, Paysera } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * const endpoint: Emulator.Endpoint = "resource"
 * const program = Effect.gen(function*() {
 *   const paysera = yield* Paysera.make()
 *   yield* paysera.failNext(Fault.status(503), { endpoint }) // the API fails, the token endpoint does not
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Endpoint = "token" | "resource"

/**
 * How a client authenticated at the token endpoint, named after the IANA
 * `token_endpoint_auth_method` values. `"none"` means no credentials were found.
 *
 * @example
 * ```ts
 * import type { Emulator } from "@auth-pipeline/sandbox"
 *
 * const basicRequests = (counters: Emulator.Counters) => counters.tokenRequestsByAuthMethod["client_secret_basic"]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "none"

/**
 * A confidential client an emulator accepts at its token endpoint.
 *
 * @example
 * ```ts
 * import { type Emulator, Paysera } from "@auth-pipeline/sandbox"
 *
 * // a secret that checks the client's HTTP Basic encoding (RFC 6749 Appendix B)
 * const client: Emulator.Client = { clientId: "shop", clientSecret: "p:ss w+rd%" }
 * const paysera = Paysera.make({ clients: [client] })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Client {
  /** The client id the emulator accepts. */
  readonly clientId: string
  /** The secret it must come with, compared exactly (after form-url-decoding a Basic header). */
  readonly clientSecret: string | Redacted.Redacted<string>
}

/**
 * The client id every emulator accepts unless told otherwise.
 *
 * @example
 * ```ts
 * import { Emulator } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Emulator.defaultClientId, "sandbox-client")
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultClientId = "sandbox-client"

/**
 * The client secret every emulator accepts unless told otherwise. Configure a secret with
 * `: + / = % &`, spaces or non-ASCII characters to check a client's HTTP Basic encoding.
 *
 * @example
 * ```ts
 * import { Emulator } from "@auth-pipeline/sandbox"
 * import { Redacted } from "effect"
 *
 * const clientSecret = Redacted.make(Emulator.defaultClientSecret)
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultClientSecret = "sandbox-secret"

/**
 * The `<name>.sandbox.local` hostname every emulator answers for in memory.
 *
 * @example
 * ```ts
 * import { Emulator } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Emulator.sandboxHost("paysera"), "paysera.sandbox.local")
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const sandboxHost = (name: string): string => `${name}.sandbox.local`

/**
 * The emulator told the transport to drop the connection instead of answering. The in-memory
 * transport turns it into a transport `RequestError`; the HTTP server destroys the socket.
 *
 * @example
 * ```ts
 * import { Emulator } from "@auth-pipeline/sandbox"
 *
 * const error = new Emulator.ConnectionDropped({ emulator: "paysera", endpoint: "token" })
 * assert.strictEqual(error.message, "paysera dropped the connection of a token request (injected fault)")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionDropped extends Data.TaggedError("ConnectionDropped")<{
  /** The emulator's name. */
  readonly emulator: string
  /** Which endpoint the dropped request was for. */
  readonly endpoint: Endpoint
}> {
  /**
   * `<emulator> dropped the connection of a <endpoint> request (injected fault)`.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.emulator} dropped the connection of a ${this.endpoint} request (injected fault)`
  }
}

/**
 * A credential the emulator knows: an access token it issued, or an API key it was configured
 * with. Times are epoch milliseconds read from Effect's `Clock`.
 *
 * @example
 * ```ts
 * import { InMemory, Paysera } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * // how long the tokens a client obtained were valid
 * const lifetimes = Effect.gen(function*() {
 *   const paysera = yield* Paysera.make()
 *   const credentials = yield* paysera.credentials
 *   return credentials.map((credential) => (credential.expiresAt ?? Infinity) - credential.issuedAt)
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Credential {
  /** 1 for the first credential of this emulator, 2 for the next, ... */
  readonly number: number
  /** `access_token` (issued by the token endpoint) or `api_key` (configured). */
  readonly kind: "access_token" | "api_key"
  /** The token or key as sent on the wire. */
  readonly value: string
  /** The client id the token was issued to (for an API key: the key's name). */
  readonly clientId: string
  /** The scope granted, as sent in the token response. */
  readonly scope: string | undefined
  /** Epoch milliseconds at which the token was issued; 0 for an API key. */
  readonly issuedAt: number
  /** When the token stops being accepted; `undefined` for API keys, which do not expire. */
  readonly expiresAt: number | undefined
  /** Whether it was revoked (`revoke`, `revokeAll`); a revoked credential gets 401. */
  readonly revoked: boolean
}

/**
 * Exact counts of what an emulator has seen since it was made (or last reset).
 *
 * - `tokenRequests`: every request that reached the token endpoint path with the right method,
 *   including rejected and fault-injected ones; `tokenRequestsByGrantType`,
 *   `tokenRequestsByClientId` and `tokenRequestsByAuthMethod` split it by what the client sent
 *   (requests without a `grant_type` or client id are left out of those two maps).
 * - `tokensIssued`: successful token responses (a token was minted).
 * - `resourceRequests`: requests that reached the protected resource path.
 * - `unauthorized`, `rateLimited`: responses sent with status 401 and 429, any endpoint.
 * - `dropped`: connections dropped by an injected fault.
 * - `responsesByStatus`: every response sent, by status code.
 *
 * @example
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 * import { InMemory, Paysera } from "@auth-pipeline/sandbox"
 * import { Effect, Redacted } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* Paysera.make()
 *   const paysera = yield* PayseraAuth.make({
 *     clientId: "sandbox-client",
 *     clientSecret: Redacted.make("sandbox-secret")
 *   }).pipe(Effect.provide(InMemory.layer(emulator)))
 *   yield* Effect.all([paysera.token, paysera.token, paysera.token])
 *   const counters = yield* emulator.counters
 *   assert.strictEqual(counters.tokensIssued, 1)
 *   assert.strictEqual(counters.tokenRequestsByAuthMethod.client_secret_post, 1)
 * }).pipe(Effect.scoped)
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  /** Requests that reached the token endpoint with the right method, rejected and faulted ones included. */
  readonly tokenRequests: number
  /** `tokenRequests` by the `grant_type` sent. */
  readonly tokenRequestsByGrantType: Readonly<Record<string, number>>
  /** `tokenRequests` by the client id sent (in the body or the Basic header). */
  readonly tokenRequestsByClientId: Readonly<Record<string, number>>
  /** `tokenRequests` by how the client authenticated (`none` when it sent no credentials). */
  readonly tokenRequestsByAuthMethod: Readonly<Record<ClientAuthMethod, number>>
  /** Successful token responses: tokens minted. */
  readonly tokensIssued: number
  /** Requests that reached the protected resource path. */
  readonly resourceRequests: number
  /** Responses sent with status 401, any endpoint. */
  readonly unauthorized: number
  /** Responses sent with status 429, any endpoint. */
  readonly rateLimited: number
  /** Connections dropped by an injected fault. */
  readonly dropped: number
  /** Every response sent, by status code. */
  readonly responsesByStatus: Readonly<Record<number, number>>
}

/**
 * Which requests a fault applies to, and how many of them.
 *
 * `times` defaults to 1. `endpoint` defaults to `"token"` (to `"resource"` for an emulator
 * without a token endpoint); `"any"` matches both.
 *
 * @example
 * ```ts
 * import { Fault, type Emulator, Paysera } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * const options: Emulator.FaultOptions = { times: 3, endpoint: "any" }
 * const outage = Effect.flatMap(Paysera.make(), (paysera) => paysera.failNext(Fault.status(503), options))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultOptions {
  /** How many matching requests get the fault. Default 1. */
  readonly times?: number | undefined
  /** Which requests match: `token` (the default when there is one), `resource`, or `any`. */
  readonly endpoint?: Endpoint | "any" | undefined
}

/**
 * How long the next issued tokens live.
 *
 * `times` defaults to every following token (until `clearFaults` or `reset`).
 * `omitExpiresIn: true` leaves `expires_in` out of the token response (the token still expires
 * server-side after the given lifetime).
 *
 * @example
 * ```ts
 * import { type Emulator, Paysera } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * // the next token is short-lived and its response says nothing about it
 * const options: Emulator.ExpiresInOptions = { times: 1, omitExpiresIn: true }
 * const program = Effect.flatMap(Paysera.make(), (paysera) => paysera.setExpiresIn(5, options))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ExpiresInOptions {
  /** How many of the next tokens get this lifetime. Default: all of them until `clearFaults` or `reset`. */
  readonly times?: number | undefined
  /** Leave `expires_in` out of the response; the token still expires after the lifetime. */
  readonly omitExpiresIn?: boolean | undefined
}

/**
 * An emulator of one provider: its documented hostnames, its paths, the HTTP app that answers
 * like the provider, and a control surface for tests.
 *
 * Serve `app` in memory with `InMemory.layer` (runs in the caller's fiber, so `TestClock` drives
 * token expiry and delays) or over loopback HTTP with `Server.serve`.
 *
 * @example
 * ```ts
 * import { Fault, InMemory, Paysera } from "@auth-pipeline/sandbox"
 * import { HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const paysera = yield* Paysera.make()
 *   const client = InMemory.make([paysera])
 *   yield* paysera.failNext(Fault.status(503))
 *   const response = yield* client.execute(
 *     HttpClientRequest.post(`https://api.paysera.com${paysera.tokenPath}`).pipe(
 *       HttpClientRequest.bodyUrlParams({ grant_type: "client_credentials" })
 *     )
 *   )
 *   assert.strictEqual(response.status, 503)
 *   assert.strictEqual((yield* paysera.counters).tokenRequests, 1)
 * })
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Emulator {
  /** Short name, e.g. `"paysera"`; also the `<name>.sandbox.local` host. */
  readonly name: string
  /** Hostnames the in-memory transport routes to this emulator. */
  readonly hosts: ReadonlyArray<string>
  /** Path of the token endpoint, `undefined` when the provider has none (Centrapay API keys). */
  readonly tokenPath: string | undefined
  /** Path of the protected resource (always answers `GET`). */
  readonly resourcePath: string
  /** The emulator as an `@effect/platform` HttpApp. */
  readonly app: HttpApp.Default<ConnectionDropped>

  /** Answer the next matching requests with `fault` instead of the normal response. */
  readonly failNext: (fault: Fault, options?: FaultOptions) => Effect.Effect<void>
  /** Drop the connection of the next matching requests. Same as `failNext(Fault.drop, options)`. */
  readonly dropNext: (options?: FaultOptions) => Effect.Effect<void>
  /** Sleep `duration` (on Effect's `Clock`, so `TestClock` drives it) before answering. */
  readonly delayNext: (duration: Duration.DurationInput, options?: FaultOptions) => Effect.Effect<void>
  /** Issue the next tokens with `expires_in` set to `seconds`. */
  readonly setExpiresIn: (seconds: number, options?: ExpiresInOptions) => Effect.Effect<void>
  /** Forget every pending fault, delay and `expires_in` override. */
  readonly clearFaults: Effect.Effect<void>

  /** Revoke one token or API key: its next use gets 401. `false` if the emulator does not know it. */
  readonly revoke: (value: string) => Effect.Effect<boolean>
  /** Revoke every credential the emulator knows; yields how many were newly revoked. */
  readonly revokeAll: Effect.Effect<number>
  /** Every credential issued (or configured), oldest first. */
  readonly credentials: Effect.Effect<ReadonlyArray<Credential>>

  /** A snapshot of the counters. */
  readonly counters: Effect.Effect<Counters>
  /** Set every counter back to zero. */
  readonly resetCounters: Effect.Effect<void>
  /** Back to the state right after `make`: counters, faults, tokens, revocations, rate limits. */
  readonly reset: Effect.Effect<void>
}
