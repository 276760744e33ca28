/**
 * A fake network for tests: an `HttpClient` that records every request and answers from a handler.
 */
import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { Effect, Ref } from "effect"

export interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export interface Reply {
  /** Fail with a transport error (a dropped connection) instead of answering. */
  readonly drop?: string
  readonly status?: number
  readonly json?: unknown
  readonly text?: string
  readonly headers?: Readonly<Record<string, string>>
}

export type Handler<R = never> = (request: Recorded, index: number) => Effect.Effect<Reply, never, R>

const bodyText = (body: unknown): string => {
  const b = body as { _tag: string; body?: Uint8Array }
  return b._tag === "Uint8Array" && b.body !== undefined ? new TextDecoder().decode(b.body) : ""
}

/** Builds the fake client; `requests` reads what it received so far. */
export const _fakeHttp = <R = never>(handler: Handler<R>) =>
  Effect.gen(function*() {
    const requests = yield* Ref.make<ReadonlyArray<Recorded>>([])
    const context = yield* Effect.context<R>()
    const client = HttpClient.make((request, url) =>
      Effect.gen(function*() {
        const recorded: Recorded = {
          method: request.method,
          url: url.toString(),
          headers: { ...request.headers },
          body: bodyText(request.body)
        }
        const index = yield* Ref.modify(requests, (rs) => [rs.length, [...rs, recorded]])
        const reply = yield* Effect.provide(handler(recorded, index), context)
        if (reply.drop !== undefined) {
          return yield* new HttpClientError.RequestError({ request, reason: "Transport", description: reply.drop })
        }
        const text = reply.text ?? (reply.json === undefined ? "" : JSON.stringify(reply.json))
        const headers = new Headers(reply.headers ?? {})
        if (reply.json !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json")
        return HttpClientResponse.fromWeb(request, new Response(text, { status: reply.status ?? 200, headers }))
      })
    )
    return { client, requests: Ref.get(requests) } as const
  })

/** A standard RFC 6749 §5.1 body. */
export const _tokenBody = (overrides: Record<string, unknown> = {}) => ({
  access_token: "at-1",
  token_type: "Bearer",
  expires_in: 3600,
  ...overrides
})
