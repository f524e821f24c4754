/** Target rows must be probability distributions: every entry >= 0, each row summing to 1. */
import { NotADistribution } from "./Errors.ts"

const TOLERANCE = 1e-3

/** The first row of `y` (n rows of `classes`) that is not a distribution (within 1e-3), if any. */
export const validate = (
  y: ArrayLike<number>,
  classes: number,
  argument = "y",
): NotADistribution | undefined => {
  const n = classes === 0 ? 0 : y.length / classes
  for (let i = 0; i < n; i++) {
    let sum = 0
    for (let c = 0; c < classes; c++) {
      const v = y[i * classes + c]!
      if (!(v >= 0))
        return new NotADistribution({ argument, row: i, value: v, reason: "has a negative or NaN entry" })
      sum += v
    }
    if (Math.abs(sum - 1) > TOLERANCE)
      return new NotADistribution({ argument, row: i, value: sum, reason: "must sum to 1 (tolerance 1e-3)" })
  }
  return undefined
}
