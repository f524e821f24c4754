/**
 * The soak: many mixup training steps through the train package; the tensor count must not
 * move and resident memory must stay flat (growth under 50 MB).
 */
import * as tf from "@tensorflow/tfjs-core"
import { Random, Strategy } from "@vicinal/core"
import { Models } from "@vicinal/models"
import { Optimizer, Run } from "@vicinal/train"
import * as Env from "../Env.ts"
import { type Row, row } from "../Report.ts"
import { hostBatch } from "./Training.ts"

export interface SoakOptions {
  readonly runtime: string
  readonly backend: string
  readonly steps: number
  readonly batchSize: number
  /** Hidden layer widths of the MLP (small, so that 2,000 steps fit the run's time). */
  readonly hidden: ReadonlyArray<number>
}

const SECTION = "Soak (mixup training steps through Run.trainStep)"
const WARMUP = 20

export const rows = async (options: SoakOptions): Promise<ReadonlyArray<Row>> => {
  const net = Models.mlp({ inputShape: [784], numClasses: 10, hidden: [...options.hidden], seed: 3 })
  const optimizer = Optimizer.sgd({ lr: 0.01, momentum: 0.9, weightDecay: 1e-4 })
  const strategy = Strategy.mixup({ alpha: 1 })
  const rng = Random.make(5)
  // A few distinct batches, so that the soak is not one cached input.
  const batches = [0, 1, 2, 3].map((i) => hostBatch("mlp", options.batchSize, 100 + i))
  const step = (i: number) => {
    const host = batches[i % batches.length]!
    const plan = Strategy.plan(
      strategy,
      { n: host.labels.length, shape: host.shape, labels: host.labels },
      { epoch: Math.floor(i / 100), step: i % 100 },
      rng,
    )
    return Run.trainStep(net, optimizer, plan, host, 0.01)
  }
  try {
    // Warm-up first: optimiser slots and wasm heap growth happen in the first steps, not later.
    for (let i = 0; i < WARMUP; i++) step(i)
    const tensorsBefore = tf.memory().numTensors
    const gc = Env.collectGarbage()
    const rssBefore = Env.rss()
    const heapBefore = Env.wasmHeapBytes()
    const jsBefore = Env.jsHeap()
    let tensorsMax = tensorsBefore
    // RSS after a full collection at each quarter: a leak grows linearly, a warm-up levels off.
    const trajectory: Array<number> = []
    const began = performance.now()
    let lastLoss = Number.NaN
    for (let i = 0; i < options.steps; i++) {
      lastLoss = step(WARMUP + i)
      if (i % 50 === 0) tensorsMax = Math.max(tensorsMax, tf.memory().numTensors)
      if ((i + 1) % Math.max(1, Math.floor(options.steps / 4)) === 0) {
        Env.collectGarbage()
        trajectory.push(Env.rss())
      }
    }
    const seconds = (performance.now() - began) / 1000
    const tensorsAfter = tf.memory().numTensors
    Env.collectGarbage()
    const rssAfter = Env.rss()
    const heapAfter = Env.wasmHeapBytes()
    const jsAfter = Env.jsHeap()
    const mb = (bytes: number) => bytes / 2 ** 20
    const base = { section: SECTION, runtime: options.runtime, backend: options.backend }
    const what = `${options.steps} steps of MLP 784-${options.hidden.join("-")}-10, batch ${options.batchSize}, after ${WARMUP} warm-up steps, in ${seconds.toFixed(1)} s (final loss ${lastLoss.toFixed(3)})`
    return [
      row({
        ...base,
        id: "soak.tensors",
        title: "tensor count change over the soak",
        value: tensorsAfter - tensorsBefore,
        unit: "tensors",
        target: { op: "<=", value: 0 },
        detail: `${tensorsBefore} before, ${tensorsAfter} after, at most ${tensorsMax} between; ${what}`,
      }),
      row({
        ...base,
        id: "soak.rss",
        title: "resident memory growth over the soak",
        value: mb(rssAfter - rssBefore),
        unit: "MB",
        target: { op: "<=", value: 50 },
        detail: `RSS ${mb(rssBefore).toFixed(0)} MB before, then ${trajectory.map((b) => mb(b).toFixed(0)).join(" / ")} MB at each quarter (growth after the first quarter: ${trajectory.length < 2 ? "n/a" : `${mb(trajectory.at(-1)! - trajectory[0]!).toFixed(1)} MB`})${gc ? " (after a full GC each time)" : " (no GC available)"}${heapBefore === undefined || heapAfter === undefined ? "" : `; wasm heap ${mb(heapBefore).toFixed(0)} -> ${mb(heapAfter).toFixed(0)} MB`}; JS heap in use ${mb(jsBefore.used).toFixed(0)} -> ${mb(jsAfter.used).toFixed(0)} MB, reserved by the engine ${mb(jsBefore.reserved).toFixed(0)} -> ${mb(jsAfter.reserved).toFixed(0)} MB`,
      }),
    ]
  } finally {
    optimizer.dispose()
    net.dispose()
  }
}
