/**
 * `vicinal show DIR`: a results folder as text. An experiment folder prints its tables, its
 * runs and its pictures; a run folder prints its epochs. Pure formatting over parsed JSON.
 */
import { join } from "node:path"
import type { EpochMetrics } from "@vicinal/train"
import { Effect } from "effect"
import { type CliError, UsageError } from "./Errors.ts"
import * as Files from "./Files.ts"
import * as Markdown from "./Markdown.ts"
import * as Stats from "./Stats.ts"

interface RunLine {
  readonly name: string
  readonly seed: number
  readonly bestTestError: number | null
  readonly lastTestError: number | null
  readonly seconds: number
}

interface PictureLine {
  readonly name: string
  readonly png: string
  readonly width: number
  readonly height: number
}

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const rate = (x: unknown) => Stats.percent(typeof x === "number" ? x : undefined)

/** The epochs of one run as a table. */
export const epochsTable = (history: ReadonlyArray<EpochMetrics>): string =>
  Markdown.table(
    [
      "Epoch",
      "Loss",
      "Test top-1 %",
      "Test top-5 %",
      "Best %",
      "Train err. (true labels) %",
      "Train err. real %",
      "Train err. corrupted %",
      "Seconds",
    ],
    history.map((m) => [
      String(m.epoch + 1),
      typeof m.trainLoss === "number" ? m.trainLoss.toFixed(4) : "–",
      rate(m.testTop1Error),
      rate(m.testTop5Error),
      rate(m.bestTestError),
      rate(m.trainErrorTrue),
      rate(m.realTrainError),
      rate(m.corruptedTrainError),
      typeof m.seconds === "number" ? m.seconds.toFixed(1) : "–",
    ]),
  )

/** An experiment's summary (and tables) as text. */
export const experimentText = (
  dir: string,
  summary: Record<string, unknown>,
  tables: string | undefined,
): string => {
  const runs = (Array.isArray(summary.runs) ? summary.runs : []) as ReadonlyArray<RunLine>
  const pictures = (Array.isArray(summary.pictures) ? summary.pictures : []) as ReadonlyArray<PictureLine>
  const wall =
    typeof summary.wallSeconds === "number" ? ` in ${(summary.wallSeconds / 60).toFixed(1)} min` : ""
  return [
    `${String(summary.experiment ?? "results")} — ${dir}${wall}`,
    "",
    ...(tables === undefined ? [] : [tables.trimEnd(), ""]),
    "Runs:",
    Markdown.table(
      ["Run", "Best %", "Last %", "Seconds"],
      runs.map((r) => [r.name, rate(r.bestTestError), rate(r.lastTestError), r.seconds.toFixed(0)]),
    ),
    "",
    "Pictures:",
    ...pictures.map((p) => `  ${p.name}: ${p.png} (${p.width}×${p.height}) and .svg`),
  ].join("\n")
}

/** A single run's summary as text. */
export const runText = (dir: string, summary: Record<string, unknown>): string =>
  [
    `run ${String(summary.name ?? dir)} — ${dir}`,
    `best test error ${rate(summary.bestTestError)}%, last ${rate(summary.lastTestError)}%, ${String(summary.parameters ?? "?")} parameters`,
    "",
    epochsTable((summary.history ?? []) as ReadonlyArray<EpochMetrics>),
  ].join("\n")

/** The text `show` prints for a results folder (or its summary.json). */
export const show = (path: string): Effect.Effect<string, CliError> =>
  Effect.gen(function* () {
    const dir = path.endsWith(".json") ? join(path, "..") : path
    const file = join(dir, "summary.json")
    if (!Files.exists(dir))
      return yield* new UsageError({ argument: "DIR", message: `${path}: does not exist` })
    if (!Files.exists(file))
      return yield* new UsageError({
        argument: "DIR",
        message: `${path}: not a vicinal results folder (no summary.json); give a folder written by train or reproduce`,
      })
    const summary = yield* Files.readJson(file)
    if (!isRecord(summary))
      return yield* new UsageError({ argument: "DIR", message: `${file}: expected a JSON object` })
    if (Array.isArray(summary.history)) return runText(dir, summary)
    const tablesFile = join(dir, "tables.md")
    const tables = Files.exists(tablesFile) ? yield* Files.readText(tablesFile) : undefined
    return experimentText(dir, summary, tables)
  })
