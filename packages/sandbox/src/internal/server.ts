/**
 * Serving an emulator over real HTTP on 127.0.0.1 with @effect/platform-node.
 *
 * @internal
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { createServer } from "node:http"
import type { Emulator } from "../Emulator.js"

export const host = "127.0.0.1"

/**
 * The emulator app with dropped connections made real: the socket is destroyed, and the
 * handler waits to be interrupted by the server, which notices the closed connection (as for a
 * client abort). HttpApp handlers run uninterruptibly, hence the explicit `interruptible`.
 */
export const destroyingDroppedConnections = (emulator: Emulator) =>
  Effect.catchTag(
    emulator.app,
    "ConnectionDropped",
    () =>
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
        return Effect.interruptible(Effect.never)
      })
  )

export const serve = (
  emulator: Emulator,
  options?: { readonly port?: number | undefined }
): Effect.Effect<{ readonly baseUrl: string; readonly port: number }, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const server = yield* NodeHttpServer.make(() => createServer(), { host, port: options?.port ?? 0 })
    yield* server.serve(destroyingDroppedConnections(emulator))
    const address = server.address
    if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("expected a TCP address")
    return { baseUrl: `http://${host}:${address.port}`, port: address.port }
  })
