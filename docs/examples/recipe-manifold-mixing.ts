// Recipe: manifold mixup. Plan once (stage, lambdas, partners), then mix the activation of
// the drawn stage inside the model's forward pass and the targets with the same plan.
import "@tensorflow/tfjs-backend-wasm"
import * as tf from "@tensorflow/tfjs-core"
import { Execute, Random, Strategy } from "@vicinal/core"
import { Losses } from "@vicinal/losses"
import { Models } from "@vicinal/models"

await tf.setBackend("wasm")
await tf.ready()

const classifier = Models.mlp({ inputShape: [2], numClasses: 2, hidden: [16, 16], seed: 1 })
console.log(`stages: ${classifier.stageNames.join(", ")}`)

// Stage 0 mixes the inputs; 1 and 2 mix the outputs of the two hidden layers.
const strategy = Strategy.manifold({ stages: [0, 1, 2], alpha: 2 })
const rng = Random.make(9)

const x = tf.tidy(() => tf.randomNormal([8, 2], 0, 1, "float32", 3) as tf.Tensor2D)
const y = tf.tidy(
  () => tf.cast(tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], "int32"), 2), "float32") as tf.Tensor2D,
)

for (let step = 0; step < 3; step++) {
  const plan = Strategy.planForShape(strategy, x.shape, { epoch: 0, step }, rng)
  const loss = tf.tidy(() => {
    const logits = classifier.forward(x, {
      training: true,
      mixAt: plan.stage ?? 0,
      mix: (h) => Execute.inputs(plan, h),
    }) as tf.Tensor2D
    return Losses.softCrossEntropy(logits, Execute.targets(plan, y)).dataSync()[0] ?? Number.NaN
  })
  console.log(`step ${step}: mixed at stage ${plan.stage ?? 0}, loss ${loss.toFixed(4)}`)
}

tf.dispose([x, y])
classifier.dispose()
