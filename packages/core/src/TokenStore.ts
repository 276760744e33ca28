/**
 * Where a {@link TokenCache} keeps its current token. The default holds it in a `Ref`; a shared or
 * persistent store (Redis, a file) implements the same three operations.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as AccessToken from "./AccessToken.js"

/**
 * A store operation failed (e.g. the shared store is unreachable, a file cannot be written).
 *
 * @example
 * ```ts
 * import { TokenStore } from "@auth-pipeline/core"
 *
 * const error = new TokenStore.TokenStoreError({ operation: "set", detail: "EACCES: permission denied" })
 * assert.strictEqual(error.message, "Token store set failed: EACCES: permission denied")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenStoreError extends Data.TaggedError("TokenStoreError")<{
  /** The store operation that failed. */
  readonly operation: "get" | "set" | "compareAndSet"
  /** What went wrong, in words; a store must not put token values here. */
  readonly detail: string
}> {
  /**
   * `Token store <operation> failed: <detail>`.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `Token store ${this.operation} failed: ${this.detail}`
  }
}

/**
 * The three operations a {@link TokenCache} needs from the place its current token lives.
 *
 * @example
 * ```ts
 * import { AccessToken, TokenStore } from "@auth-pipeline/core"
 * import { Effect, Option, Ref } from "effect"
 *
 * // the shape of a store: here over a Ref, as `inMemory` does
 * const fromRef = (ref: Ref.Ref<Option.Option<AccessToken.AccessToken>>): TokenStore.TokenStore => ({
 *   get: Ref.get(ref),
 *   set: (token) => Ref.set(ref, token),
 *   compareAndSet: (expected, next) =>
 *     Ref.modify(ref, (current) =>
 *       Option.isSome(current) && AccessToken.sameValue(current.value, expected) ? [true, next] : [false, current])
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenStore {
  /** The current token, if any. Called on every token read: keep it cheap. */
  readonly get: Effect.Effect<Option.Option<AccessToken.AccessToken>, TokenStoreError>
  /** Replaces the current token. */
  readonly set: (token: Option.Option<AccessToken.AccessToken>) => Effect.Effect<void, TokenStoreError>
  /**
   * Atomically replaces the current token with `next` only if the current one carries the same
   * value as `expected`; tells whether it did.
   */
  readonly compareAndSet: (
    expected: AccessToken.AccessToken,
    next: Option.Option<AccessToken.AccessToken>
  ) => Effect.Effect<boolean, TokenStoreError>
}

/**
 * A store in a `Ref`: the embedded default, one per cache.
 *
 * @example
 * ```ts
 * import { AccessToken, TokenStore } from "@auth-pipeline/core"
 * import { Effect, Option, Redacted } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* TokenStore.inMemory()
 *   const first = AccessToken.make({ value: Redacted.make("at-1"), issuedAt: 0 })
 *   yield* store.set(Option.some(first))
 *   const replaced = yield* store.compareAndSet(first, Option.none())
 *   assert.ok(replaced)
 *   assert.ok(Option.isNone(yield* store.get))
 * })
 * Effect.runSync(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const inMemory = (
  initial: Option.Option<AccessToken.AccessToken> = Option.none()
): Effect.Effect<TokenStore> =>
  Effect.map(Ref.make(initial), (ref): TokenStore => ({
    get: Ref.get(ref),
    set: (token) => Ref.set(ref, token),
    compareAndSet: (expected, next) =>
      Ref.modify(ref, (current) =>
        Option.isSome(current) && AccessToken.sameValue(current.value, expected) ? [true, next] : [false, current])
  }))
