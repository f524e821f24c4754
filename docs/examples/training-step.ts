// Training by hand: two moons, an MLP, mixup, soft-target cross-entropy, Adam. Every step runs
// inside tf.tidy, and the mixed batch comes from the same plan/execute pair the trainer uses.
import "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"
import { Random, Strategy } from "@vicinal/core"
import { Synthetic } from "@vicinal/data"
import { Losses, Metrics } from "@vicinal/losses"
import { Models } from "@vicinal/models"
import { Effect } from "effect"

await tf.setBackend("cpu")
await tf.ready()

const moons = await Effect.runPromise(Synthetic.twoMoons({ n: 256, seed: 1, noise: 0.1 }))
const x = tf.tensor2d(moons.x, [256, 2])
const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(moons.labels, "int32"), 2), "float32") as tf.Tensor2D)

const classifier = Models.mlp({ inputShape: [2], numClasses: 2, hidden: [32, 32], seed: 1 })
const optimizer = tf.train.adam(0.01)
const strategy = Strategy.mixup({ alpha: 1 })
const rng = Random.make(2018)

for (let step = 0; step < 200; step++) {
  // Draw lambdas and partners on the host, then mix on the device, without randomness.
  const plan = Strategy.plan(strategy, { n: 256, shape: x.shape }, { epoch: 0, step }, rng)
  const loss = tf.tidy(() => {
    const mixed = Strategy.execute(plan, { x, y })
    const cost = optimizer.minimize(
      () => Losses.softCrossEntropy(classifier.forward(mixed.x, { training: true }) as tf.Tensor2D, mixed.y),
      true,
      [...classifier.trainableVariables()],
    )
    return cost?.dataSync()[0] ?? Number.NaN
  })
  if (step % 50 === 0 || step === 199) console.log(`step ${step}: mixup loss ${loss.toFixed(4)}`)
}

const error = tf.tidy(() => Metrics.topKError(classifier.forward(x) as tf.Tensor2D, moons.labels, 1))
console.log(`training error: ${(100 * Number(error)).toFixed(1)}%`)

tf.dispose([x, y])
optimizer.dispose()
classifier.dispose()
