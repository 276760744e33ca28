/**
 * A FIFO of "for the next N matching requests" rules, kept in a Ref. Faults, delays and
 * `expires_in` overrides are all rules of this kind.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"

interface Rule<A, K> {
  readonly value: A
  readonly matches: (key: K) => boolean
  readonly remaining: number
}

export interface RuleQueue<A, K> {
  /** Add a rule used by the next `times` matching requests (`Infinity`: until cleared). */
  readonly push: (value: A, times: number, matches: (key: K) => boolean) => Effect.Effect<void>
  /** Use the oldest rule matching `key`, if any, counting down its remaining uses. */
  readonly take: (key: K) => Effect.Effect<Option.Option<A>>
  readonly clear: Effect.Effect<void>
}

export const make = <A, K>(): Effect.Effect<RuleQueue<A, K>> =>
  Effect.map(Ref.make<ReadonlyArray<Rule<A, K>>>([]), (ref) => ({
    push: (value, times, matches) =>
      times > 0 ? Ref.update(ref, (rules) => [...rules, { value, matches, remaining: times }]) : Effect.void,
    take: (key) =>
      Ref.modify(ref, (rules) => {
        const index = rules.findIndex((rule) => rule.matches(key))
        const rule = rules[index]
        if (rule === undefined) return [Option.none(), rules]
        const rest = rule.remaining <= 1
          ? rules.filter((_, i) => i !== index)
          : rules.map((r, i) => (i === index ? { ...r, remaining: r.remaining - 1 } : r))
        return [Option.some(rule.value), rest]
      }),
    clear: Ref.set(ref, [])
  }))
