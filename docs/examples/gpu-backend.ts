// Choosing the backend: @vicinal/train's Backend service tries tfjs-node-gpu, then tfjs-node,
// wasm and cpu, keeps the first that initialises, and says why it skipped the others. Nothing
// else changes with the backend: the same strategy mixes the same batch on whichever was chosen.
import * as tf from "@tensorflow/tfjs-core"
import { Random, Strategy } from "@vicinal/core"
import { Backend } from "@vicinal/train"
import { Effect } from "effect"

// Insisting on the GPU fails with a BackendError that names the reason (here: not installed).
const gpu = await Effect.runPromise(
  Backend.select("tfjs-node-gpu").pipe(
    Effect.map((report) => `tfjs-node-gpu is available (tfjs backend "${report.tfjsBackend}")`),
    Effect.catch((error) => Effect.succeed(`tfjs-node-gpu refused: ${error.message}`)),
  ),
)
console.log(gpu)

// "auto" takes the fastest backend that works; the Backend service holds the report.
const program = Effect.gen(function* () {
  const report = yield* Backend.Backend
  console.log(Backend.summary(report))
  if (report.name !== "tfjs-node-gpu")
    console.log(
      `not on a GPU: computing on ${report.name} (install @tensorflow/tfjs-node-gpu to change that)`,
    )

  const x = tf.randomUniform([128, 784], 0, 1, "float32", 1) as tf.Tensor2D
  const labels = Array.from({ length: 128 }, (_, i) => i % 10)
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), 10), "float32") as tf.Tensor2D)
  const mixed = yield* Strategy.apply(Strategy.mixup({ alpha: 1 }), { x, y }, { epoch: 0, step: 0 }).pipe(
    Random.withSeed(0),
  )
  console.log(`mixed a batch of ${mixed.x.shape[0]} on tfjs backend "${tf.getBackend()}"`)
  tf.dispose([x, y, mixed.x, mixed.y])
})

await Effect.runPromise(program.pipe(Effect.provide(Backend.layer("auto"))))
