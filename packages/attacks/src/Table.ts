/**
 * Markdown tables in the layout of Table 3 of the mixup paper: rows Metric (Top-1, Top-k) x
 * Method, one column per attack, numbers are error percentages; "(a) White box attacks." and
 * "(b) Black box attacks." A "Clean" column and notes below each table state what was wrong
 * before the attack, and the success rate among the examples that were initially right.
 */
import * as Report from "./Report.ts"

export interface Row {
  /** The method or model, e.g. "ERM" or "mixup". */
  readonly method: string
  /** Its reports, one per attack column. */
  readonly reports: ReadonlyArray<Report.Report>
}

const percent = (rate: number): string => (Number.isFinite(rate) ? (100 * rate).toFixed(1) : "–")

// Short, exact enough for a caption: 4/255 prints as 0.01569.
const short = (value: number): string => String(Number(value.toPrecision(4)))

const unique = (names: ReadonlyArray<string>): ReadonlyArray<string> => [...new Set(names)]

/** One table: rows Metric x Method, columns "Clean" then the attacks in order of first appearance. */
export const markdown = (options: {
  readonly caption: string
  readonly rows: ReadonlyArray<Row>
}): string => {
  const columns = unique(options.rows.flatMap((row) => row.reports.map((report) => report.attack)))
  const k = options.rows[0]?.reports[0]?.k ?? 5
  const cell = (row: Row, column: string, pick: (rates: Report.Rates) => number): string => {
    const report = row.reports.find((r) => r.attack === column)
    return report === undefined ? "–" : percent(pick(Report.rates(report.totals)))
  }
  // The clean error does not depend on the attack: take it from the row's first report.
  const clean = (row: Row, pick: (rates: Report.Rates) => number): string => {
    const first = row.reports[0]
    return first === undefined ? "–" : percent(pick(Report.rates(first.totals)))
  }
  const metric = (label: string, cleanPick: (r: Report.Rates) => number, pick: (r: Report.Rates) => number) =>
    options.rows.map(
      (row, i) =>
        `| ${i === 0 ? label : ""} | ${row.method} | ${clean(row, cleanPick)} | ${columns.map((c) => cell(row, c, pick)).join(" | ")} |`,
    )
  const notes = options.rows.flatMap((row) =>
    row.reports.map((report) => {
      const rates = Report.rates(report.totals)
      return (
        `- ${row.method}, ${report.attack} (${report.mode}, ${report.norm}, epsilon ${short(report.epsilon)}, ` +
        `${report.steps} step${report.steps === 1 ? "" : "s"} of ${short(report.stepSize)}` +
        `${report.restarts > 1 ? `, ${report.restarts} restarts` : ""}, labels ${report.labelsSource}, ${report.target}): ` +
        `${report.totals.alreadyMisclassified} of ${report.totals.examples} already misclassified before the attack; ` +
        `success rate ${percent(rates.successRate)}% of the ${rates.initiallyCorrect} initially correct.`
      )
    }),
  )
  return [
    `| Metric | Method | Clean | ${columns.join(" | ")} |`,
    `|---|---|---|${columns.map(() => "---|").join("")}`,
    ...metric(
      "Top-1",
      (r) => r.cleanTop1Error,
      (r) => r.adversarialTop1Error,
    ),
    ...metric(
      `Top-${k}`,
      (r) => r.cleanTopKError,
      (r) => r.adversarialTopKError,
    ),
    "",
    options.caption,
    "",
    ...notes,
  ].join("\n")
}

/** Both halves of Table 3: white box (a), then black box (b); either may be omitted. */
export const table3 = (options: {
  readonly whiteBox?: ReadonlyArray<Row>
  readonly blackBox?: ReadonlyArray<Row>
}): string =>
  [
    options.whiteBox === undefined
      ? undefined
      : markdown({ caption: "(a) White box attacks.", rows: options.whiteBox }),
    options.blackBox === undefined
      ? undefined
      : markdown({ caption: "(b) Black box attacks.", rows: options.blackBox }),
  ]
    .filter((part): part is string => part !== undefined)
    .join("\n\n")
