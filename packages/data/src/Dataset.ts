/**
 * A whole split in host memory, and the few pure utilities the loaders and the CLI need.
 * Functions here never mutate their input: every result owns fresh arrays.
 */
import { Effect } from "effect"
import { dual } from "effect/Function"
import * as Check from "./Check.ts"
import { InvalidArgument, LabelOutOfRange } from "./Errors.ts"

export interface Dataset {
  readonly name: string
  /** row-major, values as given (images in [0, 1]) */
  readonly x: Float32Array
  /** [N, ...featureShape], e.g. [N, 28, 28, 1] or [N, 2] */
  readonly shape: ReadonlyArray<number>
  /** training labels (possibly corrupted) */
  readonly labels: Int32Array
  /** the clean labels (equal to `labels` when not corrupted) */
  readonly trueLabels: Int32Array
  readonly numClasses: number
  readonly classNames?: ReadonlyArray<string>
}

/** Number of examples. */
export const size = (dataset: Pick<Dataset, "shape">): number => dataset.shape[0] ?? 0

/** Number of values of one example (product of the feature shape). */
export const featureSize = (shape: ReadonlyArray<number>): number => shape.slice(1).reduce((a, b) => a * b, 1)

export interface MakeInput {
  readonly name: string
  readonly x: Float32Array
  readonly shape: ReadonlyArray<number>
  readonly labels: Int32Array
  readonly trueLabels?: Int32Array
  readonly numClasses: number
  readonly classNames?: ReadonlyArray<string>
}

/**
 * A dataset after checking that the parts agree (sizes, label range). The arrays are taken
 * as they are (not copied): hand over arrays you no longer change.
 */
export const make = (input: MakeInput): Effect.Effect<Dataset, InvalidArgument | LabelOutOfRange> =>
  Effect.suspend(() => {
    const error = validate(input)
    if (error !== undefined) return Effect.fail(error)
    const { classNames, trueLabels, ...rest } = input
    const dataset: Dataset = {
      ...rest,
      shape: [...input.shape],
      trueLabels: trueLabels ?? input.labels.slice(),
    }
    return Effect.succeed(classNames === undefined ? dataset : { ...dataset, classNames: [...classNames] })
  })

const validate = (input: MakeInput): InvalidArgument | LabelOutOfRange | undefined => {
  const shapeError = input.shape.find((d) => !Number.isSafeInteger(d) || d < 0)
  if (input.shape.length < 1 || shapeError !== undefined)
    return new InvalidArgument({
      argument: "shape",
      value: input.shape,
      expected: "must be non-negative integers [N, ...]",
    })
  const n = size(input)
  const classes = Check.integerAtLeast("numClasses", input.numClasses, 1)
  if (classes !== undefined) return classes
  if (input.x.length !== n * featureSize(input.shape))
    return new InvalidArgument({
      argument: "x.length",
      value: input.x.length,
      expected: `must be ${n * featureSize(input.shape)}, the values shape ${JSON.stringify(input.shape)} needs`,
    })
  if (input.labels.length !== n)
    return new InvalidArgument({
      argument: "labels.length",
      value: input.labels.length,
      expected: `must equal N = ${n}`,
    })
  if (input.trueLabels !== undefined && input.trueLabels.length !== n)
    return new InvalidArgument({
      argument: "trueLabels.length",
      value: input.trueLabels.length,
      expected: `must equal N = ${n}`,
    })
  if (input.classNames !== undefined && input.classNames.length !== input.numClasses)
    return new InvalidArgument({
      argument: "classNames",
      value: input.classNames,
      expected: `must have numClasses = ${input.numClasses} names`,
    })
  return (
    labelError(input.name, input.labels, input.numClasses) ??
    (input.trueLabels === undefined ? undefined : labelError(input.name, input.trueLabels, input.numClasses))
  )
}

/** The first label outside [0, numClasses), as an error naming `file`. */
export const labelError = (
  file: string,
  labels: ArrayLike<number>,
  numClasses: number,
): LabelOutOfRange | undefined => {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!
    if (!(label >= 0 && label < numClasses)) return new LabelOutOfRange({ file, index: i, label, numClasses })
  }
  return undefined
}

/** The examples at `indices` (in that order, repeats allowed), as a new dataset. */
export const subset: {
  (indices: ArrayLike<number>, name?: string): (dataset: Dataset) => Effect.Effect<Dataset, InvalidArgument>
  (dataset: Dataset, indices: ArrayLike<number>, name?: string): Effect.Effect<Dataset, InvalidArgument>
} = dual(
  (args) => typeof args[0] === "object" && args[0] !== null && "shape" in args[0],
  (dataset: Dataset, indices: ArrayLike<number>, name?: string): Effect.Effect<Dataset, InvalidArgument> =>
    Effect.suspend(() => {
      const n = size(dataset)
      for (let i = 0; i < indices.length; i++) {
        const index = indices[i]!
        if (!Number.isInteger(index) || index < 0 || index >= n)
          return Effect.fail(
            new InvalidArgument({
              argument: `indices[${i}]`,
              value: index,
              expected: `must be an integer in [0, ${n})`,
            }),
          )
      }
      return Effect.succeed(gather(dataset, indices, name ?? dataset.name))
    }),
)

