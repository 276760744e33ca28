/**
 * The Node.js implementation of core's `LoopbackRedirect.Listener` (RFC 8252 §7.3): a one-shot
 * `node:http` listener on `127.0.0.1` with a port chosen by the operating system, and the system's
 * browser opener. Provide {@link layer} to use `OidcClient.loginLoopback` on Node.
 *
 * @since 0.1.0
 */
import * as LoopbackRedirect from "@auth-pipeline/core/LoopbackRedirect"
import * as Console from "effect/Console"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { spawn } from "node:child_process"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

/**
 * Starts the listener on `127.0.0.1` (the literal address, not `localhost`, as RFC 8252 §8.3
 * recommends) with an ephemeral port. The first request to its path carrying the login's `state`
 * (and this listener's own `Host`) is the callback; anything else gets 404 or 400.
 *
 * @example
 * ```ts
 * import { NodeLoopbackRedirect } from "@auth-pipeline/platform-node"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const redirect = yield* NodeLoopbackRedirect.listen({ state: "xyz", timeout: "1 minute" })
 *     console.log(redirect.redirectUri) // http://127.0.0.1:<port>/oidc-callback
 *     return yield* redirect.callback
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const listen = (
  options: LoopbackRedirect.Options = {}
): Effect.Effect<LoopbackRedirect.LoopbackRedirect, LoopbackRedirect.LoopbackRedirectError, Scope.Scope> =>
  Effect.gen(function*() {
    const path = options.path ?? "/oidc-callback"
    const timeout = Duration.decode(options.timeout ?? Duration.minutes(5))
    const html = options.html ?? LoopbackRedirect.defaultHtml
    const errorHtml = options.errorHtml ?? LoopbackRedirect.defaultErrorHtml
    const received = yield* Deferred.make<URL>()

    const server = yield* Effect.acquireRelease(
      Effect.sync(() => http.createServer()),
      (server) =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )
    let done = false
    // Set once listening. Not read from `server.address()` per request: that is null once the
    // listener is closed, while a kept-alive connection can still deliver a request.
    let origin = "http://127.0.0.1"
    const parse = (target: string): URL | undefined => {
      try {
        return new URL(target, origin)
      } catch {
        return undefined
      }
    }
    const plain = (res: http.ServerResponse, status: number, text: string) => {
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" })
      res.end(text)
    }
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      const url = parse(req.url ?? "/")
      // The Host header must name this listener: a page that rebinds a DNS name to 127.0.0.1 sends its own.
      const host = req.headers.host === undefined ? undefined : `http://${req.headers.host}`
      if (
        req.method !== "GET" || url === undefined || url.origin !== origin || host !== origin ||
        url.pathname !== path || done
      ) {
        return plain(res, 404, "Not found")
      }
      if (options.state !== undefined && url.searchParams.get("state") !== options.state) {
        return plain(res, 400, "This is not the sign-in response the application is waiting for.")
      }
      done = true
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        // The callback URL holds a code: do not leak it to anything the page might load.
        "referrer-policy": "no-referrer",
        connection: "close"
      })
      res.end(url.searchParams.has("error") ? errorHtml : html)
      Deferred.unsafeDone(received, Effect.succeed(url))
    })

    const port = yield* Effect.async<number, LoopbackRedirect.LoopbackRedirectError>((resume) => {
      const onError = (error: Error) =>
        resume(Effect.fail(new LoopbackRedirect.LoopbackRedirectError({ reason: "Listen", detail: error.message })))
      server.once("error", onError)
      server.listen(0, "127.0.0.1", () => {
        server.off("error", onError)
        resume(Effect.succeed((server.address() as AddressInfo).port))
      })
    })
    origin = `http://127.0.0.1:${port}`

    // Stops accepting connections before `callback` yields; the scope's finalizer waits for the
    // open ones to end.
    const stopListening = Effect.sync(() => {
      if (server.listening) server.close()
      server.closeIdleConnections()
    })

    return {
      redirectUri: `${origin}${path}`,
      callback: Deferred.await(received).pipe(
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () =>
            new LoopbackRedirect.LoopbackRedirectError({
              reason: "Timeout",
              detail: `no callback within ${Duration.format(timeout)}`
            })
        }),
        Effect.tap(() => stopListening)
      )
    }
  })

/**
 * Prints `url` for the user and tries to open it in the system's browser (`open` on macOS,
 * `rundll32 url.dll,FileProtocolHandler` on Windows, `xdg-open` elsewhere). A missing opener is
 * ignored: the printed URL is enough. The URL carries no secret (the PKCE verifier never leaves the
 * app).
 *
 * @example
 * ```ts
 * import { NodeLoopbackRedirect } from "@auth-pipeline/platform-node"
 *
 * const effect = NodeLoopbackRedirect.printAndOpen(new URL("https://idp.example.com/authorize"))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const printAndOpen = (url: URL): Effect.Effect<void> =>
  Effect.zipRight(
    Console.error(`Open this URL in a browser to sign in:\n\n  ${url.href}\n`),
    Effect.sync(() => {
      const [command, args]: [string, Array<string>] = process.platform === "darwin"
        ? ["open", [url.href]]
        : process.platform === "win32"
        // Not `cmd /c start`: cmd would split the URL at its first `&`.
        ? ["rundll32", ["url.dll,FileProtocolHandler", url.href]]
        : ["xdg-open", [url.href]]
      try {
        const child = spawn(command, args, { stdio: "ignore", detached: true })
        child.on("error", () => {})
        child.unref()
      } catch {
        // No opener: the printed URL is the fallback.
      }
    })
  )

/**
 * Core's `LoopbackRedirect.Listener` on Node.js: {@link listen} and {@link printAndOpen}.
 *
 * @example
 * ```ts
 * import { NodeLoopbackRedirect } from "@auth-pipeline/platform-node"
 * import { LoopbackRedirect } from "@auth-pipeline/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const listener = yield* LoopbackRedirect.Listener
 *   return listener
 * }).pipe(Effect.provide(NodeLoopbackRedirect.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<LoopbackRedirect.Listener> = Layer.succeed(LoopbackRedirect.Listener, {
  listen,
  open: printAndOpen
})
