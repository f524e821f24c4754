/**
 * The results of a benchmark run as data (JSON, checked by an Effect Schema) and as the
 * Markdown table the docs results page shows.
 */
import { Schema } from "effect"

export const Target = Schema.Struct({ op: Schema.Literals(["<=", ">="]), value: Schema.Finite })
export type Target = typeof Target.Type

/** `noisy`: a ratio whose pairs disagreed too much to judge against its target (see `row`). */
export const Status = Schema.Literals(["pass", "miss", "noisy", "info", "skipped"])
export type Status = typeof Status.Type

export const Row = Schema.Struct({
  /** Stable key, e.g. `mix.tensor.128`; the same benchmark has the same id in every run. */
  id: Schema.String,
  section: Schema.String,
  title: Schema.String,
  /** e.g. `bun 1.4.5`, `deno 2.9.6`. */
  runtime: Schema.String,
  /** e.g. `wasm (SIMD, 1 thread)`, `cpu`, `host` (typed arrays, no tfjs). */
  backend: Schema.String,
  /** null when not measured (`skipped`, with the reason in `detail`). */
  value: Schema.NullOr(Schema.Finite),
  unit: Schema.String,
  target: Schema.optionalKey(Target),
  status: Status,
  /** How it was measured: the two medians, samples, spread; or why it was skipped. */
  detail: Schema.String,
})
export type Row = typeof Row.Type

export const Report = Schema.Struct({
  formatVersion: Schema.Literal(1),
  startedAt: Schema.String,
  wallSeconds: Schema.Finite,
  machine: Schema.Struct({ cpus: Schema.Finite, platform: Schema.String, note: Schema.String }),
  rows: Schema.Array(Row),
})
export type Report = typeof Report.Type

/** Decode unknown JSON into a report; throws a SchemaError naming the bad field. */
export const decode = (input: unknown): Report => Schema.decodeUnknownSync(Report)(input)

export const meets = (value: number, target: Target): boolean =>
  target.op === "<=" ? value <= target.value : value >= target.value

/** pass/miss against the target, info when there is none, skipped when nothing was measured. */
export const judge = (value: number | null, target: Target | undefined): Status =>
  value === null || !Number.isFinite(value)
    ? "skipped"
    : target === undefined
      ? "info"
      : meets(value, target)
        ? "pass"
        : "miss"

/**
 * Quartiles of a ratio's per-pair values farther apart than this factor mean the two sides were
 * not measured under the same conditions (load came and went within pairs): the median is then
 * reported but not judged.
 */
export const NOISY_SPREAD = 1.5

/**
 * Build a row, judging its status from value and target; with `ratioQuartiles` (of the per-pair
 * ratios behind a comparison) a spread beyond `NOISY_SPREAD` makes it `noisy` instead.
 */
export const row = (
  fields: Omit<Row, "status" | "target" | "value"> & {
    readonly value: number | null
    readonly target?: Target
    readonly ratioQuartiles?: { readonly q1: number; readonly q3: number }
  },
): Row => {
  // `+ 0` turns -0 into 0, which is what JSON keeps anyway.
  const value = fields.value !== null && Number.isFinite(fields.value) ? fields.value + 0 : null
  const { target, ratioQuartiles, ...rest } = fields
  if (target === undefined) return { ...rest, value, status: judge(value, undefined) }
  const status = judge(value, target)
  const spread = ratioQuartiles === undefined ? 1 : ratioQuartiles.q3 / ratioQuartiles.q1
  return (status === "pass" || status === "miss") && !(spread <= NOISY_SPREAD)
    ? {
        ...rest,
        detail: `${rest.detail}; not judged: the ratio's quartiles are ${spread.toFixed(1)}x apart (load changed within pairs)`,
        value,
        target,
        status: "noisy",
      }
    : { ...rest, value, target, status }
}

export const skipped = (
  fields: Omit<Row, "status" | "target" | "value" | "unit"> & { readonly unit?: string },
): Row => ({ unit: "", ...fields, value: null, status: "skipped" }) as Row

/** Significant figures that keep small ratios readable (1.03) and big rates short (31.2M). */
export const formatValue = (value: number | null, unit: string): string => {
  if (value === null) return "—"
  const abs = Math.abs(value)
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3
  return `${value.toFixed(digits)}${unit === "" ? "" : ` ${unit}`}`
}

const cell = (text: string): string => text.replaceAll("|", "\\|").replaceAll("\n", " ")

const statusMark: Record<Status, string> = {
  pass: "pass",
  miss: "**MISS**",
  noisy: "noisy",
  info: "info",
  skipped: "skipped",
}

/** The Markdown results page: a header, then one table per section in first-seen order. */
export const toMarkdown = (report: Report): string => {
  const sections = [...new Set(report.rows.map((r) => r.section))]
  const head = [
    "# Benchmark results",
    "",
    `Run started ${report.startedAt}, ${report.wallSeconds.toFixed(0)} s wall time, ${report.machine.cpus} CPUs (${report.machine.platform}). ${report.machine.note}`,
    "",
    "Ratios are medians of per-pair ratios of two workloads timed interleaved in one process; absolute figures (ms, GB/s, draws/s) depend on the machine's load at the time.",
    "",
  ]
  const tables = sections.flatMap((section) => [
    `## ${section}`,
    "",
    "| benchmark | runtime | backend | value | target | status | how measured |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...report.rows
      .filter((r) => r.section === section)
      .map(
        (r) =>
          `| ${cell(r.title)} | ${cell(r.runtime)} | ${cell(r.backend)} | ${formatValue(r.value, r.unit)} | ${
            r.target === undefined ? "" : `${r.target.op} ${r.target.value}`
          } | ${statusMark[r.status]} | ${cell(r.detail)} |`,
      ),
    "",
  ])
  return [...head, ...tables].join("\n")
}
