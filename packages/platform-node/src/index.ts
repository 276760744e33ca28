/**
 * `@auth-pipeline/platform-node`: the Node.js services of auth-pipeline (the loopback redirect
 * listener of a native app's login and the system browser opener).
 *
 * @example
 * ```ts
 * import { OidcClient } from "@auth-pipeline/core"
 * import { NodeLoopbackRedirect } from "@auth-pipeline/platform-node"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Schema } from "effect"
 *
 * // a command-line login: the browser opens, the callback comes back to 127.0.0.1
 * const login = Effect.gen(function*() {
 *   const client = yield* OidcClient.make({
 *     name: "my-idp",
 *     issuer: "https://id.example.com",
 *     clientId: "my-cli",
 *     claims: Schema.Struct({ sub: Schema.String })
 *   })
 *   return yield* client.loginLoopback({ timeout: "2 minutes" })
 * }).pipe(Effect.scoped, Effect.provide([FetchHttpClient.layer, NodeLoopbackRedirect.layer]))
 * ```
 *
 * @since 0.1.0
 */

/**
 * The loopback redirect listener and the system browser opener, as core's `LoopbackRedirect.Listener`.
 *
 * @example
 * ```ts
 * import { LoopbackRedirect } from "@auth-pipeline/core"
 * import { NodeLoopbackRedirect } from "@auth-pipeline/platform-node"
 * import { Effect } from "effect"
 *
 * const redirectUri = Effect.scoped(
 *   Effect.flatMap(LoopbackRedirect.Listener, (listener) => Effect.map(listener.listen(), (r) => r.redirectUri))
 * ).pipe(Effect.provide(NodeLoopbackRedirect.layer))
 * ```
 *
 * @since 0.1.0
 */
export * as NodeLoopbackRedirect from "./NodeLoopbackRedirect.js"
