/**
 * The final tables, shaped like the paper's: one row per method (and setting), our numbers
 * (mean ± std over seeds) beside the paper's where it has one.
 */
import { Report } from "@vicinal/attacks"
import * as Markdown from "./Markdown.ts"
import type * as Paper from "./Paper.ts"
import type { Totals } from "./Robustness.ts"
import type { Outcome } from "./Runner.ts"
import * as Stats from "./Stats.ts"

/** A table row's runs: one outcome per seed. */
export interface Row {
  readonly method: string
  readonly setting?: string
  readonly outcomes: ReadonlyArray<Outcome>
}

const paperCell = (value: number | undefined): string => (value === undefined ? "–" : value.toFixed(1))

const over = (outcomes: ReadonlyArray<Outcome>, pick: (o: Outcome) => number | undefined): Stats.Summary =>
  Stats.summarise(outcomes.map((o) => pick(o) ?? Number.NaN))

const cell = (outcomes: ReadonlyArray<Outcome>, pick: (o: Outcome) => number | undefined): string =>
  Stats.percentSummary(over(outcomes, pick))

/** Test error (best over epochs, last) per method, with the paper's CIFAR-10 number. */
export const testError = (rows: ReadonlyArray<Row & { readonly paper?: number }>): string =>
  Markdown.table(
    ["Method", "Setting", "Best test error %", "Last test error %", "Paper (CIFAR-10) %"],
    rows.map((r) => [
      r.method,
      r.setting ?? "",
      cell(r.outcomes, (o) => o.bestTestError),
      cell(r.outcomes, (o) => o.lastTestError),
      paperCell(r.paper),
    ]),
  )

/**
 * Table 2 (label corruption): best and last test error; training error on the examples whose
 * labels were not corrupted ("real") and on the corrupted ones against their corrupted labels
 * ("corrupted"): both near 0 for a network that memorises its training labels.
 */
export const labelCorruption = (
  rows: ReadonlyArray<Row & { readonly noise: number; readonly paper?: Paper.Table2Row }>,
): string =>
  Markdown.table(
    [
      "Label corruption",
      "Method",
      "Best %",
      "Last %",
      "Train err. real %",
      "Train err. corrupted %",
      "Paper best / last / real / corrupted",
    ],
    rows.map((r, i) => [
      i === 0 || rows[i - 1]?.noise !== r.noise ? `${Math.round(r.noise * 100)}%` : "",
      r.setting === undefined || r.setting === "" ? r.method : `${r.method} (${r.setting})`,
      cell(r.outcomes, (o) => o.bestTestError),
      cell(r.outcomes, (o) => o.lastTestError),
      cell(r.outcomes, (o) => o.final?.realTrainError),
      cell(r.outcomes, (o) => o.final?.corruptedTrainError),
      r.paper === undefined
        ? "–"
        : `${r.paper.best} / ${r.paper.last} / ${r.paper.real} / ${r.paper.corrupted}${r.paper.setting === "" ? "" : ` (${r.paper.setting})`}`,
    ]),
  )

/** The attack reports a run's `extra` holds under `key`. */
export const reportsOf = (outcome: Outcome, key: "whiteBox" | "blackBox"): ReadonlyArray<Totals> => {
  const extra = outcome.extra as Partial<Record<string, ReadonlyArray<Totals>>> | undefined
  return extra?.[key] ?? []
}

/** A run's top-1 or top-5 error under one attack (NaN when it was not measured). */
export const adversarialError = (
  outcome: Outcome,
  key: "whiteBox" | "blackBox",
  attack: string,
  top: 1 | 5,
): number => {
  const t = reportsOf(outcome, key).find((x) => x.attack === attack)
  if (t === undefined) return Number.NaN
  const rates = Report.rates(t.totals)
  return top === 1 ? rates.adversarialTop1Error : rates.adversarialTopKError
}

/**
 * Table 3 (adversarial examples): rows Metric (top-1, top-5) × method, a column per attack,
 * our error beside the paper's (ImageNet) in each cell: "ours (paper)".
 */
export const adversarial = (
  rows: ReadonlyArray<Row>,
  key: "whiteBox" | "blackBox",
  paper: Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>>,
): string => {
  const attacks = [
    ...new Set(rows.flatMap((r) => r.outcomes.flatMap((o) => reportsOf(o, key).map((t) => t.attack)))),
  ]
  const clean = (o: Outcome, top: 1 | 5) => {
    const t = reportsOf(o, key)[0]
    if (t === undefined) return Number.NaN
    const rates = Report.rates(t.totals)
    return top === 1 ? rates.cleanTop1Error : rates.cleanTopKError
  }
  const lines = ([1, 5] as const).flatMap((top) =>
    rows.map((r, i) => [
      i === 0 ? `Top-${top}` : "",
      r.method,
      cell(r.outcomes, (o) => clean(o, top)),
      ...attacks.map((a) => {
        const theirs = paper[r.method]?.[a]?.[top === 1 ? 0 : 1]
        return `${cell(r.outcomes, (o) => adversarialError(o, key, a, top))} (${paperCell(theirs)})`
      }),
    ]),
  )
  return Markdown.table(["Metric", "Method", "Clean %", ...attacks.map((a) => `${a} % (paper)`)], lines)
}

/** Ablation rows: test error per method, the paper's where it reports one. */
export const ablation = (rows: ReadonlyArray<Row>, paper: Readonly<Record<string, number>>): string =>
  testError(
    rows.map((r) => {
      const theirs = paper[r.method]
      return theirs === undefined ? r : { ...r, paper: theirs }
    }),
  )

/** Rows of a table as JSON records (summary.json): mean and std per metric. */
export const records = (rows: ReadonlyArray<Row & { readonly group?: string; readonly noise?: number }>) =>
  rows.map(({ outcomes, method, setting, group, noise }) => {
    const best = over(outcomes, (o) => o.bestTestError)
    const last = over(outcomes, (o) => o.lastTestError)
    return {
      method,
      setting: setting ?? "",
      group: group ?? "",
      ...(noise === undefined ? {} : { labelNoise: noise }),
      seeds: outcomes.map((o) => o.seed).join(" "),
      bestTestError: best.mean,
      bestTestErrorStd: best.std,
      lastTestError: last.mean,
      lastTestErrorStd: last.std,
      trainErrorReal: over(outcomes, (o) => o.final?.realTrainError).mean,
      trainErrorCorrupted: over(outcomes, (o) => o.final?.corruptedTrainError).mean,
    }
  })
