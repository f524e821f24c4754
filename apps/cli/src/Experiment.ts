/**
 * What every experiment does around its runs: run each table row once per seed (sequentially,
 * each in its own folder, finished ones reused on `--resume`), then write the experiment's
 * folder: `config.json`, `metrics.json` + `metrics.csv` (every run's epochs), `tables.md`,
 * `summary.json` and the pictures.
 */
import { join } from "node:path"
import type { Strategy } from "@vicinal/core"
import type { Classifier } from "@vicinal/models"
import type { Datasets, RunConfig } from "@vicinal/train"
import { Effect } from "effect"
import type { CliError } from "./Errors.ts"
import * as Files from "./Files.ts"
import * as Metrics from "./Metrics.ts"
import type * as Pictures from "./Pictures.ts"
import * as Runner from "./Runner.ts"
import * as Setup from "./Setup.ts"
import type * as Tables from "./Tables.ts"

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
