/**
 * Host-side batches of a dataset, one epoch at a time: seeded shuffling, batch size,
 * drop-last or keep-last, augmentation on typed arrays, and prefetch. Streams carry plain
 * typed arrays (never device tensors); `toBatch` uploads one batch for the trainer.
 *
 * Every batch owns fresh arrays (copied from the dataset, which is never written).
 */

import * as tf from "@tensorflow/tfjs-core"
import type { Random } from "@vicinal/core"
import { Effect, Stream } from "effect"
import type { Augmentation } from "./Augment.ts"
import * as Check from "./Check.ts"
import { type Dataset, featureSize, gather, labelError, oneHot, size } from "./Dataset.ts"
import { type DataError, InvalidArgument, isDataError } from "./Errors.ts"
import { epochRng, permutation } from "./Shuffle.ts"

type Rng = Random.Rng

export interface HostBatch {
  readonly x: Float32Array
  /** [n, ...featureShape] */
  readonly shape: ReadonlyArray<number>
  readonly labels: Int32Array
  readonly trueLabels: Int32Array
  /** positions in the dataset */
  readonly indices: Int32Array
  readonly numClasses: number
}

export interface BatchOptions {
  readonly batchSize: number
  /** visit the examples in a seeded random order (default true) */
  readonly shuffle?: boolean
  /**
   * seed of the run: the epoch's order and augmentation are a pure function of (seed, epoch),
   * so a run resumed at epoch e sees the same batches
   */
  readonly seed?: number
  /** or a generator to draw from (it advances); used when given, instead of `seed` */
  readonly rng?: Rng
  /** epoch number, 0-based (default 0) */
  readonly epoch?: number
  /** drop the last batch when it is short (default false: it is kept) */
  readonly dropLast?: boolean
  /** applied to each batch on the host, with the epoch's augmentation generator */
  readonly augment?: Augmentation
  /** batches prepared ahead of the consumer by `stream` (default 2; 0 = none) */
  readonly prefetch?: number
}

/** Batches in one epoch of `count` examples. */
export const numBatches = (count: number, options: Pick<BatchOptions, "batchSize" | "dropLast">): number =>
  options.dropLast === true ? Math.floor(count / options.batchSize) : Math.ceil(count / options.batchSize)

interface Epoch {
  readonly order: Int32Array
  readonly batches: number
  readonly augmentRng: Rng | undefined
}

const check = (dataset: Dataset, options: BatchOptions): InvalidArgument | undefined =>
  Check.first(
    Check.integerAtLeast("batchSize", options.batchSize, 1),
    Check.integerAtLeast("epoch", options.epoch ?? 0, 0),
    Check.integerAtLeast("prefetch", options.prefetch ?? 2, 0),
    options.seed === undefined ? undefined : Check.seed("seed", options.seed),
    options.seed === undefined && options.rng === undefined && (options.shuffle !== false || options.augment)
      ? new InvalidArgument({
          argument: "seed",
          value: options.seed,
          expected: `must be given: shuffling and augmentation of ${dataset.name} draw random numbers`,
          fix: "pass a seed or an rng, or shuffle: false without augment",
        })
      : undefined,
  )

// The order is drawn before the augmentation generator is split off, so turning augmentation
// on or off never changes which examples a batch holds.
const planEpoch = (dataset: Dataset, options: BatchOptions): Epoch => {
  const n = size(dataset)
  const random =
    options.rng ?? (options.seed === undefined ? undefined : epochRng(options.seed, options.epoch ?? 0))
  const order =
    options.shuffle === false || random === undefined
      ? Int32Array.from({ length: n }, (_, i) => i)
      : permutation(n, random)
  return {
    order,
    batches: numBatches(n, options),
    augmentRng: options.augment === undefined ? undefined : random?.split(),
  }
}

const batchAt = (dataset: Dataset, epoch: Epoch, options: BatchOptions, b: number): HostBatch => {
  const indices = epoch.order.slice(b * options.batchSize, (b + 1) * options.batchSize)
  const { x, shape, labels, trueLabels, numClasses } = gather(dataset, indices, dataset.name)
  const batch: HostBatch = { x, shape, labels, trueLabels, indices, numClasses }
  return options.augment === undefined || epoch.augmentRng === undefined
    ? batch
    : options.augment(batch, epoch.augmentRng)
}

/** The order in which an epoch visits the dataset (a permutation, or 0..N-1 without shuffling). */
export const epochOrder = (
  dataset: Dataset,
  options: BatchOptions,
): Effect.Effect<Int32Array, InvalidArgument> =>
  Effect.suspend(() => {
    const error = check(dataset, options)
    return error === undefined ? Effect.succeed(planEpoch(dataset, options).order) : Effect.fail(error)
  })

