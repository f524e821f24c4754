// Recipe: label smoothing alone, and "mix inputs + label smoothing" (the paper's second best).
import "@tensorflow/tfjs-backend-wasm"
import * as tf from "@tensorflow/tfjs-core"
import { Random, Strategy } from "@vicinal/core"
import { Effect } from "effect"

await tf.setBackend("wasm")
await tf.ready()

const smoothing = Strategy.labelSmoothing({ epsilon: 0.1 })
const mixInputsThenSmooth = Strategy.chain(Strategy.mixImages({ alpha: 1 }), smoothing)

const x = tf.tensor2d([
  [0, 0],
  [1, 1],
  [2, 2],
  [3, 3],
])
const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 3], "int32"), 4), "float32") as tf.Tensor2D)

for (const [name, strategy] of [
  ["smoothing", smoothing],
  ["mix inputs + smoothing", mixInputsThenSmooth],
] as const) {
  const mixed = await Effect.runPromise(
    Strategy.apply(strategy, { x, y }, { epoch: 0, step: 0 }).pipe(Random.withSeed(3)),
  )
  const first = (mixed.y.arraySync()[0] ?? []).map((v) => v.toFixed(3)).join(" ")
  console.log(`${name}: y[0] = ${first}; x[0] = ${JSON.stringify((mixed.x as tf.Tensor2D).arraySync()[0])}`)
  tf.dispose([mixed.x, mixed.y])
}
tf.dispose([x, y])
