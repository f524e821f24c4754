/**
 * Input checks shared by the picture builders. Each returns `Effect.void` or fails with an
 * `InvalidArgument` that names the argument (down to the offending index).
 */
import { Effect } from "effect"
import { InvalidArgument } from "./Errors.ts"

export type Check = Effect.Effect<void, InvalidArgument>

const fail = (argument: string, value: unknown, expected: string): Check =>
  Effect.fail(new InvalidArgument({ argument, value, expected }))

/** Runs checks in order and stops at the first failure. */
export const all = (checks: ReadonlyArray<Check>): Check =>
  Effect.asVoid(Effect.all(checks, { discard: true }))

export const integerInRange = (
  argument: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): Check =>
  Number.isInteger(value) && value >= min && value <= max
    ? Effect.void
    : fail(
        argument,
        value,
        max === Number.MAX_SAFE_INTEGER
          ? `must be an integer >= ${min}`
          : `must be an integer in [${min}, ${max}]`,
      )

export const positiveFinite = (argument: string, value: number): Check =>
  Number.isFinite(value) && value > 0 ? Effect.void : fail(argument, value, "must be a finite number > 0")

export const nonEmpty = (argument: string, value: ArrayLike<unknown>): Check =>
  value.length > 0 ? Effect.void : fail(argument, [], "must not be empty")

export const length = (argument: string, value: ArrayLike<unknown>, expected: number, how: string): Check =>
  value.length === expected
    ? Effect.void
    : fail(argument, `length ${value.length}`, `must have length ${expected} (${how})`)

/** Every entry finite (no NaN, no infinity); names the first bad index. */
export const finite = (argument: string, values: ArrayLike<number>): Check => {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (!Number.isFinite(v)) return fail(`${argument}[${i}]`, v, "must be a finite number")
  }
  return Effect.void
}

/**
 * The narrowest axis range a chart can draw. Vega's tick arithmetic divides by powers of ten
 * of the span, which underflow to 0 for subnormal spans (below about 2.2e-308) and crash the
 * renderer; 1e-300 leaves a margin.
 */
export const minimumSpan = 1e-300

/** Strictly increasing with a constant step (relative tolerance 1e-3), at least 2 entries. */
export const evenlySpaced = (argument: string, values: ArrayLike<number>): Check => {
  if (values.length < 2)
    return fail(argument, `length ${values.length}`, "must have at least 2 grid coordinates")
  const step = values[1]! - values[0]!
  if (!(step > 0) || !Number.isFinite(step))
    return fail(argument, Array.from(values).slice(0, 4), "must be finite and strictly increasing")
  if (step < minimumSpan)
    return fail(argument, Array.from(values).slice(0, 4), `must have a step of at least ${minimumSpan}`)
  for (let i = 2; i < values.length; i++) {
    if (!(Math.abs(values[i]! - values[i - 1]! - step) <= 1e-3 * step))
      return fail(
        `${argument}[${i}]`,
        values[i],
        `must be evenly spaced (step ${step}, expected ${values[i - 1]! + step})`,
      )
  }
  return Effect.void
}

/** Distinct, non-empty strings. */
export const distinctNames = (argument: string, names: ReadonlyArray<string>): Check => {
  const seen = new Set<string>()
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    if (name.length === 0) return fail(`${argument}[${i}]`, name, "must be a non-empty name")
    if (seen.has(name)) return fail(`${argument}[${i}]`, name, "must be distinct from the other names")
    seen.add(name)
  }
  return Effect.void
}

/** Integer labels in [0, numClasses). */
export const labels = (argument: string, values: ArrayLike<number>, numClasses: number): Check => {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (!Number.isInteger(v) || v < 0 || v >= numClasses)
      return fail(`${argument}[${i}]`, v, `must be a class index in [0, ${numClasses})`)
  }
  return Effect.void
}

/** A [low, high] range with finite low < high, at least `minimumSpan` wide. */
export const range = (argument: string, value: readonly [number, number]): Check =>
  Number.isFinite(value[0]) && Number.isFinite(value[1]) && value[1] - value[0] >= minimumSpan
    ? Effect.void
    : fail(argument, value, `must be [low, high] with finite low < high, at least ${minimumSpan} apart`)

export const oneOf = (argument: string, value: number, allowed: ReadonlyArray<number>): Check =>
  allowed.includes(value) ? Effect.void : fail(argument, value, `must be one of ${allowed.join(", ")}`)
