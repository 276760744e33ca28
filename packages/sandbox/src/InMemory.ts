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
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Layer from "effect/Layer"
import type { Emulator } from "./Emulator.js"
import * as internal from "./internal/inMemory.js"

/**
 * The remote address emulators see for in-memory requests (`"127.0.0.1"`): all in-memory
 * callers share one Paysera rate limit window, like requests from one machine.
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
