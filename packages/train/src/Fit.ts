/**
 * Vicinal strategies for a user's own tfjs-layers model, trained by tfjs itself.
 *
 * - `dataset`: a source of mixed batches for `model.fitDataset` (a `tf.data.Dataset` look-alike).
 *   Each `iterator()` that is read is one epoch, so `schedule`, `until` and alpha schedules see
 *   the epoch; batches are mixed on the host (`Host.executeInto`) into buffers reused from batch
 *   to batch, then uploaded; fitDataset disposes every tensor it is given.
 * - `step`: one optimisation step of a custom loop (model, tfjs optimizer, host batch, strategy,
 *   position) returning the batch's loss.
 *
 * Randomness: the run's seed gives a data seed (each epoch's order is a pure function of it and
 * the epoch, as `Batches` draws it) and a strategy seed (each step's plan draws from
 * `stepRng(strategySeed, { epoch, step })`), so the same seed gives the same batches on every
 * runtime, and a run restarted at any epoch sees the batches it would have seen.
 */
import * as tf from "@tensorflow/tfjs-core"
import type * as tfl from "@tensorflow/tfjs-layers"
import { Execute, Host, type HostBatch, type MixPlan, type Pairing, Random, Strategy } from "@vicinal/core"
import { Dataset as Datasets, type DatasetType, Shuffle } from "@vicinal/data"
import { Losses } from "@vicinal/losses"
import { type Classifier, Models } from "@vicinal/models"
import { InvalidArgument } from "./Errors.ts"
import { strategyProblem } from "./Plannable.ts"

// fitDataset and custom loops train conv nets: importing the kernels registers the filter gradient
// the wasm backend lacks, and the fast matmul and conv-gradient kernels.
import "@vicinal/kernels"

const MAX_SEED = 2 ** 31 - 1

/** Host data with target rows: one-hot or any distributions, `[N, classes]`. */
export interface Table {
  readonly x: Float32Array
  /** [N, ...features] */
  readonly shape: ReadonlyArray<number>
  /** N * classes values, each row a distribution. */
  readonly y: Float32Array
}

/** What `dataset` mixes: a vicinal `Dataset` (class labels) or host arrays with target rows. */
export type Source = DatasetType | Table

/** The independent seeds of a source, both derived from its one seed. */
export const seeds = (seed: number): { readonly strategy: number; readonly data: number } => {
  const root = Random.make(seed)
  return { strategy: root.split().int(MAX_SEED), data: root.split().int(MAX_SEED) }
}

/** The generator a step's plan draws from: a pure function of the strategy seed and the position. */
export const stepRng = (strategySeed: number, context: Strategy.StepContext): Random.Rng =>
  Shuffle.epochRng(Shuffle.epochRng(strategySeed, context.epoch).int(MAX_SEED), context.step)

interface Checked {
  readonly x: Float32Array
  readonly shape: ReadonlyArray<number>
  readonly y: Float32Array
  readonly classes: number
  /** Class per example when every target row is one-hot (needed by same-class pairings). */
  readonly labels: Int32Array | undefined
}

const fail = (argument: string, value: unknown, expected: string) =>
  new InvalidArgument({ argument, value, expected })

/** The user's pairings and mixers, as planning takes them. */
const registries = (
  from: Pick<DatasetOptions, "pairings" | "mixers">,
): Pick<Strategy.PlanInput, "pairings" | "mixers"> => ({
  ...(from.pairings === undefined ? {} : { pairings: from.pairings }),
  ...(from.mixers === undefined ? {} : { mixers: from.mixers }),
})

/** Class per row when every row is one-hot, else undefined. */
const oneHotLabels = (y: Float32Array, classes: number): Int32Array | undefined => {
  const labels = Strategy.argmaxRows(y, classes)
  for (let i = 0; i < labels.length; i++)
    for (let c = 0; c < classes; c++) if (y[i * classes + c] !== (c === labels[i] ? 1 : 0)) return undefined
  return labels
}

const checkSource = (source: Source, strategy: Strategy.Strategy): Checked => {
  const n = source.shape[0] ?? 0
  const d = source.shape.slice(1).reduce((a, b) => a * b, 1)
  if (n < 1 || source.x.length !== n * d)
    throw fail(
      "source.x.length",
      source.x.length,
      `must fill shape ${JSON.stringify(source.shape)} of at least one example`,
    )
  const fromLabels = "labels" in source
  const classes = fromLabels ? source.numClasses : source.y.length / n
  if (!fromLabels && (!Number.isInteger(classes) || classes < 2))
    throw fail("source.y.length", source.y.length, `must be N = ${n} rows of at least 2 classes`)
  const y = fromLabels ? Datasets.oneHot(source.labels, classes) : source.y
  const notDistributions = Strategy.validateTargets(y, classes, fromLabels ? "source.labels" : "source.y")
  if (notDistributions !== undefined)
    throw fail(
      notDistributions.argument,
      notDistributions.value,
      `must be one-hot rows or distributions: row ${notDistributions.row} ${notDistributions.reason}`,
    )
  const labels = fromLabels ? source.labels : oneHotLabels(y, classes)
  if (labels === undefined && Strategy.needs(strategy).labels)
    throw new InvalidArgument({
      argument: "strategy",
      value: strategy._tag,
      expected:
        "must not pair examples by class (same-class or custom pairing) when the targets are not one-hot",
      fix: "give class labels (a Dataset) or one-hot rows",
    })
  return { x: source.x, shape: source.shape, y, classes, labels }
}

