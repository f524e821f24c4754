import * as tf from "@tensorflow/tfjs-core"
import { Strategy } from "@vicinal/core"
import { Effect, Stream } from "effect"
import { Config, Events, Run } from "./src/index.ts"

const t0 = performance.now()
const config = await Effect.runPromise(
  Config.decode({
    seed: 1,
    epochs: 3,
    batchSize: 64,
    backend: "wasm",
    strategy: Strategy.toConfig(process.argv[2] === "mixup" ? Strategy.mixup({ alpha: 1 }) : Strategy.erm),
    model: { kind: "mlp", hidden: [64] },
    data: { dataset: "mnist", trainSize: 2000, testSize: 1000 },
    optimizer: { _tag: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 1e-4 },
    schedule: { _tag: "constant" },
  }),
)

import { Backend } from "./src/index.ts"

await Effect.runPromise(Backend.select("wasm"))
const before = tf.memory().numTensors
await Effect.runPromise(
  Stream.runForEach(Run.train(config, { captureWeights: true }), (e) =>
    Effect.sync(() => {
      if (e._tag !== "BatchEnded") console.log(Events.progressLine(e))
    }),
  ),
)
console.log("tensors", before, tf.memory().numTensors, "ms", performance.now() - t0)
