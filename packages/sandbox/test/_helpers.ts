/**
 * Test helpers: plain HttpClientRequest calls, no client library.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import type * as Emulator from "../src/Emulator.js"
import * as InMemory from "../src/InMemory.js"

export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly text: string
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly body: any
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Sends the request with the `HttpClient` in context and reads the whole reply. */
export const send = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<Reply, HttpClientError.HttpClientError, HttpClient.HttpClient> =>
  Effect.flatMap(
    HttpClient.HttpClient,
    (client) =>
      Effect.flatMap(client.execute(request), (response) =>
        Effect.map(
          response.text,
          (text) => ({ status: response.status, headers: response.headers, text, body: parse(text) })
        ))
  )

/** `application/x-www-form-urlencoded` encoding of one value, as RFC 6749 Appendix B asks. */
export const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2)

/** `Authorization: Basic` the RFC 6749 way: form-encode id and secret, join with `:`, base64. */
export const basic = (clientId: string, clientSecret: string): string =>
  "Basic " + Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`, "utf8").toString("base64")

/** `Authorization: Basic` WITHOUT the form-encoding step (what `echo -n id:secret | base64` does). */
export const naiveBasic = (clientId: string, clientSecret: string): string =>
  "Basic " + Buffer.from(`${clientId}:${clientSecret}`, "utf8").toString("base64")

/** A form post. */
export const postForm = (
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {}
): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUrlParams(params), HttpClientRequest.setHeaders(headers))

/** A GET with a bearer token. */
export const getWithBearer = (url: string, token: string): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.get(url).pipe(HttpClientRequest.bearerToken(token))

/** Waits until some fiber sleeps on the TestClock, so `TestClock.adjust` reaches it. */
export const untilSleeping: Effect.Effect<void> = Effect.gen(function*() {
  while (Chunk.isEmpty(yield* TestClock.sleeps())) yield* Effect.yieldNow()
})

/** Runs `f` with an `HttpClient` answered in memory by the emulator. */
export const using = <A, E, R>(
  make: Effect.Effect<Emulator.Emulator>,
  f: (emulator: Emulator.Emulator) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, Exclude<R, HttpClient.HttpClient>> =>
  Effect.flatMap(make, (emulator) => Effect.provide(f(emulator), InMemory.layer(emulator)))