/**
 * Copies the examples at `indices` (unchecked: callers guarantee the range). Shared by
 * `subset` and the batch iterator, which checks once per epoch instead of once per batch.
 */
export const gather = (dataset: Dataset, indices: ArrayLike<number>, name: string): Dataset => {
  const d = featureSize(dataset.shape)
  const count = indices.length
  const x = new Float32Array(count * d)
  const labels = new Int32Array(count)
  const trueLabels = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    const index = indices[i]!
    x.set(dataset.x.subarray(index * d, (index + 1) * d), i * d)
    labels[i] = dataset.labels[index]!
    trueLabels[i] = dataset.trueLabels[index]!
  }
  const result: Dataset = {
    name,
    x,
    shape: [count, ...dataset.shape.slice(1)],
    labels,
    trueLabels,
    numClasses: dataset.numClasses,
  }
  return dataset.classNames === undefined ? result : { ...result, classNames: dataset.classNames }
}

/** Examples per class, from the training labels or the clean ones. */
export const classCounts = (
  dataset: Pick<Dataset, "labels" | "trueLabels" | "numClasses">,
  which: "labels" | "trueLabels" = "labels",
): Int32Array => {
  const counts = new Int32Array(dataset.numClasses)
  for (const label of dataset[which]) counts[label]! += 1
  return counts
}

export interface Description {
  readonly name: string
  readonly size: number
  readonly featureShape: ReadonlyArray<number>
  readonly numClasses: number
  readonly classCounts: ReadonlyArray<number>
  /** examples whose training label differs from the clean one */
  readonly corrupted: number
  readonly min: number
  readonly max: number
}

/** A plain summary (JSON-friendly) for logs and the CLI. */
export const describe = (dataset: Dataset): Description => {
  let corrupted = 0
  for (let i = 0; i < dataset.labels.length; i++) if (dataset.labels[i] !== dataset.trueLabels[i]) corrupted++
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const v of dataset.x) {
    if (v < min) min = v
    if (v > max) max = v
  }
  return {
    name: dataset.name,
    size: size(dataset),
    featureShape: dataset.shape.slice(1),
    numClasses: dataset.numClasses,
    classCounts: [...classCounts(dataset)],
    corrupted,
    min,
    max,
  }
}

/** Per-feature mean and standard deviation (population), computed on one split in float64. */
export interface FeatureStats {
  readonly mean: ArrayLike<number>
  readonly std: ArrayLike<number>
}

export const featureStats = (
  dataset: Dataset,
): { readonly mean: Float64Array; readonly std: Float64Array } => {
  const d = featureSize(dataset.shape)
  const n = size(dataset)
  const mean = new Float64Array(d)
  const std = new Float64Array(d)
  if (n === 0) return { mean, std }
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += dataset.x[i * d + j]!
  for (let j = 0; j < d; j++) mean[j]! /= n
  // Two passes (deviations from the mean), so a constant feature gets a std of exactly 0.
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const deviation = dataset.x[i * d + j]! - mean[j]!
      std[j]! += deviation * deviation
    }
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]! / n)
  return { mean, std }
}

/**
 * (x - mean) / std per feature, with stats from `featureStats` of the training split so that
 * the test split is scaled the same way. Constant features (std = 0) are only centred.
 */
export const standardise: {
  (stats: FeatureStats): (dataset: Dataset) => Effect.Effect<Dataset, InvalidArgument>
  (dataset: Dataset, stats: FeatureStats): Effect.Effect<Dataset, InvalidArgument>
} = dual(2, (dataset: Dataset, stats: FeatureStats): Effect.Effect<Dataset, InvalidArgument> => {
  const d = featureSize(dataset.shape)
  if (stats.mean.length !== d || stats.std.length !== d)
    return Effect.fail(
      new InvalidArgument({
        argument: "stats",
        value: `mean[${stats.mean.length}], std[${stats.std.length}]`,
        expected: `must have one entry per feature (${d})`,
      }),
    )
  const x = new Float32Array(dataset.x.length)
  for (let i = 0; i < x.length; i++) {
    const j = i % d
    const s = stats.std[j]!
    x[i] = (dataset.x[i]! - stats.mean[j]!) / (s > 0 ? s : 1)
  }
  return Effect.succeed({
    ...dataset,
    x,
    labels: dataset.labels.slice(),
    trueLabels: dataset.trueLabels.slice(),
  })
})

/** One-hot rows (n x numClasses, row-major) for integer labels. */
export const oneHot = (labels: ArrayLike<number>, numClasses: number): Float32Array => {
  const y = new Float32Array(labels.length * numClasses)
  for (let i = 0; i < labels.length; i++) y[i * numClasses + labels[i]!] = 1
  return y
}
