/**
 * The redirect receiver of a native app's login (RFC 8252 §7.3): a one-shot HTTP listener on
 * `127.0.0.1` with a port chosen by the operating system. Its URL is the `redirect_uri`; the first
 * request to its path is the callback, answered with a small page telling the user to go back to
 * the app. The listener lives in the current Scope and is closed after the callback or when the
 * scope closes. Node.js only (`node:http`).
 *
 * @since 0.1.0
 */
import { spawn } from "node:child_process"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type { Scope } from "effect"
import { Console, Data, Deferred, Duration, Effect } from "effect"

/**
 * The listener could not start (`Listen`), or no callback arrived in time (`Timeout`).
 *
 * @since 0.1.0
 * @category errors
 */
export class LoopbackRedirectError extends Data.TaggedError("LoopbackRedirectError")<{
  readonly reason: "Listen" | "Timeout"
  readonly detail: string
}> {
  /** @since 0.1.0 */
  override get message(): string {
    return `Loopback redirect failed (${this.reason}): ${this.detail}`
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LoopbackRedirect {
  /** `http://127.0.0.1:<port><path>`: the redirect URI to put in the authorization request. */
  readonly redirectUri: string
  /**
   * Waits for the callback and yields its full URL (query included); the listener closes once it
   * has answered. Fails with `Timeout` after the configured time.
   */
  readonly callback: Effect.Effect<URL, LoopbackRedirectError>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The callback path. Default `/oidc-callback`. */
  readonly path?: string | undefined
  /** How long to wait for the user. Default 5 minutes. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * The `state` of the authorization request. When set, only a request carrying exactly this
   * `state` is the callback: anything else reaching the path (another local process, a web page
   * probing loopback ports) gets 400 and the listener keeps waiting for the real one.
   */
  readonly state?: string | undefined
  /** The page shown in the browser after a successful callback. */
  readonly html?: string | undefined
  /** The page shown in the browser after a callback carrying an `error`. */
  readonly errorHtml?: string | undefined
}

/**
 * The page shown after the callback by default.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultHtml =
  "<!doctype html><meta charset=utf-8><title>Signed in</title><p>You can close this window and return to the application.</p>"

/**
 * The page shown after a callback that carries an `error` (the user declined, or the provider
 * refused the request); the application reports the reason.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultErrorHtml =
  "<!doctype html><meta charset=utf-8><title>Sign-in failed</title><p>Sign-in did not complete. You can close this window; the application tells why.</p>"

/**
 * Starts the listener on `127.0.0.1` (the literal address, not `localhost`, as RFC 8252 §8.3
 * recommends) with an ephemeral port.
 *
 * @since 0.1.0
 * @category constructors
 */
export const listen = (options: Options = {}): Effect.Effect<LoopbackRedirect, LoopbackRedirectError, Scope.Scope> =>
  Effect.gen(function*() {
    const path = options.path ?? "/oidc-callback"
    const timeout = Duration.decode(options.timeout ?? Duration.minutes(5))
    const html = options.html ?? defaultHtml
    const errorHtml = options.errorHtml ?? defaultErrorHtml
    const received = yield* Deferred.make<URL>()

    const server = yield* Effect.acquireRelease(
      Effect.sync(() =>
        http.createServer()
      ),
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

    const port = yield* Effect.async<number, LoopbackRedirectError>((resume) => {
      const onError = (error: Error) =>
        resume(Effect.fail(new LoopbackRedirectError({ reason: "Listen", detail: error.message })))
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
            new LoopbackRedirectError({ reason: "Timeout", detail: `no callback within ${Duration.format(timeout)}` })
        }),
        Effect.tap(() => stopListening)
      )
    }
  })

/**
 * Prints `url` for the user and tries to open it in the system's browser (`open` on macOS,
 * `rundll32 url.dll,FileProtocolHandler` on Windows, `xdg-open` elsewhere). A missing opener is ignored: the printed URL
 * is enough. The URL carries no secret (the PKCE verifier never leaves the app).
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
