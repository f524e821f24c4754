/**
 * Adversarial test error of a trained classifier (`@vicinal/attacks`): white box when the
 * examples are crafted on the classifier itself, black box when they are crafted on a
 * surrogate. Errors are always against the true test labels.
 */
import * as tf from "@tensorflow/tfjs-core"
import { Attack, Range, type Report, Robustness } from "@vicinal/attacks"
import { Random } from "@vicinal/core"
import { type Augment, Batches, type DatasetType } from "@vicinal/data"
import type { Classifier } from "@vicinal/models"
import { Effect } from "effect"
import { type CliError, stepFailed } from "./Errors.ts"

export type AttackName = "fgsm" | "ifgsm" | "pgd"

export const attackNames: ReadonlyArray<AttackName> = ["fgsm", "ifgsm", "pgd"]

export const make = (name: AttackName, epsilon: number, steps: number): Attack.Attack =>
  name === "fgsm"
    ? Attack.fgsm({ epsilon })
    : name === "ifgsm"
      ? Attack.ifgsm({ epsilon, steps })
      : Attack.pgd({ epsilon, steps })

/** A report without its per-batch counts (what results files keep). */
export type Totals = Omit<Report.Report, "batches">

export const totals = (report: Report.Report): Totals => {
  const { batches: _batches, ...rest } = report
  return rest
}

/**
 * Logits in inference mode, as the attacks want the model. With `normalise` (a network trained
 * on per-channel normalised inputs) the model takes pixels in [0, 1] and normalises them itself,
 * so that attacks clip to the pixel range and epsilon stays on the pixel scale (e.g. 4/255).
 */
export const asModel =
  (classifier: Classifier, normalise?: Augment.NormaliseOptions): Attack.Model =>
  (x) =>
    classifier.forward(
      normalise === undefined
        ? x
        : tf.div(tf.sub(x, tf.tensor1d([...normalise.mean])), tf.tensor1d([...normalise.std])),
      { training: false },
    )

/** The first `n` examples of a dataset (all when it has fewer). */
export const first = (dataset: DatasetType, n: number): DatasetType => {
  const total = dataset.shape[0] ?? 0
  if (n >= total) return dataset
  const width = dataset.shape.slice(1).reduce((a, b) => a * b, 1)
  return {
    ...dataset,
    x: dataset.x.subarray(0, n * width),
    labels: dataset.labels.subarray(0, n),
    trueLabels: dataset.trueLabels.subarray(0, n),
    shape: [n, ...dataset.shape.slice(1)],
  }
}

export const evaluate = (
  classifier: Classifier | Attack.Model,
  test: DatasetType,
  options: {
    readonly attacks: ReadonlyArray<Attack.Attack>
    readonly surrogate?: Classifier | Attack.Model
    readonly seed: number
  },
): Effect.Effect<ReadonlyArray<Totals>, CliError> =>
  Batches.stream(test, { batchSize: 250, shuffle: false }).pipe(
    Robustness.stream({
      model: toModel(classifier),
      surrogate: options.surrogate === undefined ? undefined : toModel(options.surrogate),
      attacks: options.attacks,
      range: Range.unit,
    }),
    Effect.map((reports) => reports.map(totals)),
    Random.withSeed(options.seed),
    Effect.mapError(stepFailed("attack")),
  )

const toModel = (model: Classifier | Attack.Model): Attack.Model =>
  typeof model === "function" ? model : asModel(model)
