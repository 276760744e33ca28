/**
 * The loopback HTTP transport: serve an emulator on `127.0.0.1` on a random free port with
 * `@effect/platform-node`, for clients that need a real socket (fetch, undici, another process).
 * The server stops when its Scope closes. A dropped connection (`dropNext`) destroys the socket.
 *
 * The emulator still reads time from Effect's `Clock` of the fiber that called `serve`.
 *
 * @since 0.1.0
 */
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { Emulator } from "./Emulator.js"
import * as internal from "./internal/server.js"

/**
 * The only interface the server listens on: `127.0.0.1`.
 *
 * @example
 * ```ts
 * import { Server } from "@auth-pipeline/sandbox"
 *
 * assert.strictEqual(Server.host, "127.0.0.1")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const host: string = internal.host

/**
 * Options of {@link serve}. `port` defaults to 0: a random free port.
 *
 * @example
 * ```ts
 * import { Paysera, Server } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * const options: Server.ServeOptions = { port: 0 } // a free port
 * const baseUrl = Effect.flatMap(Paysera.make(), (paysera) => Server.serve(paysera, options))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ServeOptions {
  /** The port to listen on; 0 (the default) lets the system choose a free one. */
  readonly port?: number | undefined
}

/**
 * Serves `emulator` on 127.0.0.1 until the Scope closes; yields the base URL,
 * `http://127.0.0.1:PORT`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Cryptofuse, Server } from "@auth-pipeline/sandbox"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const cryptofuse = yield* Cryptofuse.make()
 *   const baseUrl = yield* Server.serve(cryptofuse)
 *   return `${baseUrl}${Cryptofuse.tokenPath}`
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = (
  emulator: Emulator,
  options?: ServeOptions
): Effect.Effect<string, HttpServerError.ServeError, Scope.Scope> =>
  Effect.map(internal.serve(emulator, options), (served) => served.baseUrl)

/**
 * An emulator served over HTTP, as provided by {@link layer}.
 *
 * @example
 * ```ts
 * import { Server } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * const tokenUrl = (served: Server.ServedEmulator) => `${served.baseUrl}${served.emulator.tokenPath}`
 * const program = Effect.map(Server.Served, tokenUrl)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ServedEmulator {
  /** The emulator being served, for its controls and counters. */
  readonly emulator: Emulator
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string
  /** The port the server listens on. */
  readonly port: number
}

/**
 * The service of {@link layer}: the served emulator and its base URL.
 *
 * @example
 * ```ts
 * import { Autopay, Server } from "@auth-pipeline/sandbox"
 * import { Effect, Layer } from "effect"
 *
 * const AutopayOverHttp = Layer.unwrapEffect(Effect.map(Autopay.make(), (autopay) => Server.layer(autopay)))
 * const baseUrl = Effect.map(Server.Served, (served) => served.baseUrl).pipe(Effect.provide(AutopayOverHttp))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Served extends Context.Tag("@auth-pipeline/sandbox/Server/Served")<Served, ServedEmulator>() {}

/**
 * A Layer serving `emulator` over HTTP for the Layer's lifetime.
 *
 * @example
 * ```ts
 * import { Cryptofuse, Server } from "@auth-pipeline/sandbox"
 * import { Effect, Layer } from "effect"
 *
 * const CryptofuseOverHttp = Layer.unwrapEffect(Effect.map(Cryptofuse.make(), (emulator) => Server.layer(emulator)))
 * const program = Effect.gen(function*() {
 *   const served = yield* Server.Served
 *   return `${served.baseUrl}${Cryptofuse.tokenPath}` // give this URL to the client under test
 * }).pipe(Effect.provide(CryptofuseOverHttp))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (emulator: Emulator, options?: ServeOptions): Layer.Layer<Served, HttpServerError.ServeError> =>
  Layer.scoped(Served, Effect.map(internal.serve(emulator, options), (served) => ({ emulator, ...served })))
