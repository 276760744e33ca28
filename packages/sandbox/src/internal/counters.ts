/**
 * The counters of one emulator, in a Ref.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { ClientAuthMethod, Counters } from "../Emulator.js"

export const empty: Counters = {
  tokenRequests: 0,
  tokenRequestsByGrantType: {},
  tokenRequestsByClientId: {},
  tokenRequestsByAuthMethod: { client_secret_basic: 0, client_secret_post: 0, none: 0 },
  tokensIssued: 0,
  resourceRequests: 0,
  unauthorized: 0,
  rateLimited: 0,
  dropped: 0,
  responsesByStatus: {}
}

const bump = <K extends string | number>(
  record: Readonly<Record<K, number>>,
  key: K | undefined
): Readonly<Record<K, number>> => (key === undefined ? record : { ...record, [key]: (record[key] ?? 0) + 1 })

export interface CounterRecorder {
  readonly snapshot: Effect.Effect<Counters>
  readonly reset: Effect.Effect<void>
  readonly tokenRequest: (seen: {
    readonly grantType: string | undefined
    readonly clientId: string | undefined
    readonly authMethod: ClientAuthMethod
  }) => Effect.Effect<void>
  readonly tokenIssued: Effect.Effect<void>
  readonly resourceRequest: Effect.Effect<void>
  readonly response: (status: number) => Effect.Effect<void>
  readonly dropped: Effect.Effect<void>
}

export const make: Effect.Effect<CounterRecorder> = Effect.map(Ref.make(empty), (ref) => ({
  snapshot: Ref.get(ref),
  reset: Ref.set(ref, empty),
  tokenRequest: (seen) =>
    Ref.update(ref, (c) => ({
      ...c,
      tokenRequests: c.tokenRequests + 1,
      tokenRequestsByGrantType: bump(c.tokenRequestsByGrantType, seen.grantType),
      tokenRequestsByClientId: bump(c.tokenRequestsByClientId, seen.clientId),
      tokenRequestsByAuthMethod: bump(c.tokenRequestsByAuthMethod, seen.authMethod)
    })),
  tokenIssued: Ref.update(ref, (c) => ({ ...c, tokensIssued: c.tokensIssued + 1 })),
  resourceRequest: Ref.update(ref, (c) => ({ ...c, resourceRequests: c.resourceRequests + 1 })),
  response: (status) =>
    Ref.update(ref, (c) => ({
      ...c,
      unauthorized: c.unauthorized + (status === 401 ? 1 : 0),
      rateLimited: c.rateLimited + (status === 429 ? 1 : 0),
      responsesByStatus: bump(c.responsesByStatus, status)
    })),
  dropped: Ref.update(ref, (c) => ({ ...c, dropped: c.dropped + 1 }))
}))
