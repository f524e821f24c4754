/**
 * The wasm backend with @vicinal/kernels against the stock wasm kernels, and against PyTorch,
 * on two SGD steps written in plain tfjs (no layers): the MLP 784-512-512-10 and a small CNN
 * (conv3x3 32, ReLU, pool 2, conv3x3 64, ReLU, pool 2, dense 128, ReLU, dense 10), batch 128,
 * softmax cross-entropy, plain SGD. The stock side switches the kernels off around its step
 * (`Kernels.unregister()`), so both run in one process, interleaved.
 */
import { availableParallelism } from "node:os"
import * as tf from "@tensorflow/tfjs-core"
import { Kernels } from "@vicinal/kernels"
import * as Describe from "../Describe.ts"
import * as Env from "../Env.ts"
import * as Harness from "../Harness.ts"
import { type Row, row, skipped } from "../Report.ts"
import * as Torch from "./Torch.ts"

export const SECTION = "Replacement wasm kernels (@vicinal/kernels; SGD step, batch 128)"

export type Model = "mlp" | "cnn"

export const describeModel = (model: Model): string =>
  model === "mlp" ? "MLP 784-512-512-10" : "CNN conv32-pool-conv64-pool-dense128"

export interface Step {
  readonly run: () => void
  readonly dispose: () => void
}

// tidy frees the initial values; a variable keeps its own reference to the data.
const he = (shape: ReadonlyArray<number>, fanIn: number, seed: number): tf.Variable =>
  tf.tidy(() => tf.variable(tf.mul(tf.randomNormal([...shape], 0, 1, "float32", seed), Math.sqrt(2 / fanIn))))

const zeros = (size: number): tf.Variable => tf.tidy(() => tf.variable(tf.zeros([size])))

const dense = (h: tf.Tensor, w: tf.Variable, b: tf.Variable): tf.Tensor => tf.add(tf.matMul(h, w), b)

/** One model's SGD step on a fixed batch (`batch` examples), in plain tfjs. */
export const makeStep = (model: Model, batch: number): Step => {
  const x =
    model === "mlp"
      ? tf.randomUniform([batch, 784], 0, 1, "float32", 3)
      : tf.randomUniform([batch, 28, 28, 1], 0, 1, "float32", 3)
  const y = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        Int32Array.from({ length: batch }, (_, i) => i % 10),
        "int32",
      ),
      10,
    ),
  )
  const weights =
    model === "mlp"
      ? [he([784, 512], 784, 1), zeros(512), he([512, 512], 512, 2), zeros(512)].concat([
          he([512, 10], 512, 3),
          zeros(10),
        ])
      : [he([3, 3, 1, 32], 9, 1), zeros(32), he([3, 3, 32, 64], 288, 2)]
          .concat([zeros(64), he([3136, 128], 3136, 3), zeros(128)])
          .concat([he([128, 10], 128, 4), zeros(10)])
  const forward = (): tf.Tensor => {
    const w = weights
    if (model === "mlp") {
      const h1 = tf.relu(dense(x, w[0]!, w[1]!))
      const h2 = tf.relu(dense(h1, w[2]!, w[3]!))
      return dense(h2, w[4]!, w[5]!)
    }
    const block = (h: tf.Tensor, filter: tf.Variable, bias: tf.Variable): tf.Tensor4D =>
      tf.maxPool(
        tf.relu(tf.add(tf.conv2d(h as tf.Tensor4D, filter as tf.Tensor4D, 1, "same"), bias)) as tf.Tensor4D,
        2,
        2,
        "valid",
      )
    const c1 = block(x, w[0]!, w[1]!)
    const c2 = block(c1, w[2]!, w[3]!)
    const h = tf.relu(dense(tf.reshape(c2, [batch, 7 * 7 * 64]), w[4]!, w[5]!))
    return dense(h, w[6]!, w[7]!)
  }
  const optimizer = tf.train.sgd(0.01)
  return {
    run: () => {
      const cost = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, forward()) as tf.Scalar,
        true,
        weights,
      )
      cost?.dataSync()
      cost?.dispose()
    },
    dispose: () => {
      tf.dispose([x, y, ...weights])
      optimizer.dispose()
      const rate = (optimizer as unknown as { readonly c?: tf.Tensor }).c
      if (rate !== undefined && !rate.isDisposed) rate.dispose()
    },
  }
}

