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
 * @since 0.1.0
 * @category models
 */
export interface Status {
  readonly _tag: "Status"
  readonly status: number
  readonly body: unknown
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Answer with `Content-Type: application/json` and a body that is not valid JSON (a truncated
 * token response), with status 200 unless told otherwise.
 *
 * @since 0.1.0
 * @category models
 */
export interface MalformedJson {
  readonly _tag: "MalformedJson"
  readonly status: number
}

/**
 * Answer 200 OK with an RFC 6749 §5.2 error body (`{"error": ...}`), as some servers do.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorIn200 {
  readonly _tag: "ErrorIn200"
  readonly error: string
  readonly errorDescription: string | undefined
}

/**
 * Drop the connection without an answer. In memory the caller's `HttpClient` fails with a
 * transport `RequestError`; over HTTP the socket is destroyed.
 *
 * @since 0.1.0
 * @category models
 */
export interface Drop {
  readonly _tag: "Drop"
}

/**
 * Everything an emulator can answer instead of its normal response.
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
 * @since 0.1.0
 * @category constructors
 */
export const drop: Fault = { _tag: "Drop" }
