import assert from "node:assert/strict"
import { test } from "node:test"
import "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"
import { Attack } from "@vicinal/attacks"
import { Models } from "@vicinal/models"
import * as Robustness from "../src/Robustness.ts"

const normalise = { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] }

test("a normalising run is attacked on pixels: the model normalises them as training did, leaking nothing", async () => {
  await tf.setBackend("cpu")
  const classifier = Models.build({ kind: "mlp", hidden: [8], inputShape: [2, 2, 3], numClasses: 3, seed: 1 })
  const pixels = Float32Array.from({ length: 5 * 12 }, (_, i) => ((i * 37) % 101) / 100)
  // What training saw: normalised on the host.
  const normalised = pixels.map((v, i) => (v - normalise.mean[i % 3]!) / normalise.std[i % 3]!)
  const before = tf.memory().numTensors
  const [onPixels, trained] = tf.tidy(() => [
    Robustness.asModel(classifier, normalise)(tf.tensor(pixels, [5, 2, 2, 3])).arraySync() as Array<
      Array<number>
    >,
    classifier.forward(tf.tensor(normalised, [5, 2, 2, 3]), { training: false }).arraySync() as Array<
      Array<number>
    >,
  ])
  for (const [i, row] of onPixels.entries())
    for (const [k, v] of row.entries()) assert.ok(Math.abs(v - trained[i]![k]!) < 1e-5)
  // An attack through it stays in [0, 1] pixels and within epsilon of them.
  const x = tf.tensor(pixels, [5, 2, 2, 3])
  const adversarial = Attack.perturbSync(
    Attack.fgsm({ epsilon: 0.03 }),
    Robustness.asModel(classifier, normalise),
    x,
    { range: { min: 0, max: 1 } },
  )
  const moved = adversarial.x.dataSync()
  for (const [i, v] of moved.entries()) assert.ok(v >= 0 && v <= 1 && Math.abs(v - pixels[i]!) <= 0.03 + 1e-6)
  adversarial.x.dispose()
  x.dispose()
  assert.equal(tf.memory().numTensors, before)
  classifier.dispose()
})
