/**
 * Quick start: the bundled MNIST digits, a seeded stratified split, 20% label noise on the
 * training half, one augmented epoch as an Effect Stream, and one batch uploaded to tfjs.
 *
 *   bun packages/data/examples/quickstart.ts
 *   deno run -A packages/data/examples/quickstart.ts
 */
import "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"
import { Augment, Batches, Corruption, Dataset, Mnist } from "@vicinal/data"
import { Effect, Stream } from "effect"

export const main = Effect.gen(function* () {
  yield* Effect.promise(() => tf.setBackend("cpu"))
  const split = yield* Mnist.split({ seed: 0 }) // 8,000 train / 2,000 test, stratified
  const { train, test } = yield* Corruption.corruptTrain(split, { fraction: 0.2, seed: 1 })
  const info = Dataset.describe(train)

  // One epoch: shuffled by (seed, epoch), random crops, the short last batch kept, 2 batches prefetched.
  const batches = Batches.stream(train, {
    batchSize: 128,
    seed: 42,
    epoch: 0,
    augment: Augment.randomCrop({ padding: 2 }),
  })
  const sizes = yield* batches.pipe(
    Stream.map((batch) => batch.shape[0] ?? 0),
    Stream.runCollect,
  )

  // The trainer's (or evaluator's) view: device tensors it disposes itself.
  const { x, y } = Batches.toBatch(Batches.whole(test))
  const shapes = { x: x.shape, y: y.shape }
  x.dispose()
  y.dispose()

  return {
    train: info.size,
    corrupted: info.corrupted,
    test: Dataset.size(test),
    batches: sizes.length,
    last: sizes.at(-1),
    shapes,
  }
})

if ((import.meta as { readonly main?: boolean }).main) console.log(await Effect.runPromise(main))
