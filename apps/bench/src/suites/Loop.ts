/**
 * The train package's whole loop (`Run.train`: Effect stream of events, data stream, plans,
 * per-epoch evaluation) vs the loop a tfjs user writes by hand, on the same data and model.
 */
import * as tf from "@tensorflow/tfjs-core"
import { Pairing, Random, Strategy } from "@vicinal/core"
import type { DatasetType } from "@vicinal/data"
import { Models } from "@vicinal/models"
import { Run } from "@vicinal/train"
import { Effect } from "effect"
import type * as Harness from "../Harness.ts"
import type { Row } from "../Report.ts"
import { ratioRow } from "./Ratio.ts"
import { disposeTfjsOptimizer, handWrittenStep, hostBatch } from "./Training.ts"

export interface LoopOptions {
  readonly runtime: string
  readonly backend: string
  readonly backendName: "cpu" | "wasm"
  readonly batchSize: number
  readonly batches: number
  readonly testSize: number
  readonly hidden: ReadonlyArray<number>
  readonly harness: Harness.Options
}

const SECTION = "Training step (SGD momentum 0.9, batch of 128, 10 classes)"
const LR = 0.01

const dataset = (name: string, n: number, seed: number): DatasetType => {
  const host = hostBatch("mlp", n, seed)
  return {
    name,
    x: host.x,
    shape: host.shape,
    labels: host.labels,
    trueLabels: host.trueLabels,
    numClasses: 10,
  }
}

/** One epoch by hand: shuffled batches, `minimize`, then the test error, like Run.train's epoch. */
const handWrittenEpoch = (
  data: { train: DatasetType; test: DatasetType },
  options: LoopOptions,
  seed: number,
) => {
  const net = Models.mlp({ inputShape: [784], numClasses: 10, hidden: [...options.hidden], seed })
  const optimizer = tf.train.momentum(LR, 0.9)
  try {
    const order = Pairing.permutation(data.train.labels.length, Random.make(seed))
    const d = 784
    for (let b = 0; b < options.batches; b++) {
      const rows = order.subarray(b * options.batchSize, (b + 1) * options.batchSize)
      const x = new Float32Array(rows.length * d)
      rows.forEach((r, i) => {
        x.set(data.train.x.subarray(r * d, (r + 1) * d), i * d)
      })
      const labels = Int32Array.from(rows, (r) => data.train.labels[r]!)
      handWrittenStep(net, optimizer, {
        x,
        shape: [rows.length, d],
        labels,
        trueLabels: labels,
        indices: Int32Array.from(rows),
        numClasses: 10,
      })
    }
    return tf.tidy(() => {
      const logits = net.forward(tf.tensor(data.test.x, [...data.test.shape]))
      const predicted = tf.argMax(logits, 1).dataSync()
      return predicted.filter((p, i) => p !== data.test.labels[i]).length / predicted.length
    })
  } finally {
    disposeTfjsOptimizer(optimizer)
    net.dispose()
  }
}

export const rows = async (options: LoopOptions): Promise<ReadonlyArray<Row>> => {
  const id = "train.run-vs-loop.mlp"
  const title = `Run.train (1 epoch of ${options.batches} batches + test) / hand-written loop, MLP 784-${options.hidden.join("-")}-10`
  const base = { id, section: SECTION, title, runtime: options.runtime, backend: options.backend }
  const data = {
    train: dataset("bench-train", options.batchSize * options.batches, 21),
    test: dataset("bench-test", options.testSize, 22),
  }
  const config = {
    seed: 1,
    epochs: 1,
    batchSize: options.batchSize,
    backend: options.backendName,
    strategy: Strategy.erm,
    model: { kind: "mlp", hidden: [...options.hidden] },
    data: { dataset: "twoMoons", n: 2 },
    optimizer: { _tag: "sgd", lr: LR, momentum: 0.9, weightDecay: 0 },
    schedule: { _tag: "constant" },
  } as const
  const ours = () => Effect.runPromise(Run.collect(config, { data }))
  let seed = 0
  const theirs = () => {
    seed += 1
    return handWrittenEpoch(data, options, seed)
  }
  return [
    await ratioRow(
      base,
      { name: "Run.train", work: ours },
      { name: "hand-written", work: theirs },
      1.05,
      options.harness,
    ),
  ]
}
