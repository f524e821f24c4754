/**
 * Deterministic stratified train/test split: each class contributes its proportional share
 * of the test set (largest remainder, so per-class counts are within 1 of proportional and
 * add up to exactly `testSize`).
 */
import { Random } from "@vicinal/core"
import { Effect } from "effect"
import * as Check from "./Check.ts"
import { type Dataset, gather, size } from "./Dataset.ts"
import { InvalidArgument } from "./Errors.ts"
import { shuffleInPlace } from "./Shuffle.ts"

export interface TrainTest {
  readonly train: Dataset
  readonly test: Dataset
}

export interface StratifiedOptions {
  readonly seed: number
  /** number of test examples; or give `testFraction` */
  readonly testSize?: number
  /** fraction of the examples in the test set (rounded to the nearest count) */
  readonly testFraction?: number
}

/** Test examples per class: proportional shares, rounded by largest remainder. */
export const testCounts = (classCounts: ArrayLike<number>, testSize: number): Int32Array => {
  const total = Array.from(classCounts).reduce((a, b) => a + b, 0)
  const quotas = Array.from(classCounts, (c) => (total === 0 ? 0 : (c * testSize) / total))
  const counts = new Int32Array(quotas.map(Math.floor))
  let missing = testSize - counts.reduce((a, b) => a + b, 0)
  // Ties go to the lower class index, so the result is a pure function of its inputs.
  const byRemainder = quotas
    .map((q, c) => ({ c, r: q - Math.floor(q) }))
    .sort((a, b) => b.r - a.r || a.c - b.c)
  for (const { c } of byRemainder) {
    if (missing <= 0) break
    counts[c]! += 1
    missing--
  }
  return counts
}

const resolveTestSize = (n: number, options: StratifiedOptions): number | InvalidArgument => {
  if (options.testSize !== undefined) {
    const error =
      Check.integerAtLeast("testSize", options.testSize, 0) ??
      (options.testSize > n
        ? new InvalidArgument({
            argument: "testSize",
            value: options.testSize,
            expected: `must be at most the ${n} examples`,
          })
        : undefined)
    return error ?? options.testSize
  }
  const fraction = options.testFraction ?? 0.2
  return Check.inRange("testFraction", fraction, 0, 1) ?? Math.round(fraction * n)
}

/**
 * Splits by the clean labels (`trueLabels`) with a seeded shuffle inside each class; both
 * halves come out shuffled. The two index sets are a partition of the dataset.
 */
export const stratified = (
  dataset: Dataset,
  options: StratifiedOptions,
): Effect.Effect<TrainTest, InvalidArgument> =>
  Effect.suspend(() => {
    const seedError = Check.seed("seed", options.seed)
    if (seedError !== undefined) return Effect.fail(seedError)
    const testSize = resolveTestSize(size(dataset), options)
    if (typeof testSize !== "number") return Effect.fail(testSize)
    const { train, test } = stratifiedIndices(dataset.trueLabels, dataset.numClasses, testSize, options.seed)
    return Effect.succeed({
      train: gather(dataset, train, `${dataset.name}/train`),
      test: gather(dataset, test, `${dataset.name}/test`),
    })
  })

/** The index sets of `stratified` (exposed for tests and for splitting parallel arrays). */
export const stratifiedIndices = (
  labels: Int32Array,
  numClasses: number,
  testSize: number,
  seed: number,
): { readonly train: Int32Array; readonly test: Int32Array } => {
  const rng = Random.make(seed)
  const members: Array<Array<number>> = Array.from({ length: numClasses }, () => [])
  labels.forEach((label, i) => {
    members[label]!.push(i)
  })
  const quota = testCounts(
    members.map((m) => m.length),
    testSize,
  )
  const train: Array<number> = []
  const test: Array<number> = []
  members.forEach((m, c) => {
    shuffleInPlace(m, rng)
    test.push(...m.slice(0, quota[c]!))
    train.push(...m.slice(quota[c]!))
  })
  return {
    train: shuffleInPlace(Int32Array.from(train), rng),
    test: shuffleInPlace(Int32Array.from(test), rng),
  }
}
