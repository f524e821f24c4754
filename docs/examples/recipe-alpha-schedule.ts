// Recipe: ERM for a warm-up, then mixup with a small alpha, then the paper's alpha = 1.
import "@tensorflow/tfjs-backend-wasm"
import * as tf from "@tensorflow/tfjs-core"
import { Random, Strategy } from "@vicinal/core"
import { Effect } from "effect"

await tf.setBackend("wasm")
await tf.ready()

const strategy = Strategy.schedule([
  { fromEpoch: 0, strategy: Strategy.erm },
  { fromEpoch: 2, strategy: Strategy.mixup({ alpha: 0.2 }) },
  { fromEpoch: 4, strategy: Strategy.mixup({ alpha: 1 }) },
])

const x = tf.tidy(() => tf.randomUniform([6, 3], 0, 1, "float32", 11))
const y = tf.tidy(
  () => tf.cast(tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1], "int32"), 2), "float32") as tf.Tensor2D,
)

const epochs = Effect.gen(function* () {
  for (let epoch = 0; epoch < 6; epoch++) {
    const mixed = yield* Strategy.apply(strategy, { x, y }, { epoch, step: epoch * 10 })
    console.log(`epoch ${epoch}: lambda ${mixed.lambda[0]?.toFixed(3)}`)
    tf.dispose([mixed.x, mixed.y])
  }
})
await Effect.runPromise(epochs.pipe(Random.withSeed(5)))
tf.dispose([x, y])
