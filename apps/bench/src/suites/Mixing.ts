/**
 * Mixing a batch: core's strategy on tensors vs the same arithmetic written by hand in tfjs;
 * core's typed-array path vs a plain copy of the same bytes; bulk Beta(0.2, 0.2) sampling.
 */
import * as tf from "@tensorflow/tfjs-core"
import { Execute, Host, Lambda, Pairing, Random, Strategy } from "@vicinal/core"
import * as Describe from "../Describe.ts"
import * as Harness from "../Harness.ts"
import { type Row, row } from "../Report.ts"
import * as Stats from "../Stats.ts"

export interface MixingOptions {
  readonly runtime: string
  readonly backend: string
  readonly sizes: ReadonlyArray<number>
  readonly harness: Harness.Options
  /** Beta draws per call. */
  readonly draws: number
}

const SECTION = "Mixing a batch (mixup, alpha = 1, 32 x 32 x 3 floats, 10 classes)"
const CLASSES = 10
const IMAGE = [32, 32, 3] as const
const context = { epoch: 0, step: 0 }

/** A host batch of uniform pixels and one-hot labels (built on the host: wasm's float oneHot is wrong in 4.22). */
export const hostBatch = (n: number, seed: number) => {
  const rng = Random.make(seed)
  const shape = [n, ...IMAGE]
  const x = Float32Array.from({ length: n * IMAGE[0] * IMAGE[1] * IMAGE[2] }, () => rng.uniform())
  const y = new Float32Array(n * CLASSES)
  for (let i = 0; i < n; i++) y[i * CLASSES + rng.int(CLASSES)] = 1
  return { x, y, shape }
}

const mixup = Strategy.mixup({ alpha: 1 })
const beta1 = Lambda.symmetricBeta(1)

/** The mixup a user would write in tfjs: one lambda, a shuffled copy, two interpolations. */
export const handWrittenMixup = (x: tf.Tensor, y: tf.Tensor2D, rng: Random.Rng): [tf.Tensor, tf.Tensor2D] => {
  const lambda = Lambda.sample(beta1, rng)
  const order = Pairing.permutation(x.shape[0]!, rng)
  return tf.tidy(() => {
    const index = tf.tensor1d(order, "int32")
    const l = tf.scalar(lambda)
    const m = tf.scalar(1 - lambda)
    return [
      tf.add(tf.mul(x, l), tf.mul(tf.gather(x, index), m)),
      tf.add(tf.mul(y, l), tf.mul(tf.gather(y, index), m)) as tf.Tensor2D,
    ]
  })
}

/** Holds the last output so that no engine can drop the work as dead code. */
let kept: unknown
const keep = (value: unknown): void => {
  kept = value
}
export const lastKept = (): unknown => kept

const leakNote = (before: number): string => {
  const after = tf.memory().numTensors
  return after === before ? "" : `; LEAK: ${after - before} tensors left`
}

/** Core on tensors (plan + execute) vs the hand-written tfjs mixup, on the current backend. */
export const tensorRows = async (options: MixingOptions): Promise<ReadonlyArray<Row>> => {
  const rows: Array<Row> = []
  for (const n of options.sizes) {
    const host = hostBatch(n, n)
    const x = tf.tensor(host.x, host.shape)
    const y = tf.tensor2d(host.y, [n, CLASSES])
    const rngCore = Random.make(1)
    const rngHand = Random.make(1)
    const before = tf.memory().numTensors
    const core = () => {
      const plan = Strategy.plan(mixup, { n, shape: host.shape }, context, rngCore)
      Execute.dispose(Strategy.execute(plan, { x, y }))
    }
    const hand = () => {
      const [mx, my] = handWrittenMixup(x, y, rngHand)
      mx.dispose()
      my.dispose()
    }
    const c = await Harness.compare(core, hand, options.harness)
    const leaks = leakNote(before)
    x.dispose()
    y.dispose()
    rows.push(
      row({
        id: `mix.tensor.${n}`,
        section: SECTION,
        title: `core Strategy.plan + execute / hand-written tfjs, batch ${n}`,
        runtime: options.runtime,
        backend: options.backend,
        value: c.ratio.median,
        unit: "x",
        target: { op: "<=", value: 1.1 },
        ratioQuartiles: c.ratio,
        detail: Describe.comparison(c, "core", "hand-written") + leaks,
      }),
    )
  }
  return rows
}

/**
 * Core's typed-array path vs a plain copy of the same bytes, both in GB/s of output: fresh
 * outputs (`Host.execute` vs `slice`), and the data-loader form with buffers reused from batch
 * to batch (`Host.executeInto` vs `set`, no allocation on either side).
 */
export const hostRows = async (options: MixingOptions): Promise<ReadonlyArray<Row>> => {
  const rows: Array<Row> = []
  for (const n of options.sizes) {
    const host = hostBatch(n, n)
    const rng = Random.make(2)
    const bytes = host.x.byteLength + host.y.byteLength
    const plan = () => Strategy.plan(mixup, { n, shape: host.shape }, context, rng)
    const into = { x: new Float32Array(host.x.length), y: new Float32Array(host.y.length) }
    const copyTo = { x: new Float32Array(host.x.length), y: new Float32Array(host.y.length) }
    const forms = [
      {
        id: `mix.host.${n}`,
        title: `core Host.execute bandwidth / plain copy bandwidth, batch ${n}`,
        core: () => keep(Host.execute(plan(), host).x),
        copy: () => {
          keep(host.x.slice())
          keep(host.y.slice())
        },
      },
      {
        id: `mix.host-into.${n}`,
        title: `core Host.executeInto (reused buffers) bandwidth / copy into a reused buffer, batch ${n}`,
        core: () => keep(Host.executeInto(plan(), host, into).x),
        copy: () => {
          copyTo.x.set(host.x)
          copyTo.y.set(host.y)
          keep(copyTo.x)
        },
      },
    ]
    for (const form of forms) {
      const c = await Harness.compare(form.core, form.copy, options.harness)
      const gbps = (m: Harness.Measurement) => bytes / (m.summary.median * 1e6)
      rows.push(
        row({
          id: form.id,
          section: SECTION,
          title: form.title,
          runtime: options.runtime,
          backend: "host (typed arrays)",
          // Bandwidth ratio is the inverse of the time ratio.
          value: 1 / c.ratio.median,
          unit: "x",
          target: { op: ">=", value: 0.5 },
          ratioQuartiles: c.ratio,
          detail: `${gbps(c.a).toFixed(2)} GB/s vs copy ${gbps(c.b).toFixed(2)} GB/s (${(bytes / 1e6).toFixed(1)} MB out); ${Describe.comparison(c, "core", "copy")}`,
        }),
      )
    }
  }
  return rows
}

/** Beta(0.2, 0.2) draws per second through the bulk sampler. */
export const betaRows = async (options: MixingOptions): Promise<ReadonlyArray<Row>> => {
  const out = new Float64Array(options.draws)
  const rng = Random.make(3)
  const sampler = Lambda.symmetricBeta(0.2)
  const m = await Harness.measure(() => Lambda.sampleInto(sampler, rng, out), options.harness)
  return [
    row({
      id: "lambda.beta0.2",
      section: "Lambda sampling",
      title: `Beta(0.2, 0.2) draws per second (Lambda.sampleInto, ${options.draws} per call)`,
      runtime: options.runtime,
      backend: "host (typed arrays)",
      value: Stats.perSecond(options.draws, m.summary.median) / 1e6,
      unit: "M/s",
      target: { op: ">=", value: 25 },
      detail: Describe.measurement(m),
    }),
  ]
}
