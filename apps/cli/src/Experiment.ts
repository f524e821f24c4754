/**
 * What every experiment does around its runs, and the one runner of the `reproduce` experiments.
 * An experiment is a `Definition`: its name and description, its settings (flags) and how they
 * become options, the runs to do, the pictures to draw, the paper's claims to judge and the
 * tables to print. `execute` runs any of them: it trains each table row once per seed
 * (sequentially, each in its own folder, finished ones reused on `--resume`), judges the claims,
 * and writes the experiment's folder: `config.json`, `metrics.json` + `metrics.csv` (every run's
 * epochs), `tables.md`, `summary.json` and the pictures.
 */
import { join } from "node:path"
import type { Strategy } from "@vicinal/core"
import type { Classifier } from "@vicinal/models"
import type { Datasets, RunConfig } from "@vicinal/train"
import { Effect } from "effect"
import { Command } from "effect/cli"
import type { CliError } from "./Errors.ts"
import * as Files from "./Files.ts"
import * as Metrics from "./Metrics.ts"
import type * as Pictures from "./Pictures.ts"
import * as Runner from "./Runner.ts"
import * as Setup from "./Setup.ts"
import type * as Tables from "./Tables.ts"
import * as Verdicts from "./Verdicts.ts"

/** One row of a table: a method, trained once per seed. */
export interface Method {
  readonly method: string
  readonly setting?: string
  /** Distinguishes rows with the same method (e.g. the corruption level); part of the folder name. */
  readonly group?: string
  readonly strategy: Strategy.Strategy
  readonly model: RunConfig.ModelConfig
  readonly data: RunConfig.DataConfig
  /** The data of one seed, when it is not `data` for all (e.g. a fixed split). */
  readonly dataOf?: (seed: number) => RunConfig.DataConfig
  readonly epochs?: number
  readonly batchSize?: number
  readonly optimizer?: RunConfig.RunConfig["optimizer"]
  readonly schedule?: RunConfig.RunConfig["schedule"]
  readonly saveModel?: boolean
  /** Measure the training error every epoch (default: yes). */
  readonly trainError?: boolean
  /** Measurements on the trained network of one seed. */
  readonly after?: (
    data: Datasets.TrainTest,
    seed: number,
  ) => ((classifier: Classifier) => Effect.Effect<unknown, CliError>) | undefined
  /** Data already loaded from `data` (CIFAR: loaded once, checked before any run). */
  readonly dataOverride?: Datasets.TrainTest
  /** Image augmentation of the training batches (`@vicinal/train`'s `augment`). */
  readonly augment?: RunConfig.RunConfig["augment"]
}

export const folderName = (m: Pick<Method, "method" | "setting" | "group">): string =>
  Setup.slug([m.group, m.method, m.setting].filter((s) => s !== undefined && s !== "").join(" "))

export const label = (m: Pick<Method, "method" | "setting" | "group">, seed: number): string =>
  `${[m.group, m.method, m.setting].filter((s) => s !== undefined && s !== "").join(", ")}, seed ${seed}`

/**
 * The learning-rate schedule of the reproduction runs unless a method sets one: cosine decay to 0
 * over the run, as the paper decays its rate (step decay over 200 epochs there). With a constant
 * rate the last epoch's test error at this scale is noisy and mixup slowly memorises corrupted
 * labels as epochs grow; decay keeps its "last ~ best" shape.
 */
export const reproductionSchedule: RunConfig.RunConfig["schedule"] = { _tag: "cosine" }

/**
 * Train every method for every seed; rows come back in order with their outcomes. Every run
 * saves its network (`<run>/model`) unless the method says not to, so that `vicinal eval` and
 * `vicinal attack` work on any run of a results folder.
 */
export const runMethods = <M extends Method>(
  methods: ReadonlyArray<M>,
  common: Setup.Common,
  context: Runner.Context,
  load: ReturnType<typeof Setup.dataCache>,
): Effect.Effect<ReadonlyArray<M & Tables.Row>, CliError> =>
  Effect.forEach(methods, (m) =>
    Effect.map(
      Effect.forEach(common.seeds, (seed) =>
        Effect.gen(function* () {
          const dataConfig = m.dataOf?.(seed) ?? m.data
          const data = m.dataOverride ?? (yield* load(dataConfig, seed))
          const config = Setup.runConfig({
            name: label(m, seed),
            seed,
            strategy: m.strategy,
            model: m.model,
            data: dataConfig,
            epochs: m.epochs ?? common.epochs,
            batchSize: m.batchSize ?? common.batchSize,
            lr: common.lr,
            backend: common.backend,
            ...(m.optimizer === undefined ? {} : { optimizer: m.optimizer }),
            schedule: m.schedule ?? reproductionSchedule,
            ...(m.trainError === undefined ? {} : { trainError: m.trainError }),
            ...(m.augment === undefined ? {} : { augment: m.augment }),
          })
          const after = m.after?.(data, seed)
          return yield* Runner.run(
            {
              name: label(m, seed),
              dir: Setup.runDir(common.out, folderName(m), seed),
              config,
              data,
              ...(after === undefined ? {} : { after }),
              saveModel: m.saveModel ?? true,
            },
            context,
          )
        }),
      ),
      (outcomes) => ({ ...m, outcomes }),
    ),
  )

