/**
 * Quick start: compose "mixup alpha 0.4, same-class partners, labels smoothed by 0.1, switched
 * 50/50 with CutMix, off after epoch 180", apply it to a batch, save and reload its config.
 * Run: `bun examples/quickstart.ts` or `deno run -A examples/quickstart.ts`.
 */
import "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"
import { Execute, Pairing, Random, Strategy } from "@vicinal/core"
import { Effect } from "effect"

// 1. mixup with alpha 0.4, partners drawn from the same class
const sameClassMixup = Strategy.mixup({ alpha: 0.4, pairing: Pairing.sameClass })
// 2. then smooth the mixed labels by 0.1
const smoothed = Strategy.chain(sameClassMixup, Strategy.labelSmoothing({ epsilon: 0.1 }))
// 3. per batch, 50/50 between that and CutMix
const switched = Strategy.oneOf([smoothed, Strategy.cutmix({ alpha: 1 })])
// 4. off after epoch 180 (ERM from epoch 181 on)
export const strategy = Strategy.until(switched, 181)

export const main = Effect.gen(function* () {
  yield* Effect.promise(() => tf.setBackend("cpu"))
  // A toy batch: 8 images 4x4x1, 3 classes.
  const batch = {
    x: tf.randomUniform([8, 4, 4, 1], 0, 1, "float32", 1),
    y: tf.tidy(() =>
      tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], "int32"), 3), "float32"),
    ) as tf.Tensor2D,
  }
  const early = yield* Strategy.apply(strategy, batch, { epoch: 3, step: 0 })
  const late = yield* Strategy.apply(strategy, batch, { epoch: 190, step: 0 })
  // The config is plain JSON: store it with the experiment, read it back to reproduce the run.
  const json = JSON.stringify(Strategy.toConfig(strategy))
  const restored = yield* Strategy.fromConfig(JSON.parse(json))
  const summary = {
    earlyLambda: Array.from(early.lambda),
    earlyPartner: Array.from(early.partner),
    earlyTargets: early.y.arraySync(),
    lateLambda: Array.from(late.lambda),
    configBytes: json.length,
    restoredEqual: JSON.stringify(Strategy.toConfig(restored)) === json,
  }
  for (const t of [early, late]) Execute.dispose(t)
  batch.x.dispose()
  batch.y.dispose()
  return summary
}).pipe(Random.withSeed(42))

if (import.meta.main) console.log(await Effect.runPromise(main))
