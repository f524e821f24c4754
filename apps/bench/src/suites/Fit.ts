/**
 * A user's own tfjs-layers model trained by tfjs: `model.fitDataset` reading vicinal's mixed
 * source (`Fit.dataset`, mixup on the host) vs `model.fitDataset` reading the same batches
 * unmixed from a plain source; and `Fit.step` (one custom-loop step) vs the same step written
 * by hand with core's plan and host mixing.
 */
import * as tf from "@tensorflow/tfjs-core"
import * as tfl from "@tensorflow/tfjs-layers"
import { Host, type HostBatch, Random, Strategy } from "@vicinal/core"
import { Dataset, type DatasetType } from "@vicinal/data"
import { Losses } from "@vicinal/losses"
import { Fit } from "@vicinal/train"
import type * as Harness from "../Harness.ts"
import type { Row } from "../Report.ts"
import { ratioRow } from "./Ratio.ts"
import { disposeTfjsOptimizer, hostBatch } from "./Training.ts"

export interface FitOptions {
  readonly runtime: string
  readonly backend: string
  readonly batchSize: number
  readonly batches: number
  readonly hidden: ReadonlyArray<number>
  readonly harness: Harness.Options
}

const SECTION = "Your own model (tf.sequential MLP, SGD, mixup on the host)"
const CLASSES = 10
const strategy = Strategy.mixup({ alpha: 1 })

const userModel = (hidden: ReadonlyArray<number>): tfl.Sequential => {
  const model = tfl.sequential()
  hidden.forEach((units, i) => {
    model.add(tfl.layers.dense({ units, activation: "relu", ...(i === 0 ? { inputShape: [784] } : {}) }))
  })
  model.add(tfl.layers.dense({ units: CLASSES }))
  return model
}

const dataset = (n: number): DatasetType => {
  const host = hostBatch("mlp", n, 31)
  return {
    name: "bench",
    x: host.x,
    shape: host.shape,
    labels: host.labels,
    trueLabels: host.labels,
    numClasses: CLASSES,
  }
}

/** A plain fitDataset source: each epoch uploads pre-gathered batches as they are. */
const unmixedSource = (batches: ReadonlyArray<HostBatch>) => ({
  size: batches.length,
  iterator: async () => {
    let b = 0
    return {
      next: async () => {
        const batch = batches[b++]
        if (batch === undefined) return { done: true as const, value: undefined }
        const n = batch.shape[0]!
        return {
          done: false as const,
          value: { xs: tf.tensor(batch.x, [...batch.shape]), ys: tf.tensor2d(batch.y, [n, CLASSES]) },
        }
      },
    }
  },
})

const fitDatasetRow = async (options: FitOptions): Promise<Row> => {
  const id = "fit.dataset-vs-unmixed.mlp"
  const title = `model.fitDataset on Fit.dataset (mixup) / on the same batches unmixed, 1 epoch of ${options.batches} batches, MLP 784-${options.hidden.join("-")}-10`
  const base = { id, section: SECTION, title, runtime: options.runtime, backend: options.backend }
  const data = dataset(options.batchSize * options.batches)
  const model = userModel(options.hidden)
  const optimizer = tf.train.sgd(0.01)
  model.compile({ optimizer, loss: "categoricalCrossentropy" })
  const mixed = Fit.dataset(data, { strategy, batchSize: options.batchSize, seed: 1 })
  const d = 784
  const plain = unmixedSource(
    Array.from({ length: options.batches }, (_, b) => {
      const from = b * options.batchSize
      const to = from + options.batchSize
      return {
        x: data.x.slice(from * d, to * d),
        shape: [options.batchSize, d],
        y: Dataset.oneHot(data.labels.subarray(from, to), CLASSES),
      }
    }),
  )
  // biome-ignore lint/suspicious/noExplicitAny: fitDataset is typed with tfjs-data's Dataset class; both sources have what it reads
  const fit = (source: unknown) => () => model.fitDataset(source as any, { epochs: 1, verbose: 0 })
  try {
    return await ratioRow(
      base,
      { name: "Fit.dataset", work: fit(mixed) },
      { name: "unmixed", work: fit(plain) },
      1.1,
      options.harness,
    )
  } finally {
    model.dispose()
    disposeTfjsOptimizer(optimizer)
  }
}

const stepRow = async (options: FitOptions): Promise<Row> => {
  const id = "fit.step-vs-hand.mlp"
  const title = `Fit.step (mixup) / the same step by hand (Strategy.plan, Host.execute, soft cross-entropy, applyGradients), MLP 784-${options.hidden.join("-")}-10`
  const base = { id, section: SECTION, title, runtime: options.runtime, backend: options.backend }
  const source = hostBatch("mlp", options.batchSize, 32)
  const batch: HostBatch = { x: source.x, shape: source.shape, y: Dataset.oneHot(source.labels, CLASSES) }
  const n = options.batchSize
  const ours = userModel(options.hidden)
  const theirs = userModel(options.hidden)
  const setup = { model: ours, optimizer: tf.train.sgd(0.01), strategy, seed: 1 }
  const theirOptimizer = tf.train.sgd(0.01)
  const rng = Random.make(1)
  let step = 0
  const oursStep = () => Fit.step(setup, batch, { epoch: 0, step: step++ })
  const handStep = () => {
    const plan = Strategy.plan(strategy, { n, shape: batch.shape }, { epoch: 0, step: 0 }, rng)
    const mixed = Host.execute(plan, batch)
    return tf.tidy(() => {
      const x = tf.tensor(mixed.x, [...batch.shape])
      const y = tf.tensor2d(mixed.y, [n, CLASSES])
      const { value, grads } = tf.variableGrads(() =>
        Losses.softCrossEntropy(theirs.apply(x, { training: true }) as tf.Tensor2D, y),
      )
      theirOptimizer.applyGradients(grads)
      return value.dataSync()[0]!
    })
  }
  try {
    return await ratioRow(
      base,
      { name: "Fit.step", work: oursStep },
      { name: "by hand", work: handStep },
      1.05,
      options.harness,
    )
  } finally {
    ours.dispose()
    theirs.dispose()
    disposeTfjsOptimizer(setup.optimizer)
    disposeTfjsOptimizer(theirOptimizer)
  }
}

export const rows = async (options: FitOptions): Promise<ReadonlyArray<Row>> => [
  await fitDatasetRow(options),
  await stepRow(options),
]
