/**
 * An `HttpClient` that answers from emulators without a socket: the emulator app runs in the
 * caller's fiber, so `TestClock` drives token expiry and injected delays.
 *
 * @internal
 */
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type { Emulator } from "../Emulator.js"

/** The address the emulators see for in-memory callers. */
export const remoteAddress = "127.0.0.1"

export const routes = (emulators: Iterable<Emulator>): ReadonlyMap<string, Emulator> => {
  const table = new Map<string, Emulator>()
  for (const emulator of emulators) {
    for (const host of emulator.hosts.map((h) => h.toLowerCase())) {
      const taken = table.get(host)
      if (taken !== undefined && taken !== emulator) {
        throw new Error(`Host ${host} is claimed by both the ${taken.name} and the ${emulator.name} emulator`)
      }
      table.set(host, emulator)
    }
  }
  return table
}

const concat = (chunks: Chunk.Chunk<Uint8Array>): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(Chunk.reduce(chunks, 0, (n, c) => n + c.length))
  Chunk.reduce(chunks, 0, (offset, c) => {
    out.set(c, offset)
    return offset + c.length
  })
  return out
}

const bodyInit = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<BodyInit | undefined, HttpClientError.RequestError> => {
  const body: HttpBody.HttpBody = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(undefined)
    case "Raw":
      return Effect.succeed(body.body as BodyInit)
    case "Uint8Array":
      return Effect.succeed(new Uint8Array(body.body))
    case "FormData":
      return Effect.succeed(body.formData)
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map(concat),
        Effect.mapError((cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause }))
      )
  }
}

const transportError = (request: HttpClientRequest.HttpClientRequest, description: string, cause?: unknown) =>
  new HttpClientError.RequestError({ request, reason: "Transport", description, cause })

export const make = (emulators: Iterable<Emulator>): HttpClient.HttpClient => {
  const table = routes(emulators)
  return HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const emulator = table.get(url.hostname.toLowerCase())
      if (emulator === undefined) {
        return yield* transportError(request, `No emulator answers for host ${url.hostname}`)
      }
      const body = yield* bodyInit(request)
      const webRequest = yield* Effect.try({
        try: () =>
          new Request(url, {
            method: request.method,
            headers: Object.entries(request.headers),
            ...(body === undefined ? {} : { body })
          }),
        catch: (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause })
      })
      const serverRequest = HttpServerRequest.fromWeb(webRequest).modify({ remoteAddress })
      const response = yield* emulator.app.pipe(
        Effect.provideService(HttpServerRequest.HttpServerRequest, serverRequest),
        Effect.catchTag("ConnectionDropped", (dropped) => transportError(request, dropped.message, dropped))
      )
      const webResponse = HttpServerResponse.toWeb(response, { withoutBody: request.method === "HEAD" })
      return HttpClientResponse.fromWeb(request, webResponse)
    })
  )
}

export const layer = (emulators: Iterable<Emulator>): Layer.Layer<HttpClient.HttpClient> =>
  Layer.sync(HttpClient.HttpClient, () => make(emulators))
