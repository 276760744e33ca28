import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { validateUrl } from "../TokenEndpoint.js"
import { exchange } from "./exchange.js"
import { excerptText } from "./redact.js"
import { invalidPaths } from "./schemaIssues.js"

/** Why a published document (discovery, JWKS) could not be used. */
export type DocumentFailure = {
  readonly reason:
    | "InvalidUrl"
    | "Transport"
    | "Timeout"
    | "Status"
    | "NotJson"
    | "InvalidDocument"
    | "Redirect"
    | "TooLarge"
  readonly url: string
  readonly status?: number | undefined
  readonly detail: string
}

/**
 * GETs a public JSON document over https (or http on loopback) and decodes it with `schema`.
 * No credentials are sent; bodies are public, but excerpts are scrubbed all the same. A redirect
 * is not followed (`Redirect`) and at most `maxBytes` of the body are read (`TooLarge`).
 */
export const fetchDocument = <A, I>(
  url: string,
  schema: Schema.Schema<A, I>,
  timeout: Duration.DurationInput,
  maxBytes: number
): Effect.Effect<A, DocumentFailure, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const parsed = validateUrl(url)
    if (Either.isLeft(parsed)) {
      return yield* Effect.fail<DocumentFailure>({ reason: "InvalidUrl", url, detail: parsed.left.detail })
    }
    const client = yield* HttpClient.HttpClient
    const request = HttpClientRequest.get(parsed.right).pipe(HttpClientRequest.acceptJson)
    const { status, text } = yield* exchange(client, request, maxBytes).pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: (): DocumentFailure => ({
          reason: "Timeout",
          url,
          detail: `no answer within ${Duration.format(Duration.decode(timeout))}`
        })
      }),
      Effect.catchTag("RequestError", "ResponseError", (e) =>
        Effect.fail<DocumentFailure>({ reason: "Transport", url, detail: e.message })),
      Effect.catchTag("ExchangeRefused", (e) =>
        Effect.fail<DocumentFailure>({ reason: e.reason, url, status: e.status, detail: e.detail }))
    )
    if (status < 200 || status >= 300) {
      return yield* Effect.fail<DocumentFailure>({
        reason: "Status",
        url,
        status,
        detail: `HTTP ${status}: ${excerptText(text, [])}`
      })
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return yield* Effect.fail<DocumentFailure>({ reason: "NotJson", url, status, detail: "the body is not JSON" })
    }
    return yield* Schema.decodeUnknown(schema, { errors: "all" })(json).pipe(
      Effect.mapError((e): DocumentFailure => ({
        reason: "InvalidDocument",
        url,
        status,
        detail: `invalid or missing member(s): ${invalidPaths(e, "(document)")}`
      }))
    )
  })

/**
 * A value loaded on first use and kept for `ttl`; a failure is never kept (the next caller tries
 * again), and concurrent callers share one load.
 */
export const cachedSuccess = <A, E>(
  load: Effect.Effect<A, E>,
  ttl: Duration.DurationInput
): Effect.Effect<{ readonly get: Effect.Effect<A, E>; readonly reload: Effect.Effect<A, E> }> =>
  Effect.gen(function*() {
    const ttlMillis = Duration.toMillis(Duration.decode(ttl))
    let current: { readonly value: A; readonly loadedAt: number } | undefined
    const lock = yield* Effect.makeSemaphore(1)
    const reloadUnlocked = Effect.tap(
      Effect.zip(load, Effect.clockWith((clock) => clock.currentTimeMillis)),
      ([value, loadedAt]) => Effect.sync(() => (current = { value, loadedAt }))
    ).pipe(Effect.map(([value]) => value))
    const fresh = (now: number) => current !== undefined && now - current.loadedAt < ttlMillis
    const get = Effect.flatMap(
      Effect.clockWith((clock) => clock.currentTimeMillis),
      (now) =>
        fresh(now) ? Effect.succeed(current!.value) : lock.withPermits(1)(
          Effect.flatMap(
            Effect.clockWith((clock) => clock.currentTimeMillis),
            (now) => fresh(now) ? Effect.succeed(current!.value) : reloadUnlocked
          )
        )
    )
    return { get, reload: lock.withPermits(1)(reloadUnlocked) }
  })
