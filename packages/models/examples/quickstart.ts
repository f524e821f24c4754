// Build a small CNN, train it a few steps with manifold mixup at a hidden stage, save it,
// load it back and check the predictions agree. Run: bun examples/quickstart.ts (or deno run -A).
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs-core"
import "@tensorflow/tfjs-backend-wasm"
import { Models } from "@vicinal/models"
import { Effect } from "effect"

export const quickstart = async (): Promise<{
  readonly losses: ReadonlyArray<number>
  readonly maxDiff: number
}> => {
  await tf.setBackend("wasm")
  await tf.ready()
  const net = Models.smallCnn({
    inputShape: [28, 28, 1],
    numClasses: 10,
    filters: [8, 16],
    dense: 32,
    seed: 1,
  })
  console.log(net.stageNames, "trainable parameters:", Models.countTrainableParams(net))

  const x = tf.randomUniform([8, 28, 28, 1], 0, 1, "float32", 7)
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], "int32"), 10))
  const lambda = 0.7
  // Mix the hidden activation after stage "conv2" with the reversed batch; mix the labels alike.
  const mixAt = net.stageNames.indexOf("conv2")
  const mix = (h: tf.Tensor) => tf.add(tf.mul(h, lambda), tf.mul(tf.reverse(h, 0), 1 - lambda))
  const targets = tf.tidy(() => tf.add(tf.mul(y, lambda), tf.mul(tf.reverse(y, 0), 1 - lambda)))
  const optimizer = tf.train.sgd(0.05)
  const losses: Array<number> = []
  for (let step = 0; step < 5; step++) {
    const cost = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(targets, net.forward(x, { training: true, mixAt, mix })),
      true,
      [...net.trainableVariables()],
    )!
    losses.push(cost.dataSync()[0]!)
    cost.dispose()
  }
  console.log("mixed loss per step:", losses.map((l) => l.toFixed(3)).join(" "))

  const dir = await mkdtemp(join(tmpdir(), "vicinal-quickstart-"))
  await Effect.runPromise(Models.save(net, dir))
  const loaded = await Effect.runPromise(Models.load(dir))
  const maxDiff = tf.tidy(() => tf.max(tf.abs(tf.sub(net.forward(x), loaded.forward(x)))).dataSync()[0]!)
  console.log("max |logits - reloaded logits|:", maxDiff)

  await rm(dir, { recursive: true, force: true })
  tf.dispose([x, y, targets])
  optimizer.dispose()
  loaded.dispose()
  net.dispose()
  return { losses, maxDiff }
}

if (import.meta.main) await quickstart()
