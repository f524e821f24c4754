// Attacks: FGSM and I-FGSM against an ERM and a mixup network on two moons (white box). The
// model is any function from inputs to logits; the inputs' valid range is enforced every step.
import "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"
import { Attack } from "@vicinal/attacks"
import { Random, Strategy } from "@vicinal/core"
import { Synthetic } from "@vicinal/data"
import { Losses, Metrics } from "@vicinal/losses"
import { type Classifier, Models } from "@vicinal/models"
import { Effect } from "effect"

await tf.setBackend("cpu")
await tf.ready()

const moons = await Effect.runPromise(Synthetic.twoMoons({ n: 256, seed: 4, noise: 0.1 }))
const x = tf.tensor2d(moons.x, [256, 2])
const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(moons.labels, "int32"), 2), "float32") as tf.Tensor2D)
// Two moons live in about [-1.5, 2.5] x [-1, 1.5]: that is the range attacks must stay in.
const range = { min: -1.5, max: 2.5 }

const train = (strategy: Strategy.Strategy): Classifier => {
  const classifier = Models.mlp({ inputShape: [2], numClasses: 2, hidden: [32, 32], seed: 1 })
  const optimizer = tf.train.adam(0.01)
  const rng = Random.make(1)
  for (let step = 0; step < 300; step++) {
    const plan = Strategy.plan(strategy, { n: 256, shape: x.shape }, { epoch: 0, step }, rng)
    tf.tidy(() => {
      const mixed = Strategy.execute(plan, { x, y })
      optimizer.minimize(
        () =>
          Losses.softCrossEntropy(classifier.forward(mixed.x, { training: true }) as tf.Tensor2D, mixed.y),
        false,
        [...classifier.trainableVariables()],
      )
    })
  }
  optimizer.dispose()
  return classifier
}

const attacks = [Attack.fgsm({ epsilon: 0.2 }), Attack.ifgsm({ epsilon: 0.2, steps: 10 })]
for (const [name, strategy] of [
  ["ERM  ", Strategy.erm],
  ["mixup", Strategy.mixup({ alpha: 1 })],
] as const) {
  const classifier = train(strategy)
  const model = (input: tf.Tensor) => classifier.forward(input)
  const clean = tf.tidy(() => Metrics.topKError(model(x) as tf.Tensor2D, moons.labels, 1))
  const rows = attacks.map((attack) => {
    const adversarial = Attack.perturbSync(attack, model, x, { range, labels: moons.labels })
    const error = tf.tidy(() => Metrics.topKError(model(adversarial.x) as tf.Tensor2D, moons.labels, 1))
    adversarial.x.dispose()
    return `${attack.name} ${(100 * error).toFixed(1)}%`
  })
  console.log(`${name}: clean error ${(100 * clean).toFixed(1)}%, ${rows.join(", ")}`)
  classifier.dispose()
}
tf.dispose([x, y])
