import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as Headers from "@effect/platform/Headers"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { display } from "./urlPolicy.js"

/** A response read in full: status, headers and the body as text (at most the cap). */
export interface Answer {
  readonly status: number
  readonly headers: Headers.Headers
  readonly text: string
}

/**
 * The endpoint answered, but not in a way that is read: a redirect (never followed), or a body
 * larger than the cap. Callers turn it into their own typed error.
 */
export class Refused extends Data.TaggedError("ExchangeRefused")<{
  readonly reason: "Redirect" | "TooLarge"
  /** The HTTP status; 0 for an opaque redirect (fetch with `redirect: "manual"` in a browser). */
  readonly status: number
  readonly detail: string
}> {}

/**
 * Redirects are not followed: `fetch` is told `redirect: "manual"` (other `RequestInit` fields
 * set in the fiber's context are kept); Node's http and undici clients do not follow by default.
 */
export const withoutRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.serviceOption(FetchHttpClient.RequestInit),
    (init) =>
      Effect.provideService(effect, FetchHttpClient.RequestInit, {
        ...Option.getOrElse(init, () => ({})),
        redirect: "manual"
      })
  )

const isRedirect = (status: number): boolean => status === 0 || (status >= 300 && status < 400)

const redirect = (request: HttpClientRequest.HttpClientRequest, response: HttpClientResponse.HttpClientResponse) => {
  const location = response.headers["location"]
  let target = ""
  if (location !== undefined) {
    try {
      target = ` to ${display(new URL(location, request.url).toString())}`
    } catch {
      target = ""
    }
  }
  return new Refused({
    reason: "Redirect",
    status: response.status,
    detail: response.status === 0
      ? "an opaque redirect; redirects are not followed"
      : `HTTP ${response.status} redirect${target}; redirects are not followed`
  })
}

const tooLarge = (status: number, maxBytes: number) =>
  new Refused({ reason: "TooLarge", status, detail: `the body is larger than ${maxBytes} bytes` })

/** Reads the body as a stream and stops as soon as it passes `maxBytes`. */
const readCapped = (
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number
): Effect.Effect<string, Refused | HttpClientError.ResponseError> => {
  const declared = Number(response.headers["content-length"])
  if (Number.isFinite(declared) && declared > maxBytes) return Effect.fail(tooLarge(response.status, maxBytes))
  return Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    return Stream.runFoldEffect(
      response.stream,
      0,
      (size, chunk): Effect.Effect<number, Refused> => {
        const next = size + chunk.length
        if (next > maxBytes) return Effect.fail(tooLarge(response.status, maxBytes))
        chunks.push(chunk)
        return Effect.succeed(next)
      }
    ).pipe(
      Effect.map((size) => {
        const body = new Uint8Array(size)
        let offset = 0
        for (const chunk of chunks) {
          body.set(chunk, offset)
          offset += chunk.length
        }
        return new TextDecoder().decode(body)
      })
    )
  })
}

/**
 * The one way a token, revocation, discovery or JWKS request is executed: redirects are never
 * followed (any 3xx, or an opaque redirect, is `Refused` with reason `Redirect`), and the body is
 * read up to `maxBytes` (beyond: `TooLarge`). The connection is released when it returns.
 */
export const exchange = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  maxBytes: number
): Effect.Effect<Answer, Refused | HttpClientError.HttpClientError> =>
  withoutRedirects(client.execute(request)).pipe(
    Effect.flatMap((response) =>
      isRedirect(response.status)
        ? Effect.fail(redirect(request, response))
        : Effect.map(readCapped(response, maxBytes), (text) => ({
          status: response.status,
          headers: response.headers,
          text
        }))
    ),
    Effect.scoped
  )
