import * as LoopbackRedirect from "@auth-pipeline/core/LoopbackRedirect"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import * as http from "node:http"
import * as net from "node:net"
import * as NodeLoopbackRedirect from "../src/NodeLoopbackRedirect.js"

// Real sockets on 127.0.0.1; only the callback's timeout is driven by the TestClock.

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: string
}

const get = (url: string, init?: RequestInit) =>
  Effect.promise(async (): Promise<Answer> => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, body: await response.text() }
  })

const portOf = (redirect: LoopbackRedirect.LoopbackRedirect) => Number(new URL(redirect.redirectUri).port)

/** What a fresh TCP connection to `port` gets: `"connected"` or the error code. */
const connect = (port: number) =>
  Effect.promise(() =>
    new Promise<string>((resolve) => {
      const socket = net.connect(port, "127.0.0.1")
      socket.once("connect", () => {
        socket.destroy()
        resolve("connected")
      })
      socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
    })
  )

/** An open TCP connection for requests written by hand. */
const rawConnection = (port: number) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<net.Socket>((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1", () => resolve(socket))
        socket.once("error", reject)
      })
    ),
    (socket) => Effect.sync(() => socket.destroy())
  )

/** Writes `data` and reads until the peer has sent a complete response head (or closed). */
const exchange = (socket: net.Socket, data: string) =>
  Effect.promise(() =>
    new Promise<string>((resolve) => {
      let received = ""
      const done = () => {
        socket.off("data", onData)
        socket.off("close", done)
        socket.off("error", done)
        resolve(received)
      }
      const onData = (chunk: Buffer) => {
        received += chunk.toString("utf8")
        // Pages are sent chunked: a response ends with the last chunk (or the connection closing).
        if (/\r\n0\r\n\r\n$/.test(received)) done()
      }
      socket.on("data", onData)
      socket.once("close", done)
      socket.once("error", done)
      socket.write(data)
    })
  )

