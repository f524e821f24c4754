/**
 * The paper's UCI experiment: ERM vs mixup with a small fully connected network on six UCI
 * classification data sets, each given as a CSV file the user downloads (the data sets are not
 * redistributed here). Which file, which column is the label and which columns are categorical
 * is fixed per data set below (`DATASETS`, listed in the docs); every run splits its table
 * stratified (a fifth held out, by the seed), standardises the features and trains through
 * `@vicinal/train` like the other experiments.
 *
 * The paper's setting as recalled (unconfirmed; exposed as flags, not hard-coded beliefs): two
 * hidden layers of 128 ReLU units, Adam with default parameters, batch 16, 10 epochs.
 */
import { join } from "node:path"
import { Strategy } from "@vicinal/core"
import type { RunConfig } from "@vicinal/train"
import { Effect } from "effect"
import { type CliError, UsageError } from "./Errors.ts"
import * as Experiment from "./Experiment.ts"
import * as Files from "./Files.ts"
import type * as Setup from "./Setup.ts"
import * as Tables from "./Tables.ts"

type Rows = ReadonlyArray<Experiment.Method & Tables.Row>

export interface UciDataset {
  /** Name in the tables. */
  readonly name: string
  /** File expected in the folder. */
  readonly file: string
  /** Label column: 0-based index (negative from the end). */
  readonly label: number
  readonly categorical?: ReadonlyArray<number>
  readonly labels: "integer" | "category"
  /** Shape of the table as distributed: feature columns (before one-hot encoding), label values. */
  readonly columns: number
  readonly classes: string
  readonly source: string
}

/** The paper's six UCI data sets, as CSV files (no header needed; one is detected if present). */
export const DATASETS: ReadonlyArray<UciDataset> = [
  {
    name: "Abalone",
    file: "abalone.csv",
    label: -1,
    categorical: [0],
    labels: "category",
    columns: 8,
    classes: "rings (1-29), one class per value present",
    source: "https://archive.ics.uci.edu/dataset/1/abalone (abalone.data, renamed)",
  },
  {
    name: "Arcene",
    file: "arcene.csv",
    label: -1,
    labels: "category",
    columns: 10_000,
    classes: "-1 / 1",
    source:
      "https://archive.ics.uci.edu/dataset/167/arcene (arcene_train.data and arcene_train.labels joined: the label appended to each row, commas between)",
  },
  {
    name: "Arrhythmia",
    file: "arrhythmia.csv",
    label: -1,
    labels: "category",
    columns: 279,
    classes: "1-16 (13 present); missing values ('?') replaced by 0",
    source: "https://archive.ics.uci.edu/dataset/5/arrhythmia (arrhythmia.data, '?' replaced by 0)",
  },
  {
    name: "Htru2",
    file: "htru2.csv",
    label: -1,
    labels: "integer",
    columns: 8,
    classes: "0 / 1",
    source: "https://archive.ics.uci.edu/dataset/372/htru2 (HTRU_2.csv, renamed)",
  },
  {
    name: "Iris",
    file: "iris.csv",
    label: -1,
    labels: "category",
    columns: 4,
    classes: "Iris-setosa / Iris-versicolor / Iris-virginica",
    source: "https://archive.ics.uci.edu/dataset/53/iris (iris.data, renamed)",
  },
  {
    name: "Phishing",
    file: "phishing.csv",
    label: -1,
    labels: "category",
    columns: 30,
    classes: "-1 / 1 (features in {-1, 0, 1})",
    source:
      "https://archive.ics.uci.edu/dataset/327/phishing+websites (Training Dataset.arff: the rows after @data)",
  },
]

export interface UciOptions extends Setup.Common {
  readonly dir: string
  readonly hidden: ReadonlyArray<number>
  readonly alpha: number
  /** Only these data sets (names, case-insensitive); all that are present when empty. */
  readonly only: ReadonlyArray<string>
}

/** The data sets to run: those named (each must be present), else every one whose file is in `dir`. */
export const select = (
  dir: string,
  only: ReadonlyArray<string>,
): Effect.Effect<ReadonlyArray<UciDataset>, UsageError> => {
  const wanted = only.map((n) => n.toLowerCase())
  const unknown = wanted.filter((n) => !DATASETS.some((d) => d.name.toLowerCase() === n))
  if (unknown.length > 0)
    return Effect.fail(
      new UsageError({
        argument: "--only",
        message: `--only ${only.join(",")}: unknown data set ${unknown.join(", ")} (one of ${DATASETS.map((d) => d.name).join(", ")})`,
      }),
    )
  const chosen =
    wanted.length === 0 ? DATASETS : DATASETS.filter((d) => wanted.includes(d.name.toLowerCase()))
  const present = chosen.filter((d) => Files.exists(join(dir, d.file)))
  const missing = chosen.filter((d) => !present.includes(d))
  if (present.length === 0 || (wanted.length > 0 && missing.length > 0))
    return Effect.fail(
      new UsageError({
        argument: "--dir",
        message: `--dir ${dir}: missing ${missing.map((d) => d.file).join(", ")} (download them as docs/recipes/uci.md says: one CSV file per data set, the label in the last column)`,
      }),
    )
  return Effect.succeed(present)
}

const dataConfig = (dir: string, d: UciDataset): RunConfig.DataConfig => ({
  dataset: "csv",
  file: join(dir, d.file),
  label: d.label,
  labels: d.labels,
  standardise: true,
  ...(d.categorical === undefined ? {} : { categorical: d.categorical }),
})

/** Every present data set, ERM and mixup, each seed. */
export const runs = (options: UciOptions, tools: Experiment.Tools): Effect.Effect<Rows, CliError> =>
  Effect.gen(function* () {
    const datasets = yield* select(options.dir, options.only)
    const optimizer: RunConfig.RunConfig["optimizer"] = {
      _tag: "adam",
      lr: options.lr,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
    }
    const methods = datasets.flatMap((d) =>
      (["ERM", "mixup"] as const).map((method) => ({
        method,
        setting: method === "mixup" ? `α = ${options.alpha}` : "",
        group: d.name,
        strategy: method === "ERM" ? Strategy.erm : Strategy.mixup({ alpha: options.alpha }),
        model: { kind: "mlp", hidden: options.hidden } as RunConfig.ModelConfig,
        data: dataConfig(options.dir, d),
        optimizer,
      })),
    )
    return yield* Experiment.runMethods(methods, options, tools.context, tools.load)
  })

/** One table of test errors (best and last epoch), the data sets' rows one after another. */
export const report = (rows: Rows, options: UciOptions): Experiment.Report => ({
  rows,
  tables: [
    "## UCI data sets: ERM vs mixup",
    "",
    Tables.testError(rows.map((r) => ({ ...r, method: `${r.group}: ${r.method}` }))).replace(
      "Paper (CIFAR-10) %",
      "Paper %",
    ),
    "",
    `MLP ${options.hidden.join("-")} (ReLU), Adam lr ${options.lr}, batch ${options.batchSize}, ${options.epochs} epochs, ${options.seeds.length} seed${options.seeds.length === 1 ? "" : "s"}; a fifth of each table held out (stratified, by seed), features standardised.`,
  ],
  records: Tables.records(rows),
})
