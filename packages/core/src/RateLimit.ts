/**
 * API rate limits: the `X-RateLimit-Limit` / `-Remaining` / `-Reset` headers and `Retry-After`,
 * a typed {@link RateLimited} error for a 429, and middleware that can wait for the window to
 * reset and re-send once.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import { parseRetryAfter } from "./internal/tokenRequest.js"
import * as Metrics from "./Metrics.js"

/**
 * What a response says about the rate limit.
 *
 * @example
 * ```ts
 * import { RateLimit } from "@auth-pipeline/core"
 *
 * const info: RateLimit.RateLimitInfo = RateLimit.fromHeaders({ "x-ratelimit-remaining": "0" }, Date.now())
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimitInfo {
  /** `X-RateLimit-Limit`: requests allowed in the window. */
  readonly limit: Option.Option<number>
  /** `X-RateLimit-Remaining`: requests left in the window. */
  readonly remaining: Option.Option<number>
  /** `X-RateLimit-Reset`: time until the window resets (seconds, or an epoch timestamp in seconds). */
  readonly reset: Option.Option<Duration.Duration>
  /** `Retry-After`, seconds or an HTTP date. */
  readonly retryAfter: Option.Option<Duration.Duration>
}

const integer = (value: string | undefined): Option.Option<number> =>
  value !== undefined && /^\s*\d+\s*$/.test(value) ? Option.some(Number(value)) : Option.none()

/**
 * Reads the rate-limit headers of a response; `now` (epoch ms) resolves dates and epoch resets.
 *
 * @example
 * ```ts
 * import { RateLimit } from "@auth-pipeline/core"
 * import { Duration, Option } from "effect"
 *
 * const info = RateLimit.fromHeaders(
 *   { "x-ratelimit-limit": "100", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "30" },
 *   Date.now()
 * )
 * assert.deepStrictEqual(info.remaining, Option.some(0))
 * assert.deepStrictEqual(info.reset, Option.some(Duration.seconds(30)))
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromHeaders = (headers: Readonly<Record<string, string>>, now: number): RateLimitInfo => ({
  limit: integer(headers["x-ratelimit-limit"]),
  remaining: integer(headers["x-ratelimit-remaining"]),
  reset: Option.map(integer(headers["x-ratelimit-reset"]), (n) =>
    // Values that look like epoch seconds are absolute; the rest are seconds from now.
    n > 1_000_000_000 ? Duration.millis(Math.max(0, n * 1000 - now)) : Duration.seconds(n)),
  retryAfter: parseRetryAfter(headers["retry-after"], now)
})

/**
 * How long to wait before the next attempt: `Retry-After`, else the window reset.
 *
 * @example
 * ```ts
 * import { RateLimit } from "@auth-pipeline/core"
 * import { Duration, Option } from "effect"
 *
 * const info = RateLimit.fromHeaders({ "retry-after": "5", "x-ratelimit-reset": "30" }, Date.now())
 * assert.deepStrictEqual(RateLimit.waitTime(info), Option.some(Duration.seconds(5)))
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const waitTime = (info: RateLimitInfo): Option.Option<Duration.Duration> =>
  Option.orElse(info.retryAfter, () => info.reset)

/**
 * The API answered 429 Too Many Requests (after the one wait-and-retry, when enabled).
 *
 * @example
 * ```ts
 * import { RateLimit } from "@auth-pipeline/core"
 * import type { HttpClient } from "@effect/platform"
 * import { Effect, Option } from "effect"
 *
 * const listPayments = (client: HttpClient.HttpClient.With<RateLimit.RateLimited>) =>
 *   client.get("https://api.example.com/payments").pipe(
 *     Effect.catchTag("RateLimited", (error) =>
 *       Effect.logWarning(`rate limited; wait ${Option.getOrElse(RateLimit.waitTime(error), () => "unknown")}`))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Data.TaggedError("RateLimited")<
  RateLimitInfo & {
    /** The HTTP method of the request. */
    readonly method: string
    /** The request URL without its query string. */
    readonly url: string
    /** The HTTP status (429). */
    readonly status: number
    /** Whether the request was re-sent once after waiting. */
    readonly retried: boolean
  }
