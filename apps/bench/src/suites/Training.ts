/**
 * Training steps: a mixup step vs an ERM step through the train package, and the train
 * package's step vs a hand-written `optimizer.minimize` step on the same model and batch.
 */
import * as tf from "@tensorflow/tfjs-core"
import { type MixPlan, Random, Strategy } from "@vicinal/core"
import type { HostBatch } from "@vicinal/data"
import { type Classifier, Models } from "@vicinal/models"
import { Optimizer, Run } from "@vicinal/train"
import * as Describe from "../Describe.ts"
import * as Harness from "../Harness.ts"
import { type Row, row, skipped } from "../Report.ts"

export type ModelKind = "mlp" | "cnn"

export interface TrainingOptions {
  readonly runtime: string
  readonly backend: string
  readonly models: ReadonlyArray<ModelKind>
  readonly batchSize: number
  /** Hidden widths of the MLP (default the paper-sized 512-512). */
  readonly mlpHidden?: ReadonlyArray<number>
  readonly harness: (kind: ModelKind) => Harness.Options
  /** A model whose warm-up step takes longer than this (ms) is reported as skipped. */
  readonly maxStepMs: number
}

const SECTION = "Training step (SGD momentum 0.9, batch of 128, 10 classes)"
const CLASSES = 10
const LR = 0.01
const context = { epoch: 0, step: 0 }

/** The MLP the issue names: 784-512-512-10. */
export const PAPER_MLP: ReadonlyArray<number> = [512, 512]

export const describeModel = (kind: ModelKind, hidden: ReadonlyArray<number> = PAPER_MLP): string =>
  kind === "mlp" ? `MLP 784-${hidden.join("-")}-10` : "small CNN 28x28x1 (conv32-conv64-pool-dense128)"

export const buildModel = (kind: ModelKind, hidden: ReadonlyArray<number> = PAPER_MLP): Classifier =>
  kind === "mlp"
    ? Models.mlp({ inputShape: [784], numClasses: CLASSES, hidden: [...hidden], seed: 1 })
    : Models.smallCnn({ inputShape: [28, 28, 1], numClasses: CLASSES, seed: 1 })

const featureShape = (kind: ModelKind): ReadonlyArray<number> => (kind === "mlp" ? [784] : [28, 28, 1])

/** A host batch of uniform features and cyclic labels. */
export const hostBatch = (kind: ModelKind, n: number, seed: number): HostBatch => {
  const rng = Random.make(seed)
  const shape = [n, ...featureShape(kind)]
  const size = shape.reduce((a, b) => a * b, 1)
  const labels = Int32Array.from({ length: n }, (_, i) => i % CLASSES)
  return {
    x: Float32Array.from({ length: size }, () => rng.uniform()),
    shape,
    labels,
    trueLabels: labels,
    indices: Int32Array.from({ length: n }, (_, i) => i),
    numClasses: CLASSES,
  }
}

const oneHot = (labels: Int32Array): Float32Array => {
  const y = new Float32Array(labels.length * CLASSES)
  labels.forEach((c, i) => {
    y[i * CLASSES + c] = 1
  })
  return y
}

/** The loop a tfjs user writes: upload, forward, tfjs' softmax cross-entropy, `minimize`. */
export const handWrittenStep = (net: Classifier, optimizer: tf.Optimizer, host: HostBatch): number => {
  const n = host.labels.length
  return tf.tidy(() => {
    const x = tf.tensor(host.x, [...host.shape])
    const y = tf.tensor2d(oneHot(host.labels), [n, CLASSES])
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, net.forward(x, { training: true })) as tf.Scalar,
      true,
    )
    return loss!.dataSync()[0]!
  })
}

/**
 * tfjs 4.22's MomentumOptimizer.dispose() frees its momentum scalar and slots but not the
 * learning-rate scalar (`c`) it inherits from SGDOptimizer; free that too, so that the baseline
 * leaves nothing behind either.
 */
