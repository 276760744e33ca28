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
 * @since 0.1.0
 * @category errors
 */
export class TokenStoreError extends Data.TaggedError("TokenStoreError")<{
  readonly operation: "get" | "set" | "compareAndSet"
  readonly detail: string
}> {
  /** @since 0.1.0 */
  override get message(): string {
    return `Token store ${this.operation} failed: ${this.detail}`
  }
}

/**
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
