/**
 * Sends a request that carries the client's credential without letting the transport follow a
 * redirect (`fetch` would re-send a custom credential header such as `X-Api-Key` to whatever host
 * the `Location` names). A redirect to a destination the client may send its credential to (its
 * `guard` accepts it: the API origin or an allowed one, https or loopback) is followed here, with
 * the credential, up to `maxHops`; any other redirect is handed to the caller as the response it
 * is, unfollowed, so the credential never leaves the allowed destinations.
 */
import * as HttpBody from "@effect/platform/HttpBody"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { withoutRedirects } from "./exchange.js"

/** How many redirects are followed before the last one is handed back as the response. */
export const maxHops = 5

const followable = new Set([301, 302, 303, 307, 308])

/** The next request of a redirect (RFC 9110 §15.4): 303, and 301/302 after a POST, become a GET without body. */
const nextRequest = (request: HttpClientRequest.HttpClientRequest, status: number, url: URL) => {
  const toGet = status === 303 || ((status === 301 || status === 302) && request.method === "POST")
  const moved = HttpClientRequest.setUrl(request, url)
  return toGet ? HttpClientRequest.setMethod(HttpClientRequest.setBody(moved, HttpBody.empty), "GET") : moved
}

export const sendFollowing = <E, R, G>(
  client: HttpClient.HttpClient.With<E, R>,
  request: HttpClientRequest.HttpClientRequest,
  withCredential: (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest,
  guard: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientRequest.HttpClientRequest, G>
): Effect.Effect<HttpClientResponse.HttpClientResponse, E, R> => {
  const loop = (
    current: HttpClientRequest.HttpClientRequest,
    hops: number
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, E, R> =>
    Effect.flatMap(withoutRedirects(client.execute(withCredential(current))), (response) => {
      const location = response.headers["location"]
      if (!followable.has(response.status) || location === undefined || hops >= maxHops) {
        return Effect.succeed(response)
      }
      let target: URL
      try {
        target = new URL(location, current.url)
      } catch {
        return Effect.succeed(response)
      }
      const next = nextRequest(current, response.status, target)
      return Effect.flatMap(Effect.either(guard(next)), (allowed) =>
        Either.isLeft(allowed)
          // Not a destination for the credential: the caller gets the redirect, unfollowed.
          ? Effect.succeed(response)
          : Effect.zipRight(Effect.ignore(response.arrayBuffer), loop(allowed.right, hops + 1)))
    })
  return loop(request, 0)
}
