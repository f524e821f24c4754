/**
 * The pieces every experiment is built from: the options a user can override, run configs
 * for `@vicinal/train`, and data loaded once per (data config, seed).
 */
import { join } from "node:path"
import type { Strategy } from "@vicinal/core"
import type { Backend, Datasets, RunConfig } from "@vicinal/train"
import { Datasets as TrainDatasets } from "@vicinal/train"
import { Effect } from "effect"
import { type CliError, StepFailed } from "./Errors.ts"

/** Options shared by the reproduce commands (each has its own defaults). */
export interface Common {
  readonly out: string
  /** Seeds of the repeated runs (`--seeds 3` from `--seed 0`: 0, 1, 2). */
  readonly seeds: ReadonlyArray<number>
  readonly epochs: number
  readonly backend: Backend.BackendChoice
  /** Keep this many training examples (MNIST: of 8,000). */
  readonly trainSize: number | undefined
  /** Hold out this many MNIST test examples (default 2,000). */
  readonly testSize: number | undefined
  readonly batchSize: number
  readonly lr: number
}

export const seedList = (first: number, count: number): ReadonlyArray<number> =>
  Array.from({ length: count }, (_, i) => first + i)

/** The run folder of one method and seed inside an experiment folder. */
export const runDir = (out: string, slug: string, seed: number): string =>
  join(out, "runs", `${slug}-seed${seed}`)

/** A file-name-safe slug: "mixup + dropout" -> "mixup-dropout". */
export const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, "-")
    .replace(/^-|-$/g, "")

export interface RunInput {
  readonly name: string
  readonly seed: number
  readonly strategy: Strategy.Strategy
  readonly model: RunConfig.ModelConfig
  readonly data: RunConfig.DataConfig
  readonly epochs: number
  readonly batchSize: number
  readonly lr: number
  readonly backend: Backend.BackendChoice
  readonly optimizer?: RunConfig.RunConfig["optimizer"]
  readonly schedule?: RunConfig.RunConfig["schedule"]
  readonly augment?: RunConfig.RunConfig["augment"]
  /** Measure the training error every epoch (default: yes, except for the downloaded sets). */
  readonly trainError?: boolean
}

/**
 * A run config: SGD with momentum 0.9 and weight decay 1e-4 as in the paper, constant rate unless
 * given; the training error is measured every epoch.
 */
export const runConfig = (input: RunInput): RunConfig.RunConfig => ({
  name: input.name,
  seed: input.seed,
  epochs: input.epochs,
  batchSize: input.batchSize,
  backend: input.backend,
  strategy: input.strategy,
  model: input.model,
  data: input.data,
  optimizer: input.optimizer ?? { _tag: "sgd", lr: input.lr, momentum: 0.9, weightDecay: 1e-4 },
  schedule: input.schedule ?? { _tag: "constant" },
  ...(input.augment === undefined ? {} : { augment: input.augment }),
  // Training error every epoch, for the training-error curves (skipped for the downloaded sets,
  // CIFAR's 50,000 or IDX's 60,000 images, unless labels are corrupted: an extra pass per epoch).
  ...(input.trainError !== undefined
    ? { trainError: input.trainError }
    : "dir" in input.data
      ? {}
      : { trainError: true }),
})

/** MNIST (bundled 10,000 digits: 8,000 train / 2,000 test), optionally fewer training examples and noisy labels. */
export const mnist = (
  sizes: { readonly trainSize: number | undefined; readonly testSize: number | undefined },
  labelNoise = 0,
): RunConfig.DataConfig => ({
  dataset: "mnist",
  ...(sizes.trainSize === undefined ? {} : { trainSize: sizes.trainSize }),
  ...(sizes.testSize === undefined ? {} : { testSize: sizes.testSize }),
  ...(labelNoise > 0 ? { labelNoise } : {}),
})

/** Loads each (data config, seed) once per process: runs of one seed share their data. */
export const dataCache = () => {
  const cache = new Map<string, Datasets.TrainTest>()
  return (data: RunConfig.DataConfig, seed: number): Effect.Effect<Datasets.TrainTest, CliError> => {
    const key = JSON.stringify([data, seed])
    const hit = cache.get(key)
    return hit !== undefined
      ? Effect.succeed(hit)
      : TrainDatasets.load(data, seed).pipe(
          Effect.tap((loaded) => Effect.sync(() => cache.set(key, loaded))),
          Effect.mapError((e) => new StepFailed({ step: "data", message: e.message })),
        )
  }
}