> {
  /**
   * The request, the remaining/limit counts and the reset time, when the headers said.
   *
   * @since 0.1.0
   */
  override get message(): string {
    const n = (o: Option.Option<number>) => Option.match(o, { onNone: () => "?", onSome: String })
    const wait = Option.match(waitTime(this), { onNone: () => "", onSome: (d) => `; resets in ${Duration.format(d)}` })
    return `${this.method} ${this.url} was rate limited (HTTP ${this.status}, ${n(this.remaining)}/${
      n(this.limit)
    } left${wait})${this.retried ? " after one retry" : ""}`
  }
}

/**
 * How {@link make} treats a 429.
 *
 * @example
 * ```ts
 * import type { RateLimit } from "@auth-pipeline/core"
 *
 * const options: RateLimit.Options = { retryOnce: true, maxWait: "10 seconds" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Wait for the window to reset and re-send once. Default `false`. */
  readonly retryOnce?: boolean | undefined
  /** The longest wait before that one retry; a longer reset fails at once. Default 60 s. */
  readonly maxWait?: Duration.DurationInput | undefined
  /** The `provider` tag of the wait metrics (`Metrics.rateLimitWaits`). Default `"default"`. */
  readonly name?: string | undefined
}

/**
 * Wraps a client so a 429 becomes a typed {@link RateLimited} error carrying the rate-limit
 * headers; with `retryOnce`, it first waits (`Retry-After`, else `X-RateLimit-Reset`, at most
 * `maxWait`) and re-sends the request once.
 *
 * @example
 * ```ts
 * import { RateLimit } from "@auth-pipeline/core"
 * import { FetchHttpClient, HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = RateLimit.make(yield* HttpClient.HttpClient, { retryOnce: true, maxWait: "10 seconds" })
 *   return yield* client.get("https://api.example.com/payments")
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <E, R>(
  client: HttpClient.HttpClient.With<E, R>,
  options: Options = {}
): HttpClient.HttpClient.With<E | RateLimited, R> => {
  const maxWait = Duration.decode(options.maxWait ?? "60 seconds")
  const provider = options.name ?? "default"
  const waited = (wait: Duration.Duration) =>
    Effect.zipRight(
      Metric.increment(Metric.tagged(Metrics.rateLimitWaits, Metrics.providerTag, provider)),
      Metric.update(
        Metric.tagged(Metrics.rateLimitWaitDuration, Metrics.providerTag, provider),
        Duration.toMillis(wait) / 1000
      )
    )
  const failWith = (
    request: HttpClientRequest.HttpClientRequest,
    response: HttpClientResponse.HttpClientResponse,
    retried: boolean
  ) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.zipRight(
        Effect.ignore(response.arrayBuffer),
        Effect.fail(
          new RateLimited({
            ...fromHeaders(response.headers, now),
            method: request.method,
            url: request.url.split("?")[0]!,
            status: response.status,
            retried
          })
        )
      ))
  const send = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.flatMap(client.execute(request), (response) => {
      if (response.status !== 429) return Effect.succeed(response)
      if (!options.retryOnce) return failWith(request, response, false)
      return Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const wait = Option.getOrElse(waitTime(fromHeaders(response.headers, now)), () => Duration.seconds(1))
        if (Duration.greaterThan(wait, maxWait)) return failWith(request, response, false)
        return Effect.ignore(response.arrayBuffer).pipe(
          Effect.zipRight(Effect.sleep(wait)),
          Effect.zipRight(waited(wait)),
          Effect.zipRight(client.execute(request)),
          Effect.flatMap((second) => (second.status === 429 ? failWith(request, second, true) : Effect.succeed(second)))
        )
      })
    })
  return HttpClient.makeWith<never, never, E | RateLimited, R>(
    (requestEffect) => Effect.flatMap(requestEffect, send),
    Effect.succeed
  )
}