export interface Written {
  readonly tables: string
  readonly summary: unknown
}

/** Write the experiment folder's files. */
export const writeFolder = (
  out: string,
  input: {
    readonly experiment: string
    readonly options: unknown
    readonly rows: ReadonlyArray<Tables.Row & { readonly method: string }>
    readonly tables: string
    readonly records: unknown
    readonly pictures: ReadonlyArray<Pictures.Written>
    readonly began: number
  },
): Effect.Effect<Written, CliError> =>
  Effect.gen(function* () {
    const runs = input.rows.flatMap((r) => r.outcomes.map((o) => ({ row: r, outcome: o })))
    const summary = {
      experiment: input.experiment,
      wallSeconds: (performance.now() - input.began) / 1000,
      results: input.records,
      runs: runs.map(({ outcome }) => ({
        name: outcome.name,
        seed: outcome.seed,
        epochs: outcome.epochs,
        parameters: outcome.parameters,
        bestTestError: outcome.bestTestError,
        lastTestError: outcome.lastTestError,
        seconds: outcome.seconds,
      })),
      pictures: input.pictures.map((p) => ({
        name: p.name,
        svg: p.svg,
        png: p.png,
        width: p.width,
        height: p.height,
        pngScale: p.pngScale,
      })),
    }
    yield* Files.writeJson(join(out, "config.json"), {
      experiment: input.experiment,
      options: input.options,
      runs: runs.map(({ outcome }) => ({ name: outcome.name, seed: outcome.seed })),
    })
    yield* Files.writeJson(
      join(out, "metrics.json"),
      runs.map(({ outcome }) => ({ run: outcome.name, seed: outcome.seed, history: outcome.history })),
    )
    yield* Files.writeText(
      join(out, "metrics.csv"),
      Metrics.csv(
        runs.map(({ outcome }) => ({
          keys: { run: outcome.name, seed: outcome.seed },
          history: outcome.history,
        })),
      ),
    )
    yield* Files.writeText(join(out, "tables.md"), `${input.tables}\n`)
    yield* Files.writeJson(join(out, "summary.json"), summary)
    return { tables: input.tables, summary }
  })

// ---------------------------------------------------------------------------------------------
// Experiments as values, and the runner

/** What the runner lends an experiment: progress and Ctrl-C, and data loaded once per (config, seed). */
export interface Tools {
  readonly context: Runner.Context
  readonly load: ReturnType<typeof Setup.dataCache>
}

/** An experiment's results as its tables and folder show them. */
export interface Report {
  /** Every row trained, in order (the folder's runs, `config.json`, the metrics). */
  readonly rows: ReadonlyArray<Tables.Row & { readonly method: string }>
  /** The tables' lines, as printed and written to `tables.md` (the claims follow them). */
  readonly tables: ReadonlyArray<string>
  /** `summary.json`'s results (the verdicts are added to them). */
  readonly records: unknown
}

/** What an experiment folder's writer gets from the runner. */
export interface Finished<Options, Results> extends Report {
  readonly experiment: string
  readonly options: Options
  readonly results: Results
  readonly pictures: ReadonlyArray<Pictures.Written>
  readonly began: number
}

/** How an experiment's folder is written; returns the text to print. */
export type Folder<Options, Results> = (
  finished: Finished<Options, Results>,
) => Effect.Effect<Written, CliError>

export interface Definition<
  Flags extends Command.Command.Config,
  Options extends { readonly out: string },
  Results,
