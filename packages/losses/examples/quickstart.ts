/**
 * Quick start: train a linear classifier on two Gaussian blobs with mixup, using the
 * interpolated cross-entropy on core's MixedBatch, then measure it with Metrics.
 * Run: `bun examples/quickstart.ts` or `deno run -A examples/quickstart.ts`.
 */
import "@tensorflow/tfjs-backend-wasm"
import * as tf from "@tensorflow/tfjs-core"
import { Random, Strategy } from "@vicinal/core"
import { Losses, Metrics } from "@vicinal/losses"
import { Effect } from "effect"

export interface QuickstartResult {
  readonly losses: ReadonlyArray<number> // mixup training loss per step
  readonly sameAsSoftTarget: boolean // interpolated CE == soft CE on the mixed labels (first step)
  readonly top1Error: number // on the clean training points
  readonly confusion: Int32Array // 2 x 2, row = true class
}

export const run = async (steps = 60, seed = 7): Promise<QuickstartResult> => {
  await tf.setBackend("wasm")
  await tf.ready()
  // 64 points: class 0 around (-1, -1), class 1 around (1, 1)
  const rng = Random.make(seed)
  const n = 64
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2)
  const points = Float32Array.from(
    { length: 2 * n },
    (_, k) => (labels[k >> 1] === 1 ? 1 : -1) + 0.7 * rng.normal(),
  )
  const oneHot = Float32Array.from({ length: 2 * n }, (_, k) => ((k & 1) === labels[k >> 1] ? 1 : 0))
  const batch = { x: tf.tensor2d(points, [n, 2]), y: tf.tensor2d(oneHot, [n, 2]) }

  const weights = tf.tidy(() => tf.variable(tf.zeros([2, 2])))
  const bias = tf.tidy(() => tf.variable(tf.zeros([2])))
  const logitsOf = (x: tf.Tensor): tf.Tensor2D =>
    tf.add(tf.matMul(x as tf.Tensor2D, weights), bias) as tf.Tensor2D
  const learningRate = 0.5
  const mixup = Strategy.mixup({ alpha: 1 })

  const losses: number[] = []
  let sameAsSoftTarget = false
  for (let step = 0; step < steps; step++) {
    // one seeded draw of lambda and partners per step; the MixedBatch carries them
    const mixed = Effect.runSync(
      Strategy.apply(mixup, batch, { epoch: 0, step }).pipe(Random.withSeed(seed + step)),
    )
    if (step === 0)
      sameAsSoftTarget = tf.tidy(() => {
        const logits = logitsOf(mixed.x)
        const interpolated = Losses.interpolatedCrossEntropy(logits, batch.y, mixed.lambda, mixed.partner)
        const soft = Losses.softCrossEntropy(logits, mixed.y)
        return Math.abs(interpolated.dataSync()[0]! - soft.dataSync()[0]!) < 1e-5
      })
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() =>
        Losses.interpolatedCrossEntropy(logitsOf(mixed.x), batch.y, mixed.lambda, mixed.partner),
      )
      for (const v of [weights, bias]) {
        const gradient = grads[v.name]
        if (gradient !== undefined) v.assign(tf.sub(v, tf.mul(gradient, learningRate)))
      }
      return value.dataSync()[0] ?? Number.NaN
    })
    losses.push(loss)
    tf.dispose([mixed.x, mixed.y])
  }

  const logits = tf.tidy(() => logitsOf(batch.x))
  const result = {
    losses,
    sameAsSoftTarget,
    top1Error: Metrics.topKError(logits, labels, 1),
    confusion: Metrics.confusion(logits, labels),
  }
  tf.dispose([logits, batch.x, batch.y, weights, bias])
  return result
}

if ((import.meta as { main?: boolean }).main) {
  const { losses, sameAsSoftTarget, top1Error, confusion } = await run()
  console.log(`mixup loss: first ${losses[0]?.toFixed(4)}, last ${losses.at(-1)?.toFixed(4)}`)
  console.log(`interpolated CE equals soft CE on the mixed labels: ${sameAsSoftTarget}`)
  console.log(`top-1 training error: ${top1Error}, confusion (row = true): [${confusion.join(", ")}]`)
}