/** What `fromTfData` reads: a `tf.data.Dataset` of `{ xs, ys }` (single examples or batches). */
export interface TfDataSource {
  readonly iterator: () => Promise<{
    readonly next: () => Promise<IteratorResult<{ readonly xs: tf.Tensor; readonly ys: tf.Tensor }>>
  }>
}

/**
 * Reads a `tf.data.Dataset` of `{ xs, ys }` once into host arrays for `dataset` (disposing every
 * element it reads). Elements may be single examples (`ys` of rank 1) or batches (`ys` of rank 2).
 * Fails with an `InvalidArgument` naming `source` for an element of another form or shape.
 */
export const fromTfData = async (source: TfDataSource): Promise<Table> => {
  const xs: Array<Float32Array> = []
  const ys: Array<Float32Array> = []
  let example: ReadonlyArray<number> | undefined
  let classes = 0
  let n = 0
  const iterator = await source.iterator()
  for (let item = await iterator.next(); item.done !== true; item = await iterator.next()) {
    const { xs: x, ys: y } = item.value ?? {}
    try {
      if (!(x instanceof tf.Tensor) || !(y instanceof tf.Tensor) || (y.rank !== 1 && y.rank !== 2))
        throw fail(
          `source[${xs.length}]`,
          item.value,
          "must be { xs, ys } tensors, ys of rank 1 (an example) or 2 (a batch)",
        )
      const batched = y.rank === 2
      const rows = batched ? y.shape[0]! : 1
      const features = batched ? x.shape.slice(1) : x.shape
      example ??= features
      classes ||= y.shape[y.rank - 1]!
      if (
        (batched && x.shape[0] !== rows) ||
        JSON.stringify(features) !== JSON.stringify(example) ||
        y.shape[y.rank - 1] !== classes
      )
        throw fail(
          `source[${xs.length}]`,
          { xs: x.shape, ys: y.shape },
          `must have the shapes of the first element (examples ${JSON.stringify(example)}, ${classes} classes)`,
        )
      xs.push(Float32Array.from(x.dataSync()))
      ys.push(Float32Array.from(y.dataSync()))
      n += rows
    } finally {
      tf.dispose([x, y].filter((t): t is tf.Tensor => t instanceof tf.Tensor))
    }
  }
  if (example === undefined) throw fail("source", [], "must have elements")
  const concat = (parts: ReadonlyArray<Float32Array>) => {
    const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0))
    let at = 0
    for (const p of parts) {
      out.set(p, at)
      at += p.length
    }
    return out
  }
  return { x: concat(xs), shape: [n, ...example], y: concat(ys) }
}

/** Throws an `InvalidArgument` naming `model` when its input or output does not fit the data. */
export const checkModel = (model: tfl.LayersModel, shape: ReadonlyArray<number>, classes: number): void => {
  const input = model.inputs[0]?.shape ?? []
  const features = shape.slice(1)
  if (
    model.inputs.length !== 1 ||
    input.length !== shape.length ||
    features.some((v, i) => input[i + 1] !== null && input[i + 1] !== v)
  )
    throw fail(
      "model",
      input,
      `must have an input shape that takes the data's examples [n, ${features.join(", ")}]`,
    )
  const output = model.outputs[0]?.shape ?? []
  if (model.outputs.length !== 1 || output.length !== 2 || output[1] !== classes)
    throw fail("model", output, `must have output shape [n, ${classes}] (one score per class of the data)`)
}

export interface DatasetOptions {
  readonly strategy: Strategy.Strategy
  readonly batchSize: number
  readonly seed: number
  /** Visit the examples in a seeded random order each epoch (default true). */
  readonly shuffle?: boolean
  /** Drop the last short batch of each epoch (default false: it is a smaller batch). */
  readonly dropLast?: boolean
  /** The epoch the first iterator is (pass fitDataset's `initialEpoch` here too). Default 0. */
  readonly initialEpoch?: number
  /** Checked against the data before anything runs (input shape, one output per class). */
  readonly model?: tfl.LayersModel
  /** Custom pairings by name. */
  readonly pairings?: Pairing.Registry
  /** User-defined mixers by name (`Strategy.defineMixer(...).mixers`) the strategy may name. */
  readonly mixers?: Strategy.Mixers
}