describe("LoopbackRedirect.listen", () => {
  it.scoped("listens on 127.0.0.1 with an ephemeral port: redirectUri is http://127.0.0.1:<port>/oidc-callback", () =>
    Effect.gen(function*() {
      const redirect = yield* NodeLoopbackRedirect.listen()
      expect(redirect.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oidc-callback$/)
      expect(portOf(redirect)).toBeGreaterThan(0)
      expect(yield* connect(portOf(redirect))).toBe("connected")
      const other = yield* NodeLoopbackRedirect.listen({ path: "/cb" })
      expect(other.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cb$/)
      expect(portOf(other)).not.toBe(portOf(redirect))
    }))

  it.scoped("resolves callback with the full URL, query included, and answers 200 with a no-store HTML page", () =>
    Effect.gen(function*() {
      const redirect = yield* NodeLoopbackRedirect.listen()
      const waiting = yield* Effect.fork(redirect.callback)
      const query = "?code=c0de%2B1&state=st4te&iss=https%3A%2F%2Fauth.example.com"
      const answer = yield* get(redirect.redirectUri + query)
      expect(answer.status).toBe(200)
      expect(answer.headers.get("content-type")).toBe("text/html; charset=utf-8")
      expect(answer.headers.get("cache-control")).toBe("no-store")
      expect(answer.headers.get("referrer-policy")).toBe("no-referrer")
      expect(answer.body).toBe(LoopbackRedirect.defaultHtml)
      const url = yield* Fiber.join(waiting)
      expect(url.href).toBe(redirect.redirectUri + query)
      expect(url.searchParams.get("code")).toBe("c0de+1")
      expect(url.searchParams.get("iss")).toBe("https://auth.example.com")
    }))

  it.scoped("yields a callback that arrived before anyone waited for it", () =>
    Effect.gen(function*() {
      const redirect = yield* NodeLoopbackRedirect.listen()
      yield* get(redirect.redirectUri + "?code=early&state=s")
      expect((yield* redirect.callback).searchParams.get("code")).toBe("early")
    }))

  it.scoped("serves the page given in the options", () =>
    Effect.gen(function*() {
      const redirect = yield* NodeLoopbackRedirect.listen({ html: "<p>Done, back to the terminal.</p>" })
      expect((yield* get(redirect.redirectUri + "?code=c&state=s")).body).toBe("<p>Done, back to the terminal.</p>")
    }))

  it.scoped("answers 404 to a request whose Host is not the listener (DNS rebinding), and keeps waiting", () =>
    Effect.gen(function*() {
      const redirect = yield* NodeLoopbackRedirect.listen()
      const waiting = yield* Effect.fork(redirect.callback)
      const status = yield* Effect.promise(() =>
        new Promise<number>((resolve, reject) => {
          const req = http.request(
            {
              host: "127.0.0.1",
              port: portOf(redirect),
              path: "/oidc-callback?code=c&state=s",
              headers: { host: "evil.example.com" }
            },
            (res) => {
              res.resume()
              resolve(res.statusCode ?? 0)
            }
          )
          req.once("error", reject)
          req.end()
        })
      )
      expect(status).toBe(404)
      expect(Option.isNone(yield* Fiber.poll(waiting))).toBe(true)
      expect((yield* get(redirect.redirectUri + "?code=c&state=s")).status).toBe(200)
      expect((yield* Fiber.join(waiting)).href).toBe(redirect.redirectUri + "?code=c&state=s")
    }))

  it.scoped("with the request's state, anything else reaching the path gets 400 and the real callback still lands", () =>
    Effect.gen(function*() {
      const redirect = yield* NodeLoopbackRedirect.listen({ state: "st-1" })
      const waiting = yield* Effect.fork(redirect.callback)
      expect((yield* get(redirect.redirectUri)).status).toBe(400)
      expect((yield* get(redirect.redirectUri + "?code=x&state=forged")).status).toBe(400)
      expect(Option.isNone(yield* Fiber.poll(waiting))).toBe(true)
      const real = yield* get(redirect.redirectUri + "?code=c&state=st-1")
      expect(real.status).toBe(200)
      expect((yield* Fiber.join(waiting)).searchParams.get("code")).toBe("c")
    }))

  it.scoped("shows the error page for a callback that carries an error", () =>
    Effect.gen(function*() {
      const redirect = yield* NodeLoopbackRedirect.listen({ state: "st-1" })
      const answer = yield* get(redirect.redirectUri + "?error=access_denied&state=st-1")
      expect(answer.status).toBe(200)
      expect(answer.body).toBe(LoopbackRedirect.defaultErrorHtml)
      expect((yield* redirect.callback).searchParams.get("error")).toBe("access_denied")
    }))

  it.scoped("answers 404 to other paths and methods without resolving the callback", () =>
    Effect.gen(function*() {
      const redirect = yield* NodeLoopbackRedirect.listen()
      const waiting = yield* Effect.fork(redirect.callback)
      const origin = new URL(redirect.redirectUri).origin
      for (const path of ["/", "/favicon.ico", "/oidc-callback/extra", "/OIDC-CALLBACK", "/other?code=x&state=y"]) {
        const answer = yield* get(origin + path)
        expect(answer.status, path).toBe(404)
        expect(answer.headers.get("cache-control"), path).toBe("no-store")
      }
      expect((yield* get(redirect.redirectUri + "?code=x", { method: "POST", body: "code=x" })).status).toBe(404)
      expect(Option.isNone(yield* Fiber.poll(waiting))).toBe(true)

      expect((yield* get(redirect.redirectUri + "?code=right&state=s")).status).toBe(200)
      expect((yield* Fiber.join(waiting)).searchParams.get("code")).toBe("right")
    }))

  it.scoped("answers 404 to request targets that name another host or do not parse", () =>
    Effect.gen(function*() {
      const redirect = yield* NodeLoopbackRedirect.listen()
      const waiting = yield* Effect.fork(redirect.callback)
      const targets = [
        "//evil.example.com/oidc-callback?code=x&state=s",
        "http://evil.example.com/oidc-callback?code=x&state=s",
        "http://[",
        "*"
      ]
      for (const target of targets) {
        const socket = yield* rawConnection(portOf(redirect))
        const answer = yield* exchange(socket, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${portOf(redirect)}\r\n\r\n`)
        expect(answer, target).toMatch(/^HTTP\/1\.1 404/)
      }
      expect(Option.isNone(yield* Fiber.poll(waiting))).toBe(true)
      const socket = yield* rawConnection(portOf(redirect))
      const absolute = yield* exchange(
        socket,
        `GET ${redirect.redirectUri}?code=abs&state=s HTTP/1.1\r\nHost: 127.0.0.1:${
          portOf(redirect)
        }\r\nConnection: close\r\n\r\n`
      )
      expect(absolute).toMatch(/^HTTP\/1\.1 200/)
      expect((yield* Fiber.join(waiting)).href).toBe(`${redirect.redirectUri}?code=abs&state=s`)
    }))

  it.scoped("answers 404 to a second callback and keeps the first", () =>
    Effect.gen(function*() {
      const redirect = yield* NodeLoopbackRedirect.listen()
      expect((yield* get(redirect.redirectUri + "?code=first&state=s")).status).toBe(200)
      const second = yield* get(redirect.redirectUri + "?code=second&state=s")
      expect(second.status).toBe(404)
      expect(second.body).not.toBe(LoopbackRedirect.defaultHtml)
      expect((yield* redirect.callback).searchParams.get("code")).toBe("first")
      expect((yield* redirect.callback).searchParams.get("code")).toBe("first")
    }))

  it.scoped("stops listening once the callback is yielded: a new connection is refused", () =>
    Effect.gen(function*() {
      const redirect = yield* NodeLoopbackRedirect.listen()
      yield* get(redirect.redirectUri + "?code=c&state=s")
      yield* redirect.callback
      expect(yield* connect(portOf(redirect))).toBe("ECONNREFUSED")
    }))

  it.scoped("answers 404 to a request still arriving on an open connection after the callback", () =>
    Effect.gen(function*() {
      const redirect = yield* NodeLoopbackRedirect.listen()
      const socket = yield* rawConnection(portOf(redirect))
      // A request whose body has not arrived keeps this connection busy while the listener closes.
      const first = yield* exchange(
        socket,
        `POST /other HTTP/1.1\r\nHost: 127.0.0.1:${portOf(redirect)}\r\nContent-Length: 4\r\n\r\n`
      )
      expect(first).toMatch(/^HTTP\/1\.1 404/)

      yield* get(redirect.redirectUri + "?code=c&state=s")
      yield* redirect.callback
      expect(yield* connect(portOf(redirect))).toBe("ECONNREFUSED")

      const late = yield* exchange(
        socket,
        "body" + `GET /oidc-callback?code=late&state=s HTTP/1.1\r\nHost: 127.0.0.1:${portOf(redirect)}\r\n\r\n`
      )
      expect(late).toMatch(/^HTTP\/1\.1 404/)
      expect((yield* redirect.callback).searchParams.get("code")).toBe("c")
    }))

  it.effect("closes the listener when its scope closes, keep-alive connections included", () =>
    Effect.gen(function*() {
      const port = yield* Effect.scoped(
        Effect.gen(function*() {
          const redirect = yield* NodeLoopbackRedirect.listen()
          // fetch keeps this connection alive in its pool.
          expect((yield* get(new URL(redirect.redirectUri).origin + "/favicon.ico")).status).toBe(404)
          return portOf(redirect)
        })
      )
      expect(yield* connect(port)).toBe("ECONNREFUSED")
    }))

  it.effect("closes the listener when its scope closes after a callback", () =>
    Effect.gen(function*() {
      const port = yield* Effect.scoped(
        Effect.gen(function*() {
          const redirect = yield* NodeLoopbackRedirect.listen()
          yield* get(redirect.redirectUri + "?code=c&state=s")
          yield* redirect.callback
          return portOf(redirect)
        })
      )
      expect(yield* connect(port)).toBe("ECONNREFUSED")
    }))

  it.scoped("fails callback with Timeout when nothing arrives within 5 minutes", () =>
    Effect.gen(function*() {
      const redirect = yield* NodeLoopbackRedirect.listen()
      const waiting = yield* Effect.fork(redirect.callback)
      yield* TestClock.adjust("4 minutes")
      expect(Option.isNone(yield* Fiber.poll(waiting))).toBe(true)
      yield* TestClock.adjust("1 minute")
      const error = yield* Effect.flip(Fiber.join(waiting))
      expect(error._tag).toBe("LoopbackRedirectError")
      expect(error.reason).toBe("Timeout")
      expect(error.message).toBe("Loopback redirect failed (Timeout): no callback within 5m")
    }))

  it.scoped("honours a custom timeout", () =>
    Effect.gen(function*() {
      const redirect = yield* NodeLoopbackRedirect.listen({ timeout: "30 seconds" })
      const waiting = yield* Effect.fork(redirect.callback)
      yield* TestClock.adjust("29 seconds")
      expect(Option.isNone(yield* Fiber.poll(waiting))).toBe(true)
      yield* TestClock.adjust("1 second")
      expect((yield* Effect.flip(Fiber.join(waiting))).reason).toBe("Timeout")
    }))
})
