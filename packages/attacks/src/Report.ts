/**
 * Robustness results: counts per batch and in total, for one attack against one model.
 *
 * Examples the model already got wrong before the attack are counted on their own
 * (`alreadyMisclassified`) and the success rate is taken over the initially correct ones
 * only, so an attack never gets credit for mistakes it did not cause.
 */
import type { Attack } from "./Attack.ts"
import type * as Norm from "./Norm.ts"

export interface Counts {
  readonly examples: number
  /** Clean top-1 errors of the evaluated model: wrong before any attack. */
  readonly alreadyMisclassified: number
  /** Clean errors at top-k (k in the report). */
  readonly cleanTopKErrors: number
  readonly adversarialTop1Errors: number
  readonly adversarialTopKErrors: number
  /** Among the initially correct (top-1): untargeted, now wrong; targeted, now the target class. */
  readonly successes: number
}

export const zero: Counts = {
  examples: 0,
  alreadyMisclassified: 0,
  cleanTopKErrors: 0,
  adversarialTop1Errors: 0,
  adversarialTopKErrors: 0,
  successes: 0,
}

/** Counts add up (a monoid with `zero`): totals are the sum over batches. */
export const add = (a: Counts, b: Counts): Counts => ({
  examples: a.examples + b.examples,
  alreadyMisclassified: a.alreadyMisclassified + b.alreadyMisclassified,
  cleanTopKErrors: a.cleanTopKErrors + b.cleanTopKErrors,
  adversarialTop1Errors: a.adversarialTop1Errors + b.adversarialTop1Errors,
  adversarialTopKErrors: a.adversarialTopKErrors + b.adversarialTopKErrors,
  successes: a.successes + b.successes,
})

export const sum = (counts: ReadonlyArray<Counts>): Counts => counts.reduce(add, zero)

export interface Rates {
  readonly cleanTop1Error: number
  readonly cleanTopKError: number
  readonly adversarialTop1Error: number
  readonly adversarialTopKError: number
  readonly initiallyCorrect: number
  /** successes / initiallyCorrect; NaN when nothing was initially correct. */
  readonly successRate: number
}

/** Error rates in [0, 1] (NaN for an empty count). */
export const rates = (counts: Counts): Rates => {
  const initiallyCorrect = counts.examples - counts.alreadyMisclassified
  return {
    cleanTop1Error: counts.alreadyMisclassified / counts.examples,
    cleanTopKError: counts.cleanTopKErrors / counts.examples,
    adversarialTop1Error: counts.adversarialTop1Errors / counts.examples,
    adversarialTopKError: counts.adversarialTopKErrors / counts.examples,
    initiallyCorrect,
    successRate: counts.successes / initiallyCorrect,
  }
}

export type Mode = "white-box" | "black-box"

export interface Report {
  /** The attack's column name, e.g. "FGSM". */
  readonly attack: string
  readonly kind: Attack["kind"]
  readonly norm: Norm.Norm
  readonly epsilon: number
  readonly stepSize: number
  readonly steps: number
  readonly restarts: number
  readonly randomStart: boolean
  /** White box: crafted on the evaluated model; black box: crafted on a surrogate. */
  readonly mode: Mode
  /** Which labels the attacker crafted with; errors are always measured against the true labels. */
  readonly labelsSource: "given" | "predicted"
  readonly target: "untargeted" | "least-likely"
  /** The k of the top-k columns (5 unless set). */
  readonly k: number
  readonly totals: Counts
  readonly batches: ReadonlyArray<Counts>
}
