/**
 * The in-memory transport: an `HttpClient` that routes each request by its URL's hostname to
 * the emulator answering for it, with no socket. The emulator runs in the caller's fiber, so
 * `TestClock` drives token expiry and injected delays.
 *
 * Requests to a host no emulator answers for, and dropped connections, fail with a
 * `RequestError` whose `reason` is `"Transport"`, as a network failure would.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import type { Emulator } from "./Emulator.js"
import * as internal from "./internal/inMemory.js"

/**
 * The remote address emulators see for in-memory requests (`"127.0.0.1"`): all in-memory
 * callers share one Paysera rate limit window, like requests from one machine.
 *
 * @example
 * ```ts
 * import { InMemory } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(InMemory.remoteAddress, "127.0.0.1")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const remoteAddress: string = internal.remoteAddress

/**
 * An `HttpClient` answering from `emulators`. Throws if two emulators claim the same host.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 * import { InMemory, Paysera } from "@auth-pipeline/sandbox"
 *
 * const program = Effect.gen(function*() {
 *   const paysera = yield* Paysera.make()
 *   const client = InMemory.make([paysera])
 *   const response = yield* client.execute(
 *     HttpClientRequest.post(`https://api.paysera.com${Paysera.tokenPath}`).pipe(
 *       HttpClientRequest.bodyUrlParams({
 *         grant_type: "client_credentials",
 *         client_id: "sandbox-client",
 *         client_secret: "sandbox-secret"
 *       })
 *     )
 *   )
 *   return yield* response.json
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (emulators: Iterable<Emulator>) => HttpClient.HttpClient = internal.make

/**
 * A Layer providing `HttpClient.HttpClient` answered by `emulators`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Autopay, InMemory, Paysera } from "@auth-pipeline/sandbox"
 *
 * const program = Effect.gen(function*() {
 *   const paysera = yield* Paysera.make()
 *   const autopay = yield* Autopay.make()
 *   return InMemory.layer(paysera, autopay)
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (...emulators: ReadonlyArray<Emulator>): Layer.Layer<HttpClient.HttpClient> =>
  internal.layer(emulators)

/**
 * What a client sent through {@link recording}: the request as it went out, body decoded.
 *
 * @example
 * ```ts
 * import { InMemory, Paysera } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * // the body a client sent, to compare with the provider's docs
 * const bodies = Effect.gen(function*() {
 *   const recorder = yield* InMemory.recording(yield* Paysera.make())
 *   const sent: ReadonlyArray<InMemory.Sent> = yield* recorder.sent
 *   return sent.map((request) => `${request.method} ${request.url} ${request.body}`)
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Sent {
  /** The HTTP method. */
  readonly method: string
  /** The full URL, query included. */
  readonly url: string
  /** The request headers as sent (lower-case names), credentials included: keep them out of logs. */
  readonly headers: Readonly<Record<string, string>>
  /** The body's content type; `undefined` without a body. */
  readonly contentType: string | undefined
  /** A byte body decoded as UTF-8 text (form and JSON bodies are bytes); empty otherwise. */
  readonly body: string
}

/**
 * {@link layer} plus `sent`: every request made through it so far, as sent (headers and body
 * included), so a test can compare a client's request with the one a provider's docs show.
 *
 * @example
 * ```ts
 * import { PayseraAuth } from "@auth-pipeline/paysera"
 * import { InMemory, Paysera } from "@auth-pipeline/sandbox"
 * import { Effect, Redacted } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const recorder = yield* InMemory.recording(yield* Paysera.make())
 *   const paysera = yield* PayseraAuth.make({
 *     clientId: "sandbox-client",
 *     clientSecret: Redacted.make("sandbox-secret")
 *   }).pipe(Effect.provide(recorder.layer))
 *   yield* paysera.token
 *   const [tokenRequest] = yield* recorder.sent
 *   assert.strictEqual(tokenRequest?.contentType, "application/x-www-form-urlencoded")
 *   assert.ok(tokenRequest?.body.includes("grant_type=client_credentials"))
 * }).pipe(Effect.scoped)
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const recording = (
  ...emulators: ReadonlyArray<Emulator>
): Effect.Effect<{
  readonly client: HttpClient.HttpClient
  readonly layer: Layer.Layer<HttpClient.HttpClient>
  readonly sent: Effect.Effect<ReadonlyArray<Sent>>
}> =>
  Effect.map(Ref.make<ReadonlyArray<Sent>>([]), (log) => {
    const inMemory = internal.make(emulators)
    const client = HttpClient.make((request, url) =>
      Effect.zipRight(
        Ref.update(log, (sent) => [...sent, describeRequest(request, url)]),
        inMemory.execute(request)
      )
    )
    return { client, layer: Layer.succeed(HttpClient.HttpClient, client), sent: Ref.get(log) }
  })

const describeRequest = (request: HttpClientRequest.HttpClientRequest, url: URL): Sent => {
  const body = request.body
  return {
    method: request.method,
    url: url.toString(),
    headers: { ...request.headers },
    contentType: body._tag === "Empty" ? undefined : body.contentType,
    body: body._tag === "Uint8Array" ? new TextDecoder().decode(body.body) : ""
  }
}
