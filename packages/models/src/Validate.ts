/** Up-front checks of constructor options; each throws an `InvalidArgument` naming the option and its value. */
import { invalidOption } from "./Errors.ts"

export interface Common {
  readonly inputShape: ReadonlyArray<number>
  readonly numClasses: number
  readonly seed?: number
}

const fail = (model: string, argument: string, value: unknown, expected: string): never => {
  throw invalidOption(model, argument, value, expected)
}

export const positiveInt = (model: string, argument: string, value: number): number =>
  Number.isInteger(value) && value > 0 ? value : fail(model, argument, value, "a positive integer")

/** Every entry a positive integer; the error names the first bad one, e.g. `hidden[2]`. */
export const positiveInts = (model: string, argument: string, values: ReadonlyArray<number>): void => {
  for (const [i, v] of values.entries()) positiveInt(model, `${argument}[${i}]`, v)
}

/** Dropout rates: 0 (off) up to, not including, 1. */
export const rate = (model: string, argument: string, value: number): number =>
  Number.isFinite(value) && value >= 0 && value < 1
    ? value
    : fail(model, argument, value, "a number in [0, 1)")

export const check = (
  model: string,
  argument: string,
  value: unknown,
  ok: boolean,
  expected: string,
): void => {
  if (!ok) fail(model, argument, value, expected)
}

/** Validates the options every architecture takes; returns the seed to use (default 0). */
export const common = (model: string, options: Common, rank?: number): number => {
  const { inputShape, numClasses, seed = 0 } = options
  check(
    model,
    "inputShape",
    inputShape,
    Array.isArray(inputShape) &&
      inputShape.length > 0 &&
      inputShape.every((d) => Number.isInteger(d) && d > 0) &&
      (rank === undefined || inputShape.length === rank),
    rank === undefined ? "a non-empty list of positive integers" : `${rank} positive integers`,
  )
  positiveInt(model, "numClasses", numClasses)
  check(model, "seed", seed, Number.isSafeInteger(seed), "a safe integer")
  return seed
}

/** Depth of the 6n + 4 families (WideResNet, DenseNet-BC); returns n. */
export const sixNPlusFour = (model: string, depth: number, examples: string): number => {
  check(
    model,
    "depth",
    depth,
    Number.isInteger(depth) && depth >= 10 && (depth - 4) % 6 === 0,
    `6n + 4 with n >= 1 (e.g. ${examples})`,
  )
  return (depth - 4) / 6
}

/**
 * Height and width of an [h, w, c] input at least `min`: below it a stage would pool down to
 * a 0-sized map, and tfjs would still build the net and return all-zero logits. `why` names
 * the layers that need the size.
 */
export const minSpatial = (
  model: string,
  inputShape: ReadonlyArray<number>,
  min: number,
  why: string,
): void =>
  check(
    model,
    "inputShape",
    inputShape,
    inputShape[0]! >= min && inputShape[1]! >= min,
    `at least ${min} x ${min} in height and width (${why})`,
  )
