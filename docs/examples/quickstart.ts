// Quick start: mix one batch with mixup, seeded, and look at what came out.
import "@tensorflow/tfjs-backend-wasm"
import * as tf from "@tensorflow/tfjs-core"
import { Random, Strategy } from "@vicinal/core"
import { Effect } from "effect"

await tf.setBackend("wasm")
await tf.ready()

// A batch of four 2-D points with one-hot targets for two classes.
const x = tf.tensor2d([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
])
const y = tf.tensor2d([
  [1, 0],
  [0, 1],
  [0, 1],
  [1, 0],
])

// lambda ~ Beta(1, 1); partners from a random permutation of the batch (the paper's setting).
const strategy = Strategy.mixup({ alpha: 1 })

const mixed = await Effect.runPromise(
  Strategy.apply(strategy, { x, y }, { epoch: 0, step: 0 }).pipe(Random.withSeed(42)),
)

console.log("lambda ", Array.from(mixed.lambda, (l) => l.toFixed(3)).join(" "))
console.log("partner", Array.from(mixed.partner).join(" "))
console.log("mixed x", JSON.stringify(mixed.x.arraySync()))
console.log("soft y ", JSON.stringify(mixed.y.arraySync()))

// The caller owns every tensor, the inputs and the mixed batch alike.
tf.dispose([x, y, mixed.x, mixed.y])
