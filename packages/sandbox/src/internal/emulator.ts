/**
 * The engine every provider emulator runs on: routing, counters, the fault/delay queues, the
 * credential store and the `expires_in` overrides. A provider supplies only its paths, wire
 * formats and error bodies.
 *
 * @internal
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Credential, Emulator, Endpoint, FaultOptions } from "../Emulator.js"
import * as Fault from "../Fault.js"
import * as Bearer from "./bearer.js"
import * as Counters from "./counters.js"
import * as CredentialStore from "./credentialStore.js"
import * as Faults from "./faults.js"
import { methodNotAllowed, notFound } from "./responses.js"
import * as RuleQueue from "./ruleQueue.js"
import type { TokenRequest } from "./tokenRequest.js"

export interface IssuedToken {
  readonly credential: Credential
  /** The `expires_in` to send, `undefined` when an override says to leave it out. */
  readonly expiresIn: number | undefined
}

export interface HandlerContext {
  readonly name: string
  /** Mints a token for the client, honouring `setExpiresIn` overrides, and counts it. */
  readonly issueToken: (clientId: string, scope: string | undefined) => Effect.Effect<IssuedToken>
  readonly authenticateBearer: (request: HttpServerRequest.HttpServerRequest) => Effect.Effect<Bearer.BearerResult>
  readonly lookup: (value: string) => Effect.Effect<CredentialStore.Lookup>
}

export interface Spec {
  readonly name: string
  readonly hosts: ReadonlyArray<string>
  /** Default token lifetime in seconds (the `expires_in` sent). */
  readonly expiresIn: number
  readonly newTokenValue: () => string
  readonly apiKeys?: ReadonlyArray<CredentialStore.ApiKey>
  readonly token?: {
    readonly path: string
    readonly read: (request: HttpServerRequest.HttpServerRequest) => Effect.Effect<TokenRequest>
    readonly handle: (
      request: TokenRequest,
      ctx: HandlerContext
    ) => Effect.Effect<HttpServerResponse.HttpServerResponse>
  }
  readonly resource: {
    readonly path: string
    readonly handle: (
      request: HttpServerRequest.HttpServerRequest,
      ctx: HandlerContext
    ) => Effect.Effect<HttpServerResponse.HttpServerResponse>
  }
  /** Extra provider state to clear on `reset` (e.g. rate limit windows). */
  readonly onReset?: Effect.Effect<void>
}

interface LifetimeOverride {
  readonly seconds: number
  readonly omit: boolean
}

const pathOf = (url: string): string => url.split("?")[0] ?? url

const positiveCount = (times: number | undefined, fallback: number): number => {
  const n = times ?? fallback
  if (!(n > 0) || (Number.isFinite(n) && !Number.isInteger(n))) {
    throw new RangeError(`times must be a positive integer or Infinity, got ${n}`)
  }
  return n
}

export const make = (spec: Spec): Effect.Effect<Emulator> =>
  Effect.gen(function*() {
    const store = yield* CredentialStore.make(spec.apiKeys)
    const counters = yield* Counters.make
    const faults = yield* RuleQueue.make<Fault.Fault, Endpoint>()
    const delays = yield* RuleQueue.make<Duration.Duration, Endpoint>()
    const lifetimes = yield* RuleQueue.make<LifetimeOverride, void>()
    const defaultEndpoint: Endpoint = spec.token === undefined ? "resource" : "token"

    const matcher = (options: FaultOptions | undefined) => {
      const target = options?.endpoint ?? defaultEndpoint
      return (endpoint: Endpoint) => target === "any" || target === endpoint
    }

    const ctx: HandlerContext = {
      name: spec.name,
      issueToken: (clientId, scope) =>
        Effect.gen(function*() {
          const override = yield* lifetimes.take(undefined)
          const seconds = Option.match(override, { onNone: () => spec.expiresIn, onSome: (o) => o.seconds })
          const credential = yield* store.issueToken({
            value: spec.newTokenValue(),
            clientId,
            scope,
            lifetimeSeconds: seconds
          })
          yield* counters.tokenIssued
          const omit = Option.exists(override, (o) => o.omit)
          return { credential, expiresIn: omit ? undefined : seconds }
        }),
      authenticateBearer: (request) => Bearer.authenticate(store, request),
      lookup: store.lookup
    }

    const answer = (
      endpoint: Endpoint,
      handle: Effect.Effect<HttpServerResponse.HttpServerResponse>
    ) =>
      Effect.gen(function*() {
        const delay = yield* delays.take(endpoint)
        if (Option.isSome(delay)) yield* Effect.sleep(delay.value)
        const fault = yield* faults.take(endpoint)
        return yield* Option.match(fault, {
          onNone: () => handle,
          onSome: (f) => Faults.render(f, spec.name, endpoint)
        })
      })

    const route = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const path = pathOf(request.url)
      if (spec.token !== undefined && path === spec.token.path) {
        if (request.method !== "POST") return methodNotAllowed("POST")
        const tokenRequest = yield* spec.token.read(request)
        yield* counters.tokenRequest({
          grantType: tokenRequest.grantType,
          clientId: tokenRequest.client.clientId,
          authMethod: tokenRequest.client.method
        })
        return yield* answer("token", spec.token.handle(tokenRequest, ctx))
      }
      if (path === spec.resource.path) {
        if (request.method !== "GET") return methodNotAllowed("GET")
        yield* counters.resourceRequest
        return yield* answer("resource", spec.resource.handle(request, ctx))
      }
      return notFound(path)
    })

    const app = route.pipe(
      Effect.tap((response) => counters.response(response.status)),
      Effect.tapError(() => counters.dropped)
    )

    const failNext = (fault: Fault.Fault, options?: FaultOptions) =>
      Effect.suspend(() => faults.push(fault, positiveCount(options?.times, 1), matcher(options)))

    const clearFaults = Effect.all([faults.clear, delays.clear, lifetimes.clear], { discard: true })

    return {
      name: spec.name,
      hosts: spec.hosts,
      tokenPath: spec.token?.path,
      resourcePath: spec.resource.path,
      app,
      failNext,
      dropNext: (options) => failNext(Fault.drop, options),
      delayNext: (duration, options) =>
        Effect.suspend(() =>
          delays.push(Duration.decode(duration), positiveCount(options?.times, 1), matcher(options))
        ),
      setExpiresIn: (seconds, options) =>
        Effect.suspend(() => {
          if (!Number.isInteger(seconds) || seconds < 0) {
            return Effect.dieMessage(`expires_in must be a non-negative integer, got ${seconds}`)
          }
          return lifetimes.push(
            { seconds, omit: options?.omitExpiresIn === true },
            positiveCount(options?.times, Infinity),
            () => true
          )
        }),
      clearFaults,
      revoke: store.revoke,
      revokeAll: store.revokeAll,
      credentials: store.list,
      counters: counters.snapshot,
      resetCounters: counters.reset,
      reset: Effect.all([clearFaults, store.reset, counters.reset, spec.onReset ?? Effect.void], { discard: true })
    } satisfies Emulator
  })
