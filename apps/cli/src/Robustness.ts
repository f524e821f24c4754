/**
 * Adversarial test error of a trained classifier (`@vicinal/attacks`): white box when the
 * examples are crafted on the classifier itself, black box when they are crafted on a
 * surrogate. Errors are always against the true test labels.
 */
import { Attack, Evaluate, Range, type Report } from "@vicinal/attacks"
import { Random } from "@vicinal/core"
import { Batches, type DatasetType } from "@vicinal/data"
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

/** Logits in inference mode, as the attacks want the model. */
export const asModel =
  (classifier: Classifier): Attack.Model =>
  (x) =>
    classifier.forward(x, { training: false })

export const evaluate = (
  classifier: Classifier,
  test: DatasetType,
  options: {
    readonly attacks: ReadonlyArray<Attack.Attack>
    readonly surrogate?: Classifier
    readonly seed: number
  },
): Effect.Effect<ReadonlyArray<Totals>, CliError> =>
  Batches.stream(test, { batchSize: 250, shuffle: false }).pipe(
    Evaluate.stream({
      model: asModel(classifier),
      surrogate: options.surrogate === undefined ? undefined : asModel(options.surrogate),
      attacks: options.attacks,
      range: Range.unit,
    }),
    Effect.map((reports) => reports.map(totals)),
    Random.withSeed(options.seed),
    Effect.mapError(stepFailed("attack")),
  )