/** One epoch's batches as fitDataset reads them. */
export interface EpochIterator {
  readonly next: () => Promise<IteratorResult<{ readonly xs: tf.Tensor; readonly ys: tf.Tensor2D }>>
}

/** What `model.fitDataset` needs of a `tf.data.Dataset`. */
export interface FitSource {
  /** Batches per epoch (fitDataset's progress reads it). */
  readonly size: number
  readonly iterator: () => Promise<EpochIterator>
  /** The epochs started so far (the next iterator read is epoch `initialEpoch + epochsStarted`). */
  readonly epochsStarted: () => number
}

interface Buffers {
  readonly x: Float32Array
  readonly y: Float32Array
  readonly gatheredX: Float32Array
  readonly gatheredY: Float32Array
}

const buffersFor = (rows: number, d: number, classes: number): Buffers => ({
  x: new Float32Array(rows * d),
  y: new Float32Array(rows * classes),
  gatheredX: new Float32Array(rows * d),
  gatheredY: new Float32Array(rows * classes),
})

/**
 * A source of mixed batches for `model.fitDataset(source, { epochs })`. Throws an `InvalidArgument`
 * naming the argument, before any training, for targets that are not distributions, a
 * strategy pairing by class without one-hot targets, a bad batch size or seed, or (with
 * `model`) a model whose input or output does not fit the data. Do not pass `batchesPerEpoch`
 * to fitDataset: an epoch is one pass over the data.
 */
export const dataset = (source: Source, options: DatasetOptions): FitSource => {
  const { strategy, batchSize, seed } = options
  const invalid = strategyProblem(strategy, options.mixers)
  if (invalid !== undefined) throw invalid
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw fail("batchSize", batchSize, "must be a positive integer")
  if (!Number.isSafeInteger(seed) || seed < 0) throw fail("seed", seed, "must be a non-negative integer")
  const initialEpoch = options.initialEpoch ?? 0
  if (!Number.isSafeInteger(initialEpoch) || initialEpoch < 0)
    throw fail("initialEpoch", initialEpoch, "must be a non-negative integer")
  const data = checkSource(source, strategy)
  if (options.model !== undefined) checkModel(options.model, data.shape, data.classes)
  const n = data.shape[0]!
  const d = data.x.length / n
  const { classes } = data
  const full = Math.floor(n / batchSize)
  const batches = options.dropLast === true ? full : Math.ceil(n / batchSize)
  if (batches === 0)
    throw fail("batchSize", batchSize, `must leave a full batch of the ${n} examples (dropLast)`)
  const streams = seeds(seed)
  const needs = Strategy.needs(strategy, options.mixers)
  const reused = buffersFor(batchSize, d, classes)
  // The cpu backend keeps a tensor's typed array as its storage: reuse the buffers only once
  // the tensors made from them are gone (fitDataset disposes each batch before the next).
  let handedOut: ReadonlyArray<tf.Tensor> = []
  let started = 0

  const batchAt = (order: Int32Array, epoch: number, step: number) => {
    const from = step * batchSize
    const rows = Math.min(batchSize, n - from)
    const buffers =
      rows === batchSize && handedOut.every((t) => t.isDisposed) ? reused : buffersFor(rows, d, classes)
    const labels = data.labels === undefined ? undefined : new Int32Array(rows)
    for (let r = 0; r < rows; r++) {
      const i = order[from + r]!
      buffers.gatheredX.set(data.x.subarray(i * d, (i + 1) * d), r * d)
      buffers.gatheredY.set(data.y.subarray(i * classes, (i + 1) * classes), r * classes)
      if (labels !== undefined) labels[r] = data.labels![i]!
    }
    const shape = [rows, ...data.shape.slice(1)]
    const host: HostBatch<Float32Array> = { x: buffers.gatheredX, shape, y: buffers.gatheredY }
    const plan = Strategy.plan(
      strategy,
      {
        n: rows,
        shape,
        labels,
        ...(needs.features ? { features: host.x } : {}),
        ...registries(options),
      },
      { epoch, step },
      stepRng(streams.strategy, { epoch, step }),
    )
    const mixed = Host.executeInto(plan, host, { x: buffers.x, y: buffers.y })
    const xs = tf.tensor(mixed.x, shape, "float32")
    const ys = tf.tensor2d(mixed.y, [rows, classes], "float32")
    handedOut = [xs, ys]
    return { xs, ys }
  }

  const iterator = async (): Promise<EpochIterator> => {
    // The epoch is claimed on the first read: fitDataset asks for one iterator it never reads.
    let epoch: number | undefined
    let order: Int32Array = new Int32Array(0)
    let step = 0
    return {
      next: async () => {
        if (epoch === undefined) {
          epoch = initialEpoch + started++
          order =
            options.shuffle === false
              ? Int32Array.from({ length: n }, (_, i) => i)
              : Shuffle.permutation(n, Shuffle.epochRng(streams.data, epoch))
        }
        if (step >= batches) return { done: true, value: undefined }
        const value = batchAt(order, epoch, step)
        step += 1
        return { done: false, value }
      },
    }
  }

  return { size: batches, iterator, epochsStarted: () => started }
}

