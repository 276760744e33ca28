/**
 * Turning an injected `Fault` into what the client sees.
 *
 * @internal
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import { ConnectionDropped, type Endpoint } from "../Emulator.js"
import type { Fault } from "../Fault.js"
import { errorBody, json } from "./responses.js"

/** A token response cut short: `Content-Type: application/json`, but not JSON. */
export const truncatedJson = "{\"access_token\":\"sandbox-truncated\",\"token_type\":\"Bea"

export const render = (
  fault: Fault,
  emulator: string,
  endpoint: Endpoint
): Effect.Effect<HttpServerResponse.HttpServerResponse, ConnectionDropped> => {
  switch (fault._tag) {
    case "Status": {
      if (typeof fault.body === "string") {
        return Effect.succeed(
          HttpServerResponse.text(fault.body, { status: fault.status, headers: fault.headers })
        )
      }
      const body = fault.body === undefined
        ? errorBody("server_error", `Injected fault (HTTP ${fault.status})`)
        : fault.body
      return Effect.succeed(json(body, fault.status, fault.headers))
    }
    case "MalformedJson":
      return Effect.succeed(
        HttpServerResponse.text(truncatedJson, { status: fault.status, contentType: "application/json" })
      )
    case "ErrorIn200":
      return Effect.succeed(json(errorBody(fault.error, fault.errorDescription), 200))
    case "Drop":
      return Effect.fail(new ConnectionDropped({ emulator, endpoint }))
  }
}
