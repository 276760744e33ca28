/**
 * Faults an emulator can be told to produce instead of its normal answer, with
 * {@link Emulator.Emulator.failNext}.
 *
 * @since 0.1.0
 */

/**
 * Answer with this status, an optional body (a string is sent as is, anything else as JSON) and
 * optional extra headers. Without a body the emulator sends
 * `{"error":"server_error","error_description":"Injected fault (HTTP <status>)"}`.
 *
 * @example
 * ```ts
 * import { Fault } from "@auth-pipeline/sandbox"
 *
 * const fault = Fault.status(429, { headers: { "Retry-After": "2" } })
 * assert.ok(fault._tag === "Status" && fault.status === 429)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Status {
  /** Tells this fault apart. */
  readonly _tag: "Status"
  /** The HTTP status to answer with. */
  readonly status: number
  /** The body: a string as is, anything else as JSON; `undefined` for the default OAuth error body. */
  readonly body: unknown
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Answer with `Content-Type: application/json` and a body that is not valid JSON (a truncated
 * token response), with status 200 unless told otherwise.
 *
 * @example
 * ```ts
 * import { Fault } from "@auth-pipeline/sandbox"
 *
 * const fault = Fault.malformedJson({ status: 500 })
 * assert.deepStrictEqual(fault, { _tag: "MalformedJson", status: 500 })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface MalformedJson {
  /** Tells this fault apart. */
  readonly _tag: "MalformedJson"
  /** The HTTP status sent with the broken body. Default 200. */
  readonly status: number
}

/**
 * Answer 200 OK with an RFC 6749 §5.2 error body (`{"error": ...}`), as some servers do.
 *
 * @example
 * ```ts
 * import { Fault } from "@auth-pipeline/sandbox"
 *
 * const fault = Fault.errorIn200("invalid_client", "Client authentication failed")
 * assert.strictEqual(fault._tag, "ErrorIn200")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorIn200 {
  /** Tells this fault apart. */
  readonly _tag: "ErrorIn200"
  /** The `error` member of the body. */
  readonly error: string
  /** The `error_description` member, left out when `undefined`. */
  readonly errorDescription: string | undefined
}

/**
 * Drop the connection without an answer. In memory the caller's `HttpClient` fails with a
 * transport `RequestError`; over HTTP the socket is destroyed.
 *
 * @example
 * ```ts
 * import { Fault } from "@auth-pipeline/sandbox"
 *
 * const fault: Fault.Drop = { _tag: "Drop" }
 * assert.deepStrictEqual(fault, Fault.drop)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Drop {
  /** Tells this fault apart. */
  readonly _tag: "Drop"
}

/**
 * Everything an emulator can answer instead of its normal response.
 *
 * @example
 * ```ts
 * import { Fault } from "@auth-pipeline/sandbox"
 *
 * const describe = (fault: Fault.Fault): string =>
 *   fault._tag === "Status" ? `HTTP ${fault.status}` : fault._tag
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Fault = Status | MalformedJson | ErrorIn200 | Drop

/**
 * A response with the given status, and optionally a body and headers.
 *
 * @example
 * ```ts
 * import { Fault } from "@auth-pipeline/sandbox"
 *
 * Fault.status(503, { headers: { "Retry-After": "2" } })
 * Fault.status(400, { body: { error: "invalid_grant" } })
 * Fault.status(502, { body: "<html>Bad gateway</html>" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const status = (
  status: number,
  options?: { readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
): Fault => ({ _tag: "Status", status, body: options?.body, headers: options?.headers ?? {} })

/**
 * A body that claims to be JSON but does not parse.
 *
 * @example
 * ```ts
 * import { Fault, InMemory, Paysera } from "@auth-pipeline/sandbox"
 * import { HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const paysera = yield* Paysera.make()
 *   yield* paysera.failNext(Fault.malformedJson())
 *   const request = HttpClientRequest.post(`https://api.paysera.com${paysera.tokenPath}`)
 *   const response = yield* InMemory.make([paysera]).execute(request)
 *   const parsed = yield* Effect.either(response.json)
 *   assert.ok(parsed._tag === "Left")
 * })
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const malformedJson = (options?: { readonly status?: number }): Fault => ({
  _tag: "MalformedJson",
  status: options?.status ?? 200
})

/**
 * A 200 OK whose body is `{"error": error, "error_description": description}`.
 *
 * @example
 * ```ts
 * import { Fault, Paysera } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * const program = Effect.flatMap(
 *   Paysera.make(),
 *   (paysera) => paysera.failNext(Fault.errorIn200("temporarily_unavailable"))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const errorIn200 = (error: string, errorDescription?: string): Fault => ({
  _tag: "ErrorIn200",
  error,
  errorDescription
})

/**
 * No answer: the connection is dropped.
 *
 * @example
 * ```ts
 * import { Fault, Paysera } from "@auth-pipeline/sandbox"
 * import { Effect } from "effect"
 *
 * // the same as paysera.dropNext()
 * const program = Effect.flatMap(Paysera.make(), (paysera) => paysera.failNext(Fault.drop, { times: 2 }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const drop: Fault = { _tag: "Drop" }
