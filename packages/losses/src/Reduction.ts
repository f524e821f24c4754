/**
 * How per-example losses become the returned value: `"mean"` (a scalar, the default),
 * `"sum"` (a scalar) or `"none"` (the per-example losses themselves).
 */
import * as tf from "@tensorflow/tfjs-core"
import { dual } from "effect/Function"
import { InvalidArgument } from "./Errors.ts"

export type Reduction = "mean" | "sum" | "none"

/** The result type for reduction `R` of per-example losses `T`. */
export type Reduced<T extends tf.Tensor, R extends Reduction> = R extends "none" ? T : tf.Scalar

export const all: ReadonlyArray<Reduction> = ["mean", "sum", "none"]

/** Throws `InvalidArgument` (naming `argument`) unless `value` is a known reduction. */
export const validate = (argument: string, value: unknown): Reduction => {
  const found = all.find((r) => r === value)
  if (found === undefined)
    throw new InvalidArgument({
      argument,
      value,
      expected: `must be one of ${all.map((r) => `"${r}"`).join(", ")}`,
    })
  return found
}

/**
 * Applies a reduction to per-example losses (no tidy: call it inside one). `"none"` returns the
 * input tensor itself. Data-first `reduce(losses, "sum")` or data-last `pipe(losses, reduce("sum"))`.
 */
export const reduce: {
  <R extends Reduction>(reduction: R): <T extends tf.Tensor>(losses: T) => Reduced<T, R>
  <T extends tf.Tensor, R extends Reduction>(losses: T, reduction: R): Reduced<T, R>
} = dual(2, <T extends tf.Tensor, R extends Reduction>(losses: T, reduction: R): Reduced<T, R> => {
  switch (validate("reduction", reduction)) {
    case "none":
      return losses as Reduced<T, R>
    case "sum":
      return tf.sum(losses) as Reduced<T, R>
    case "mean":
      return tf.mean(losses) as Reduced<T, R>
  }
})
