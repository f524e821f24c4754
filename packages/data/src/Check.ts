/**
 * Argument checks shared by the modules: each returns the `InvalidArgument` to report, or
 * `undefined` when the value is fine, so callers choose between the error channel and a throw.
 */
import { InvalidArgument } from "./Errors.ts"

export const integerAtLeast = (argument: string, value: number, min: number): InvalidArgument | undefined =>
  Number.isSafeInteger(value) && value >= min
    ? undefined
    : new InvalidArgument({ argument, value, expected: `must be an integer >= ${min}` })

export const inRange = (
  argument: string,
  value: number,
  min: number,
  max: number,
): InvalidArgument | undefined =>
  Number.isFinite(value) && value >= min && value <= max
    ? undefined
    : new InvalidArgument({ argument, value, expected: `must be a number in [${min}, ${max}]` })

export const nonNegative = (argument: string, value: number): InvalidArgument | undefined =>
  Number.isFinite(value) && value >= 0
    ? undefined
    : new InvalidArgument({ argument, value, expected: "must be a finite number >= 0" })

export const seed = (argument: string, value: number): InvalidArgument | undefined =>
  Number.isSafeInteger(value)
    ? undefined
    : new InvalidArgument({ argument, value, expected: "must be an integer" })

/** The first error among the checks, if any. */
export const first = (...checks: ReadonlyArray<InvalidArgument | undefined>): InvalidArgument | undefined =>
  checks.find((c) => c !== undefined)
