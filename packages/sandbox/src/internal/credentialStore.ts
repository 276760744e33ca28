/**
 * The credentials an emulator knows (issued tokens, configured API keys), in a Ref. Time comes
 * from Effect's `Clock` only, so `TestClock` expires tokens.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { Credential } from "../Emulator.js"

export type Lookup =
  | { readonly _tag: "Valid"; readonly credential: Credential }
  | { readonly _tag: "Expired"; readonly credential: Credential }
  | { readonly _tag: "Revoked"; readonly credential: Credential }
  | { readonly _tag: "Unknown" }

export interface ApiKey {
  readonly value: string
  readonly name: string
}

export interface CredentialStore {
  readonly issueToken: (options: {
    readonly value: string
    readonly clientId: string
    readonly scope: string | undefined
    readonly lifetimeSeconds: number
  }) => Effect.Effect<Credential>
  readonly lookup: (value: string) => Effect.Effect<Lookup>
  readonly revoke: (value: string) => Effect.Effect<boolean>
  readonly revokeAll: Effect.Effect<number>
  readonly list: Effect.Effect<ReadonlyArray<Credential>>
  /** Forget issued tokens and revocations; configured API keys come back. */
  readonly reset: Effect.Effect<void>
}

interface State {
  readonly next: number
  readonly byValue: ReadonlyMap<string, Credential>
}

const initial = (apiKeys: ReadonlyArray<ApiKey>): State => {
  const byValue = new Map<string, Credential>()
  apiKeys.forEach((key, i) =>
    byValue.set(key.value, {
      number: i + 1,
      kind: "api_key",
      value: key.value,
      clientId: key.name,
      scope: undefined,
      issuedAt: 0,
      expiresAt: undefined,
      revoked: false
    })
  )
  return { next: apiKeys.length + 1, byValue }
}

const withCredential = (state: State, credential: Credential): State => ({
  next: Math.max(state.next, credential.number + 1),
  byValue: new Map(state.byValue).set(credential.value, credential)
})

export const make = (apiKeys: ReadonlyArray<ApiKey> = []): Effect.Effect<CredentialStore> =>
  Effect.map(Ref.make(initial(apiKeys)), (ref) => ({
    issueToken: ({ clientId, lifetimeSeconds, scope, value }) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.modify(ref, (state) => {
          const credential: Credential = {
            number: state.next,
            kind: "access_token",
            value,
            clientId,
            scope,
            issuedAt: now,
            expiresAt: now + lifetimeSeconds * 1000,
            revoked: false
          }
          return [credential, withCredential(state, credential)]
        })),
    lookup: (value) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.map(Ref.get(ref), (state): Lookup => {
          const credential = state.byValue.get(value)
          if (credential === undefined) return { _tag: "Unknown" }
          if (credential.revoked) return { _tag: "Revoked", credential }
          if (credential.expiresAt !== undefined && now >= credential.expiresAt) return { _tag: "Expired", credential }
          return { _tag: "Valid", credential }
        })),
    revoke: (value) =>
      Ref.modify(ref, (state) => {
        const credential = state.byValue.get(value)
        if (credential === undefined) return [false, state]
        return [true, withCredential(state, { ...credential, revoked: true })]
      }),
    revokeAll: Ref.modify(ref, (state) => {
      const live = [...state.byValue.values()].filter((c) => !c.revoked)
      return [live.length, live.reduce((s, c) => withCredential(s, { ...c, revoked: true }), state)]
    }),
    list: Effect.map(Ref.get(ref), (state) => [...state.byValue.values()].sort((a, b) => a.number - b.number)),
    reset: Ref.set(ref, initial(apiKeys))
  }))