export const disposeTfjsOptimizer = (optimizer: tf.Optimizer): void => {
  optimizer.dispose()
  const rate = (optimizer as unknown as { readonly c?: tf.Tensor }).c
  if (rate !== undefined && !rate.isDisposed) rate.dispose()
}

const planFor = (strategy: Strategy.Strategy, host: HostBatch, rng: Random.Rng): MixPlan =>
  Strategy.plan(strategy, { n: host.labels.length, shape: host.shape, labels: host.labels }, context, rng)

const mixup = Strategy.mixup({ alpha: 1 })

export const rows = async (options: TrainingOptions): Promise<ReadonlyArray<Row>> => {
  const out: Array<Row> = []
  for (const kind of options.models) {
    const base = { section: SECTION, runtime: options.runtime, backend: options.backend }
    const net = buildModel(kind, options.mlpHidden)
    const host = hostBatch(kind, options.batchSize, 7)
    const ours = Optimizer.sgd({ lr: LR, momentum: 0.9 })
    const theirs = tf.train.momentum(LR, 0.9)
    const rng = Random.make(11)
    const mixupStep = () => Run.trainStep(net, ours, planFor(mixup, host, rng), host, LR)
    const ermStep = () => Run.trainStep(net, ours, planFor(Strategy.erm, host, rng), host, LR)
    const handStep = () => handWrittenStep(net, theirs, host)
    try {
      // One step of each first: creates optimiser slots, and tells whether the model fits the budget.
      const began = performance.now()
      ermStep()
      const stepMs = performance.now() - began
      if (stepMs > options.maxStepMs) {
        const reason = `one step takes ${(stepMs / 1000).toFixed(1)} s here, over the ${(options.maxStepMs / 1000).toFixed(0)} s per-step budget of this run`
        out.push(
          skipped({
            ...base,
            id: `train.mixup-vs-erm.${kind}`,
            title: `mixup step / ERM step, ${describeModel(kind, options.mlpHidden)}`,
            unit: "x",
            detail: reason,
          }),
          skipped({
            ...base,
            id: `train.loop-vs-minimize.${kind}`,
            title: `train step / hand-written minimize, ${describeModel(kind, options.mlpHidden)}`,
            unit: "x",
            detail: reason,
          }),
        )
        continue
      }
      handStep()
      const before = tf.memory().numTensors
      const mixVsErm = await Harness.compare(mixupStep, ermStep, options.harness(kind))
      const oursVsHand = await Harness.compare(ermStep, handStep, options.harness(kind))
      const leaked = tf.memory().numTensors - before
      const leakNote = leaked === 0 ? "" : `; LEAK: ${leaked} tensors left`
      const model = describeModel(kind, options.mlpHidden)
      const ratioRow = (id: string, title: string, c: Harness.Comparison, sides: readonly [string, string]) =>
        row({
          ...base,
          id,
          title,
          value: c.ratio.median,
          unit: "x",
          target: { op: "<=", value: 1.05 },
          ratioQuartiles: c.ratio,
          detail: Describe.comparison(c, ...sides) + leakNote,
        })
      out.push(
        ratioRow(`train.mixup-vs-erm.${kind}`, `mixup step / ERM step (Run.trainStep), ${model}`, mixVsErm, [
          "mixup",
          "ERM",
        ]),
        ratioRow(
          `train.loop-vs-minimize.${kind}`,
          `train step (Run.trainStep, ERM) / hand-written tf.train.momentum minimize, ${model}`,
          oursVsHand,
          ["train", "hand-written"],
        ),
        row({
          ...base,
          id: `train.step-ms.${kind}`,
          title: `ERM step time, ${describeModel(kind, options.mlpHidden)}`,
          value: oursVsHand.a.summary.median,
          unit: "ms",
          detail: Describe.measurement(oursVsHand.a),
        }),
      )
    } finally {
      ours.dispose()
      disposeTfjsOptimizer(theirs)
      net.dispose()
    }
  }
  return out
}
