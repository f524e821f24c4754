/**
 * Quickstart: train two small MLPs on 2,000 bundled MNIST digits (ERM and mixup), attack
 * them with FGSM and I-FGSM, and print the paper's Table 3: white box (attack the model
 * itself) and black box (craft on a separately trained ERM surrogate).
 *
 *   bun packages/attacks/examples/quickstart.ts        deno run -A packages/attacks/examples/quickstart.ts
 *
 * An optional argument sets the training steps per model (default 300), e.g. `... quickstart.ts 30`.
 */
import "@tensorflow/tfjs-backend-wasm"
import { createRequire } from "node:module"
import * as tf from "@tensorflow/tfjs-core"
import { Attack, Range, type Report, Robustness, Table } from "@vicinal/attacks"
import { Random, Strategy } from "@vicinal/core"
import { Effect, Stream } from "effect"

const PIXELS = 784
const CLASSES = 10

export interface Digits {
  readonly x: Float32Array // [n, 784], pixels in [0, 1]
  readonly labels: Int32Array
}

/** `perDigit` images of each digit, starting at image `from` of each class (disjoint slices: train vs test). */
export const loadDigits = (perDigit: number, from: number): Digits => {
  const require = createRequire(import.meta.url)
  const x = new Float32Array(CLASSES * perDigit * PIXELS)
  const labels = new Int32Array(CLASSES * perDigit)
  for (let digit = 0; digit < CLASSES; digit++) {
    const raw: ReadonlyArray<number> = require(`mnist/src/digits/${digit}.json`).data
    x.set(raw.slice(from * PIXELS, (from + perDigit) * PIXELS), digit * perDigit * PIXELS)
    labels.fill(digit, digit * perDigit, (digit + 1) * perDigit)
  }
  return { x, labels }
}

export interface Trained {
  readonly model: Attack.Model
  readonly dispose: () => void
}

/** A 784-64-10 ReLU MLP trained with Adam on soft cross-entropy, on batches mixed by `strategy`. */
export const train = (
  data: Digits,
  options: { readonly seed: number; readonly strategy: Strategy.Strategy; readonly steps: number },
): Trained => {
  const rng = Random.make(options.seed)
  // tidy frees the initial values; variables survive it.
  const init = (rows: number, cols: number) =>
    tf.tidy(() =>
      tf.variable(
        tf.tensor2d(
          Float32Array.from({ length: rows * cols }, () => rng.normal() * Math.sqrt(2 / rows)),
          [rows, cols],
        ),
      ),
    )
  const variables = [
    init(PIXELS, 64),
    tf.tidy(() => tf.variable(tf.zeros([64]))),
    init(64, CLASSES),
    tf.tidy(() => tf.variable(tf.zeros([CLASSES]))),
  ] as const
  const [w1, b1, w2, b2] = variables
  const model: Attack.Model = (x) =>
    tf.tidy(() =>
      tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.reshape(x, [x.shape[0] ?? 1, PIXELS]), w1), b1)), w2), b2),
    )
  const optimizer = tf.train.adam(0.005)
  const batchSize = 64
  for (let step = 0; step < options.steps; step++) {
    const picks = Int32Array.from({ length: batchSize }, () => rng.int(data.labels.length))
    const xs = new Float32Array(batchSize * PIXELS)
    picks.forEach((p, i) => {
      xs.set(data.x.subarray(p * PIXELS, (p + 1) * PIXELS), i * PIXELS)
    })
    const labels = Int32Array.from(picks, (p) => data.labels[p] as number)
    const batch = {
      x: tf.tensor2d(xs, [batchSize, PIXELS]),
      y: tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), CLASSES), "float32")) as tf.Tensor2D,
    }
    const plan = Strategy.plan(
      options.strategy,
      { n: batchSize, shape: [batchSize, PIXELS], labels },
      { epoch: 0, step },
      rng,
    )
    const mixed = Strategy.execute(plan, batch)
    optimizer.minimize(
      () => tf.neg(tf.mean(tf.sum(tf.mul(mixed.y, tf.logSoftmax(model(mixed.x))), 1))) as tf.Scalar,
      false,
      [...variables],
    )
    tf.dispose([batch.x, batch.y, mixed.x, mixed.y])
  }
  optimizer.dispose()
  return { model, dispose: () => tf.dispose([...variables]) }
}

/** Host batches of 100, as `@vicinal/data` would stream them. */
export const batches = (data: Digits): Stream.Stream<Robustness.HostLabelledBatch> =>
  Stream.fromIterable(
    Array.from({ length: Math.ceil(data.labels.length / 100) }, (_, b) => {
      const labels = data.labels.slice(b * 100, (b + 1) * 100)
      return {
        x: data.x.slice(b * 100 * PIXELS, (b * 100 + labels.length) * PIXELS),
        shape: [labels.length, 28, 28, 1],
        labels,
      }
    }),
  )

export const main = async (
  options: { readonly steps?: number; readonly epsilon?: number; readonly testPerDigit?: number } = {},
) => {
  await tf.setBackend("wasm")
  await tf.ready()
  const trainSet = loadDigits(200, 0)
  const testSet = loadDigits(options.testPerDigit ?? 50, 200)
  const steps = options.steps ?? 300
  const erm = train(trainSet, { seed: 1, strategy: Strategy.erm, steps })
  const mixup = train(trainSet, { seed: 1, strategy: Strategy.mixup({ alpha: 1 }), steps })
  const surrogate = train(trainSet, { seed: 2, strategy: Strategy.erm, steps })
  const epsilon = options.epsilon ?? 0.1
  const attacks = [Attack.fgsm({ epsilon }), Attack.ifgsm({ epsilon, steps: 10 })]
  const evaluate = (model: Attack.Model, crafter?: Attack.Model) =>
    Effect.runPromise(
      Robustness.stream(batches(testSet), { model, surrogate: crafter, attacks, range: Range.unit }).pipe(
        Random.withSeed(7),
      ),
    )
  const rows = async (crafter?: Attack.Model): Promise<ReadonlyArray<Table.Row>> => [
    { method: "ERM", reports: await evaluate(erm.model, crafter) },
    { method: "mixup", reports: await evaluate(mixup.model, crafter) },
  ]
  const whiteBox = await rows()
  const blackBox = await rows(surrogate.model)
  // FGSM error of the ERM model as epsilon grows.
  const sweep: ReadonlyArray<Report.Report> = await Effect.runPromise(
    Robustness.stream(batches(testSet), {
      model: erm.model,
      attacks: [0, 0.05, 0.1, 0.15, 0.2, 0.3].map((e) => Attack.fgsm({ epsilon: e })),
      range: Range.unit,
    }).pipe(Random.withSeed(7)),
  )
  for (const trained of [erm, mixup, surrogate]) trained.dispose()
  return { table: Table.table3({ whiteBox, blackBox }), whiteBox, blackBox, sweep }
}

if ((import.meta as { readonly main?: boolean }).main) {
  const steps = process.argv[2]
  const { table, sweep } = await main(steps === undefined ? {} : { steps: Number(steps) })
  console.log(table)
  console.log("\nFGSM top-1 error of the ERM model by epsilon:")
  for (const report of sweep)
    console.log(
      `  ${report.epsilon.toFixed(2)}: ${((100 * report.totals.adversarialTop1Errors) / report.totals.examples).toFixed(1)}%`,
    )
}