const wrapped = new WeakMap<tfl.LayersModel, Classifier>()

/** The model as a `Classifier` (a LayersModel is wrapped once, see `Models.wrap`). */
const classifierOf = (model: tfl.LayersModel | Classifier): Classifier => {
  if ("forward" in model) return model
  const known = wrapped.get(model)
  if (known !== undefined) return known
  const classifier = Models.wrap(model)
  wrapped.set(model, classifier)
  return classifier
}

export interface StepSetup {
  /** A model ending in logits; a `Classifier` (e.g. `Models.wrap(model, { stages })`) for manifold mixing. */
  readonly model: tfl.LayersModel | Classifier
  /** Any tfjs optimizer, e.g. `tf.train.adam(1e-3)`. */
  readonly optimizer: tf.Optimizer
  readonly strategy: Strategy.Strategy
  /** The strategy seed: each step draws from `stepRng(seed, context)`. */
  readonly seed: number
  readonly pairings?: Pairing.Registry
  /** User-defined mixers by name the strategy may name. */
  readonly mixers?: Strategy.Mixers
}

/** Plans one step of `setup.strategy` on `batch` at `context` (what `step` mixes by). */
export const planStep = (
  setup: Omit<StepSetup, "model" | "optimizer">,
  batch: HostBatch,
  context: Strategy.StepContext,
): MixPlan => {
  const n = batch.shape[0] ?? 0
  const needs = Strategy.needs(setup.strategy, setup.mixers)
  const classes = batch.y.length / Math.max(1, n)
  const labels = needs.labels ? oneHotLabels(batch.y, classes) : undefined
  if (needs.labels && labels === undefined)
    throw new InvalidArgument({
      argument: "batch.y",
      value: "rows that are not one-hot",
      expected: "must be one-hot rows: the strategy pairs examples by class (same-class or custom pairing)",
    })
  return Strategy.plan(
    setup.strategy,
    {
      n,
      shape: batch.shape,
      ...(labels === undefined ? {} : { labels }),
      ...(needs.features ? { features: batch.x } : {}),
      ...registries(setup),
    },
    context,
    stepRng(setup.seed, context),
  )
}

/**
 * One optimisation step of a custom loop: plan the strategy at `context`, mix (on the host at
 * the input; on the device at a hidden stage of a `Classifier`), take the soft-target
 * cross-entropy of the logits, apply the optimizer. Returns the batch's mean loss; leaves no
 * tensor behind. Throws the tagged errors of core, losses and models on bad input, and a
 * `InvalidArgument` naming `batch.y` when the strategy pairs by class and the rows are not one-hot.
 */
export const step = (setup: StepSetup, batch: HostBatch, context: Strategy.StepContext): number => {
  const classifier = classifierOf(setup.model)
  const plan = planStep(setup, batch, context)
  const n = plan.n
  const classes = batch.y.length / n
  const hidden = (plan.stage ?? 0) > 0 && plan.steps.length > 0
  // At the input the host path mixes (no device work beyond the upload); hidden stages mix on the device.
  const host = hidden ? batch : Host.execute(plan, batch)
  const x = tf.tensor(host.x, [...batch.shape], "float32")
  const y = tf.tensor2d(host.y, [n, classes], "float32")
  try {
    return tf.tidy(() => {
      const targets = hidden ? Execute.targets(plan, y) : y
      const variables = [...classifier.trainableVariables()]
      // Networks with dropout draw their masks from a seed (vicinal's own networks require one).
      const seed = stepRng(setup.seed, context).split().int(MAX_SEED)
      const forwardOptions = hidden
        ? { training: true, seed, mixAt: plan.stage!, mix: (h: tf.Tensor) => Execute.inputs(plan, h) }
        : { training: true, seed }
      const { value, grads } = tf.variableGrads(
        () => Losses.softCrossEntropy(classifier.forward(x, forwardOptions) as tf.Tensor2D, targets),
        variables,
      )
      setup.optimizer.applyGradients(grads)
      return value.dataSync()[0]!
    })
  } finally {
    tf.dispose([x, y])
  }
}
