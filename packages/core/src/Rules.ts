/**
 * The numeric parameter rules, each stated once: `check` reports a broken rule as the tagged
 * `InvalidArgument` (validation of values built in code), `field` makes it the Effect Schema
 * check of a config field (decoding JSON), with the same predicate and the same words.
 */
import { Schema } from "effect"
import { InvalidArgument } from "./Errors.ts"

export interface Rule {
  readonly holds: (value: number) => boolean
  /** What the value must be, e.g. "must be > 0 and finite". */
  readonly expected: string
}

export const positive: Rule = {
  holds: (v) => Number.isFinite(v) && v > 0,
  expected: "must be > 0 and finite",
}
export const unit: Rule = {
  holds: (v) => Number.isFinite(v) && v >= 0 && v <= 1,
  expected: "must be in [0, 1]",
}
export const probability: Rule = { holds: unit.holds, expected: "must be a probability in [0, 1]" }
export const openUnit: Rule = { holds: (v) => v > 0 && v <= 1, expected: "must be in (0, 1]" }
export const nonNegative: Rule = {
  holds: (v) => Number.isFinite(v) && v >= 0,
  expected: "must be >= 0 and finite",
}
export const index: Rule = {
  holds: (v) => Number.isInteger(v) && v >= 0,
  expected: "must be an integer >= 0",
}
export const count: Rule = {
  holds: (v) => Number.isInteger(v) && v >= 1,
  expected: "must be an integer >= 1",
}
export const integer: Rule = { holds: Number.isInteger, expected: "must be an integer" }

/** `undefined` when `value` keeps `rule`, else the `InvalidArgument` naming `argument`. */
export const check = (rule: Rule, argument: string, value: number): InvalidArgument | undefined =>
  rule.holds(value) ? undefined : new InvalidArgument({ argument, value, expected: rule.expected })

/** A config field of numbers that keep `rule` (a decoding failure carries the rule's words). */
export const field = (rule: Rule): Schema.Codec<number> =>
  Schema.Number.check(Schema.makeFilter((value: number) => rule.holds(value) || rule.expected))
