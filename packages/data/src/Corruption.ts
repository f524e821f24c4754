/**
 * Label corruption as in the mixup paper (after Zhang et al. 2017): each training label is,
 * with probability `fraction`, replaced by a class drawn uniformly at random. As in the
 * paper the random class may equal the true one, so the share of labels that actually
 * change is about fraction * (K - 1) / K; pass `excludeTrue: true` to draw among the other
 * classes only (then about `fraction` change). `trueLabels` are kept, so memorisation can
 * be measured.
 */
import { Random } from "@vicinal/core"
import { Effect } from "effect"
import { dual } from "effect/Function"
import * as Check from "./Check.ts"
import type { Dataset } from "./Dataset.ts"
import { InvalidArgument } from "./Errors.ts"
import type { TrainTest } from "./Split.ts"

export interface CorruptionOptions {
  readonly fraction: number
  readonly seed: number
  /** draw the replacement among the other classes (default false, as in the paper) */
  readonly excludeTrue?: boolean
}

const check = (dataset: Dataset, options: CorruptionOptions): InvalidArgument | undefined =>
  Check.first(
    Check.inRange("fraction", options.fraction, 0, 1),
    Check.seed("seed", options.seed),
    options.excludeTrue === true && dataset.numClasses < 2
      ? new InvalidArgument({
          argument: "excludeTrue",
          value: true,
          expected: `must be false for ${dataset.name}: it has ${dataset.numClasses} class, and excluding the true label needs at least 2`,
        })
      : undefined,
  )

/** A new dataset whose `labels` are corrupted; `x` is shared (never written), `trueLabels` kept. */
export const corrupt: {
  (options: CorruptionOptions): (dataset: Dataset) => Effect.Effect<Dataset, InvalidArgument>
  (dataset: Dataset, options: CorruptionOptions): Effect.Effect<Dataset, InvalidArgument>
} = dual(
  2,
  (dataset: Dataset, options: CorruptionOptions): Effect.Effect<Dataset, InvalidArgument> =>
    Effect.suspend(() => {
      const error = check(dataset, options)
      if (error !== undefined) return Effect.fail(error)
      const rng = Random.make(options.seed)
      const k = dataset.numClasses
      const labels = dataset.labels.slice()
      for (let i = 0; i < labels.length; i++) {
        // One Bernoulli draw per example first, so the chosen set does not depend on excludeTrue.
        if (rng.uniform() >= options.fraction) continue
        const truth = dataset.trueLabels[i]!
        if (options.excludeTrue === true) {
          const other = rng.int(k - 1)
          labels[i] = other >= truth ? other + 1 : other
        } else labels[i] = rng.int(k)
      }
      return Effect.succeed({
        ...dataset,
        name: `${dataset.name}+corrupted(${options.fraction})`,
        labels,
        trueLabels: dataset.trueLabels.slice(),
      })
    }),
)

/** Corrupts the training half of a split only; the test half is returned as it was. */
export const corruptTrain: {
  (options: CorruptionOptions): (split: TrainTest) => Effect.Effect<TrainTest, InvalidArgument>
  (split: TrainTest, options: CorruptionOptions): Effect.Effect<TrainTest, InvalidArgument>
} = dual(2, (split: TrainTest, options: CorruptionOptions) =>
  Effect.map(corrupt(split.train, options), (train) => ({ train, test: split.test })),
)

/** Which training examples carry a wrong label (1) or the clean one (0). */
export const mask = (dataset: Pick<Dataset, "labels" | "trueLabels">): Uint8Array =>
  Uint8Array.from(dataset.labels, (label, i) => (label === dataset.trueLabels[i] ? 0 : 1))