/** Run `work` with the stock wasm kernels (ours switched off around it). */
export const withStockKernels = <A>(work: () => A): A => {
  Kernels.unregister()
  try {
    return work()
  } finally {
    Kernels.register()
  }
}

export interface KernelsOptions {
  readonly runtime: string
  readonly backend: string
  readonly batch: number
  readonly models: ReadonlyArray<Model>
  readonly harness: (model: Model) => Harness.Options
  /** Also time PyTorch (when importable) interleaved with ours. */
  readonly torch: boolean
  /** Also time the step with the GEMM on 2 threads against 1 (`Kernels.setThreads`). */
  readonly threads: boolean
}

const stockRow = async (options: KernelsOptions, model: Model, step: Step): Promise<Row> => {
  const c = await Harness.compare(() => withStockKernels(step.run), step.run, options.harness(model))
  return row({
    id: `kernels.${model}-step`,
    section: SECTION,
    title: `stock wasm step / step with @vicinal/kernels, ${describeModel(model)}`,
    runtime: options.runtime,
    backend: options.backend,
    value: c.ratio.median,
    unit: "x",
    target: { op: ">=", value: 5 },
    ratioQuartiles: c.ratio,
    detail: Describe.comparison(c, "stock", "kernels"),
  })
}

const torchRow = async (
  options: KernelsOptions,
  model: Model,
  step: Step,
  torch: Torch.Torch | { readonly unavailable: string },
): Promise<Row> => {
  const base = {
    id: `kernels.pytorch.${model}`,
    section: SECTION,
    title: `step with @vicinal/kernels / PyTorch step (2 threads), ${describeModel(model)}`,
    runtime: options.runtime,
    backend: options.backend,
  }
  if ("unavailable" in torch) return skipped({ ...base, unit: "x", detail: torch.unavailable })
  const c = await Harness.compare(step.run, () => torch.step(model), options.harness(model))
  return row({
    ...base,
    value: c.ratio.median,
    unit: "x",
    target: { op: "<=", value: 6 },
    ratioQuartiles: c.ratio,
    detail: `${Describe.comparison(c, "kernels", `PyTorch ${torch.version}`)}; PyTorch's side includes a pipe round trip`,
  })
}

/** Run `work` with the GEMM on one thread (the helper, started, stays parked). */
const onOneThread = <A>(work: () => A): A => {
  // With the helper running, switching takes effect at once (no await needed).
  void Kernels.setThreads(1)
  try {
    return work()
  } finally {
    void Kernels.setThreads(2)
  }
}

const threadsRow = async (options: KernelsOptions, model: Model, step: Step): Promise<Row> => {
  const base = {
    id: `kernels.threads.${model}`,
    section: SECTION,
    title: `step with @vicinal/kernels' GEMM on 1 thread / on 2 threads (Kernels.setThreads(2); above 1: two are faster), ${describeModel(model)}`,
    runtime: options.runtime,
    backend: options.backend,
  }
  try {
    await Kernels.setThreads(2)
  } catch (error) {
    return skipped({ ...base, unit: "x", detail: `the helper thread does not start: ${String(error)}` })
  }
  try {
    const load = Env.loadAverage()
    const c = await Harness.compare(() => onOneThread(step.run), step.run, options.harness(model))
    return row({
      ...base,
      value: c.ratio.median,
      unit: "x",
      detail: `${Describe.comparison(c, "1 thread", "2 threads")}; load average ${load} at the start, ${Env.loadAverage()} at the end on ${availableParallelism()} cores (two threads can only help on an otherwise idle machine)`,
    })
  } finally {
    await Kernels.setThreads(1)
  }
}

export const rows = async (options: KernelsOptions): Promise<ReadonlyArray<Row>> => {
  const out: Array<Row> = []
  const torch = options.torch ? await Torch.start() : { unavailable: "not requested (--no-torch)" }
  try {
    for (const model of options.models) {
      const step = makeStep(model, options.batch)
      try {
        step.run()
        const before = tf.memory().numTensors
        out.push(await stockRow(options, model, step))
        out.push(await torchRow(options, model, step, torch))
        if (options.threads) out.push(await threadsRow(options, model, step))
        const leaked = tf.memory().numTensors - before
        if (leaked !== 0) throw new Error(`kernels bench: ${leaked} tensors leaked by the ${model} step`)
      } finally {
        step.dispose()
      }
    }
  } finally {
    if (!("unavailable" in torch)) torch.close()
  }
  return out
}