> {
  /** The subcommand (`vicinal reproduce <name>`). */
  readonly name: string
  readonly description: string
  /** The settings a user can change, typed and checked when parsed. */
  readonly flags: Flags
  /** Settings to options: lists parsed, defaults applied, the results folder chosen. */
  readonly options: (flags: Command.Command.Config.Infer<Flags>) => Effect.Effect<Options, CliError>
  /** `--resume`, for the experiments that have it. */
  readonly resume?: (flags: Command.Command.Config.Infer<Flags>) => boolean
  /** The name in `config.json` and `summary.json` (default: `name`). */
  readonly experiment?: (options: Options) => string
  /** The runs, in order. */
  readonly runs: (options: Options, tools: Tools) => Effect.Effect<Results, CliError>
  readonly pictures: (
    results: Results,
    options: Options,
    tools: Tools,
  ) => Effect.Effect<ReadonlyArray<Pictures.Written>, CliError>
  /** The paper's claims, judged on the results. */
  readonly verdicts?: (results: Results, options: Options) => ReadonlyArray<Verdicts.Verdict>
  /** The tables and records; `began` is the experiment's start, for the wall time it reports. */
  readonly report: (results: Results, options: Options, began: number) => Report
  /** How the folder is written (default `runsFolder`). */
  readonly folder?: Folder<Options, Results>
}

/** The claims' section of the tables: the verdicts as a table, then one line each. */
const claimLines = (verdicts: ReadonlyArray<Verdicts.Verdict>): ReadonlyArray<string> =>
  verdicts.length === 0
    ? []
    : [
        "",
        "## The paper's claims at this scale",
        "",
        Verdicts.table(verdicts),
        "",
        ...verdicts.map(Verdicts.line),
      ]

const withVerdicts = (records: unknown, verdicts: ReadonlyArray<Verdicts.Verdict>): unknown =>
  verdicts.length === 0
    ? records
    : Array.isArray(records)
      ? { rows: records, verdicts }
      : { ...(records as object), verdicts }

/** Where an experiment's files went: the last lines of its output. */
const whereWritten = (out: string, pictures: ReadonlyArray<Pictures.Written>): string =>
  [
    `Results written to ${out}/: tables.md, summary.json, metrics.csv, config.json`,
    `  pictures: ${pictures.map((p) => `${p.name}.svg/.png`).join(", ")}`,
    `  runs: ${join(out, "runs")}/<run>-seed<n>/ (each with its network in model/: vicinal eval / vicinal attack <run folder>)`,
  ].join("\n")

/**
 * The folder of an experiment of trained runs (`writeFolder`); the printed tables end with where
 * the files are, unless `listed` is false.
 */
export const runsFolder =
  <Options extends { readonly out: string }, Results>(listed = true): Folder<Options, Results> =>
  (finished) =>
    Effect.map(
      writeFolder(finished.options.out, { ...finished, tables: finished.tables.join("\n") }),
      (written) =>
        listed
          ? {
              ...written,
              tables: `${written.tables}\n\n${whereWritten(finished.options.out, finished.pictures)}`,
            }
          : written,
    )

/** The runner: any experiment's runs, pictures, verdicts and folder, in that order. */
export const execute = <
  Flags extends Command.Command.Config,
  Options extends { readonly out: string },
  Results,
>(
  definition: Definition<Flags, Options, Results>,
  options: Options,
  context: Runner.Context,
): Effect.Effect<Written, CliError> =>
  Effect.gen(function* () {
    const began = performance.now()
    const tools: Tools = { context, load: Setup.dataCache() }
    const results = yield* definition.runs(options, tools)
    const pictures = yield* definition.pictures(results, options, tools)
    const verdicts = definition.verdicts?.(results, options) ?? []
    const report = definition.report(results, options, began)
    const folder = definition.folder ?? runsFolder<Options, Results>()
    return yield* folder({
      experiment: definition.experiment?.(options) ?? definition.name,
      options,
      results,
      pictures,
      began,
      rows: report.rows,
      tables: [...report.tables, ...claimLines(verdicts)],
      records: withVerdicts(report.records, verdicts),
    })
  })

/** What a command needs from `main`: progress context and where tables go. */
export interface Io {
  readonly context: Runner.Context
  readonly print: (text: string) => Effect.Effect<void>
}

/** An experiment of the table, as the subcommand that runs it. */
export interface Entry {
  readonly name: string
  readonly description: string
  readonly command: (io: Io) => Command.Command<string, never, Record<never, never>, CliError>
}

/** An experiment of the table: its definition, and its subcommand (flags -> options -> `execute` -> printed tables). */
export const define = <
  Flags extends Command.Command.Config,
  Options extends { readonly out: string },
  Results,
>(
  definition: Definition<Flags, Options, Results>,
): Definition<Flags, Options, Results> & Entry => ({
  ...definition,
  command: (io) =>
    Command.make(definition.name, definition.flags, (flags) =>
      Effect.gen(function* () {
        const options = yield* definition.options(flags)
        const context = { ...io.context, resume: definition.resume?.(flags) ?? false }
        const written = yield* execute(definition, options, context)
        yield* io.print(written.tables)
      }),
    ).pipe(Command.withDescription(definition.description)),
})
