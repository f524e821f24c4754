// Recipe: mixup with a partner of the same class (the ablation's "SC") versus any class ("AC").
import "@tensorflow/tfjs-backend-wasm"
import * as tf from "@tensorflow/tfjs-core"
import { Pairing, Random, Strategy } from "@vicinal/core"
import { Effect } from "effect"

await tf.setBackend("wasm")
await tf.ready()

const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2]
const x = tf.tidy(() => tf.randomUniform([labels.length, 4], 0, 1, "float32", 7))
const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), 3), "float32") as tf.Tensor2D)

const sameClass = Strategy.mixup({ alpha: 1, pairing: Pairing.sameClass })
const anyClass = Strategy.mixup({ alpha: 1, pairing: Pairing.randomPermutation })

for (const [name, strategy] of [
  ["same class", sameClass],
  ["any class ", anyClass],
] as const) {
  const mixed = await Effect.runPromise(
    Strategy.apply(strategy, { x, y }, { epoch: 0, step: 0 }).pipe(Random.withSeed(1)),
  )
  const partnerLabels = Array.from(mixed.partner, (j) => labels[j])
  console.log(`${name}: labels ${labels.join(" ")} | partners' labels ${partnerLabels.join(" ")}`)
  tf.dispose([mixed.x, mixed.y])
}
tf.dispose([x, y])
