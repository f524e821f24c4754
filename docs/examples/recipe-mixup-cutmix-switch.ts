// Recipe: per batch, CutMix or mixup (timm's switch), applied to 80% of the batches.
import "@tensorflow/tfjs-backend-wasm"
import * as tf from "@tensorflow/tfjs-core"
import { Random, Strategy } from "@vicinal/core"
import { Effect } from "effect"
import { pipe } from "effect/Function"

await tf.setBackend("wasm")
await tf.ready()

const strategy = pipe(
  Strategy.oneOf([
    { weight: 0.5, strategy: Strategy.cutmix({ alpha: 1, correctLambda: true }) },
    { weight: 0.5, strategy: Strategy.mixup({ alpha: 0.8 }) },
  ]),
  Strategy.withProbability(0.8),
)

// Eight 16x16 grey "images": image i is filled with the value i / 8, labels i mod 4.
const n = 8
const x = tf.tidy(() => tf.mul(tf.ones([n, 16, 16, 1]), tf.reshape(tf.linspace(0, 7 / 8, n), [n, 1, 1, 1])))
const y = tf.tidy(
  () => tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], "int32"), 4), "float32") as tf.Tensor2D,
)

const steps = Effect.gen(function* () {
  for (let step = 0; step < 4; step++) {
    const mixed = yield* Strategy.apply(strategy, { x, y }, { epoch: 0, step })
    // CutMix: the label weight equals the kept area (inputLambda); mixup: both are the sampled lambda.
    console.log(
      `step ${step}: lambda ${Array.from(mixed.lambda.slice(0, 3), (l) => l.toFixed(3)).join(" ")}…`,
      `inputLambda ${Array.from(mixed.inputLambda.slice(0, 3), (l) => l.toFixed(3)).join(" ")}…`,
    )
    tf.dispose([mixed.x, mixed.y])
  }
})

await Effect.runPromise(steps.pipe(Random.withSeed(2018)))
tf.dispose([x, y])