/**
 * One epoch as a plain synchronous iterator, for code that does not use Effect. Bad options
 * throw a tagged `InvalidArgument` on the first `next()`; augmentation errors propagate.
 */
export function* iterate(dataset: Dataset, options: BatchOptions): Generator<HostBatch, void, undefined> {
  const error = check(dataset, options)
  if (error !== undefined) throw error
  const epoch = planEpoch(dataset, options)
  for (let b = 0; b < epoch.batches; b++) yield batchAt(dataset, epoch, options, b)
}

const asDataError = (cause: unknown): DataError =>
  isDataError(cause)
    ? cause
    : new InvalidArgument({
        argument: "augment",
        value: cause instanceof Error ? cause.message : String(cause),
        expected: "must not throw",
      })

/**
 * One epoch as a Stream. Nothing is drawn until the stream runs; each run with a `seed`
 * replays the same batches. With `prefetch` > 0 the next batches are prepared while the
 * consumer works on the current one.
 */
export const stream = (dataset: Dataset, options: BatchOptions): Stream.Stream<HostBatch, DataError> => {
  const batches = Stream.suspend(() => {
    const error = check(dataset, options)
    if (error !== undefined) return Stream.fail(error)
    const epoch = planEpoch(dataset, options)
    return Stream.unfold(0, (b) =>
      b >= epoch.batches
        ? Effect.succeed(undefined)
        : Effect.try({
            try: () => [batchAt(dataset, epoch, options, b), b + 1] as const,
            catch: asDataError,
          }),
    )
  })
  return prefetched(batches, options.prefetch)
}

/** The stream with up to `prefetch` (default 2) elements prepared ahead of its consumer; 0 = none. */
export const prefetched = <A, E>(stream: Stream.Stream<A, E>, prefetch = 2): Stream.Stream<A, E> =>
  Number.isSafeInteger(prefetch) && prefetch > 0 ? Stream.buffer(stream, { capacity: prefetch }) : stream

export interface EpochBatch {
  readonly epoch: number
  readonly batch: HostBatch
}

/** Several epochs back to back (`from` inclusive, `to` exclusive), each as `stream` would give it. */
export const epochs = (
  dataset: Dataset,
  options: Omit<BatchOptions, "epoch"> & { readonly from?: number; readonly to: number },
): Stream.Stream<EpochBatch, DataError> => {
  const { from = 0, to, ...rest } = options
  const error = Check.first(Check.integerAtLeast("from", from, 0), Check.integerAtLeast("to", to, from))
  if (error !== undefined) return Stream.fail(error)
  return Stream.fromIterable(Array.from({ length: to - from }, (_, i) => from + i)).pipe(
    Stream.flatMap((epoch) =>
      Stream.map(stream(dataset, { ...rest, epoch }), (batch): EpochBatch => ({ epoch, batch })),
    ),
  )
}

/** The whole dataset as one batch, in order (a copy), e.g. for evaluation. */
export const whole = (dataset: Dataset): HostBatch => {
  const indices = Int32Array.from({ length: size(dataset) }, (_, i) => i)
  const { x, shape, labels, trueLabels, numClasses } = gather(dataset, indices, dataset.name)
  return { x, shape, labels, trueLabels, indices, numClasses }
}

export interface ToBatchOptions {
  /** which labels become the one-hot targets (default "labels", the training labels) */
  readonly labels?: "labels" | "trueLabels"
}

/**
 * Uploads a host batch: `x` with the batch's shape and one-hot `y` [n, numClasses]. The caller
 * disposes both. tfjs may keep `host.x` as the tensor's storage (cpu backend), so do not write to
 * the host batch afterwards. Throws a tagged error if a label or the shape does not fit (synchronous
 * hot-path helper).
 */
export const toBatch = (
  host: HostBatch,
  options: ToBatchOptions = {},
): { readonly x: tf.Tensor; readonly y: tf.Tensor2D } => {
  const labels = host[options.labels ?? "labels"]
  const n = host.shape[0] ?? 0
  if (host.x.length !== n * featureSize(host.shape) || labels.length !== n)
    throw new InvalidArgument({
      argument: "host.shape",
      value: host.shape,
      expected: `must match x (${host.x.length} values) and labels (${labels.length})`,
    })
  const bad = labelError("toBatch", labels, host.numClasses)
  if (bad !== undefined) throw bad
  const x = tf.tensor(host.x, [...host.shape], "float32")
  const y = tf.tensor2d(oneHot(labels, host.numClasses), [n, host.numClasses], "float32")
  return { x, y }
}
