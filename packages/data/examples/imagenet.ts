/**
 * ImageNet from its folder: the training classes (sorted wnids), the validation labels (found
 * in the folder), one training epoch streamed with the standard augmentation, and the
 * validation set with the evaluation transform, uploaded batch by batch. Memory stays bounded:
 * at most `prefetch` batches are decoded ahead of the loop.
 *
 *   bun packages/data/examples/imagenet.ts ~/data/imagenet          # train/ and val/ inside
 *   deno run -A packages/data/examples/imagenet.ts ~/data/imagenet
 */
import "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"
import { Batches, ImageNet } from "@vicinal/data"
import { Effect, Stream } from "effect"

export const main = (root: string, size = 224) =>
  Effect.gen(function* () {
    yield* Effect.promise(() => tf.setBackend("cpu"))
    const { train, val } = yield* ImageNet.load(root)

    // Random resized crop + flip + normalisation; order and crops a pure function of (seed, epoch).
    const trainBatches = yield* ImageNet.stream(train, {
      batchSize: 32,
      transform: "train",
      size,
      seed: 42,
      epoch: 0,
      prefetch: 2,
    }).pipe(
      Stream.map((batch) => batch.shape),
      Stream.runCollect,
    )

    // Resize the shorter side to 256 (for 224), centre crop; uploaded as x [n, 224, 224, 3], one-hot y.
    const valRows = yield* ImageNet.stream(val, { batchSize: 50, transform: "eval", size }).pipe(
      Stream.runFold(
        () => 0,
        (rows, host) => {
          const { x, y } = Batches.toBatch(host)
          // ... classifier.forward(x) ...
          x.dispose()
          y.dispose()
          return rows + host.labels.length
        },
      ),
    )

    return {
      classes: train.classes.length,
      train: train.files.length,
      val: val.files.length,
      firstBatch: trainBatches[0],
      valRows,
    }
  })

if ((import.meta as { readonly main?: boolean }).main) {
  const root = process.argv[2]
  if (root === undefined) console.error("usage: imagenet.ts FOLDER (with train/ and val/)")
  else console.log(await Effect.runPromise(main(root)))
}
