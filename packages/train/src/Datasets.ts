/**
 * The train/test data a config names, loaded through `@vicinal/data`: the generated points (toy
 * sets), the split and the label corruption are seeded by independent streams split from
 * `splitSeed` (default the run's seed), so that none of them is correlated with another and a
 * resumed run rebuilds exactly the same data.
 */

import { Random } from "@vicinal/core"
import {
  Cifar,
  Corruption,
  type DataError,
  Dataset,
  type DatasetType,
  Mnist,
  Split,
  Synthetic,
} from "@vicinal/data"
import { Effect } from "effect"
import type { DataConfig } from "./Config.ts"
import { StepError } from "./Errors.ts"

export type TrainTest = Split.TrainTest

const dataError = (cause: { readonly message: string }) =>
  new StepError({ stage: "data", message: `data: ${cause.message}`, cause })

/** Seeds of the independent data streams, all derived from one seed. */
export const dataSeeds = (
  seed: number,
): { readonly points: number; readonly split: number; readonly corruption: number } => {
  const root = Random.make(seed)
  const next = () => root.split().int(2 ** 31 - 1)
  return { points: next(), split: next(), corruption: next() }
}

const synthetic = (
  config: Extract<DataConfig, { readonly n: number }>,
  seeds: ReturnType<typeof dataSeeds>,
) => {
  const seed = seeds.split
  const options = {
    n: config.n,
    seed: seeds.points,
    ...(config.noise === undefined ? {} : { noise: config.noise }),
  }
  const all =
    config.dataset === "twoMoons"
      ? Synthetic.twoMoons(options)
      : config.dataset === "circles"
        ? Synthetic.circles(options)
        : Synthetic.spirals(options)
  return Effect.flatMap(all, (dataset) =>
    Split.stratified(
      dataset,
      config.testSize === undefined ? { seed, testFraction: 0.2 } : { seed, testSize: config.testSize },
    ),
  )
}

const mnist = (config: Extract<DataConfig, { readonly dataset: "mnist" }>, seed: number) =>
  Effect.flatMap(
    Mnist.split(config.testSize === undefined ? { seed } : { seed, testSize: config.testSize }),
    (split): Effect.Effect<TrainTest, DataError.DataError> =>
      Effect.map(firstExamples(split.train, config.trainSize), (train) => ({ train, test: split.test })),
  )

/** The first `n` examples of `dataset` (all of it when `n` is undefined or not smaller). */
const firstExamples = (
  dataset: DatasetType,
  n: number | undefined,
): Effect.Effect<DatasetType, DataError.DataError> =>
  n === undefined || n >= Dataset.size(dataset)
    ? Effect.succeed(dataset)
    : Dataset.subset(
        dataset,
        Int32Array.from({ length: n }, (_, i) => i),
        `${dataset.name}[:${n}]`,
      )

/** CIFAR's own train/test split from the binary folder, through `@vicinal/data`'s loaders. */
const cifar = (config: Extract<DataConfig, { readonly dir: string }>) => {
  const load = (split: "train" | "test") =>
    config.dataset === "cifar10" ? Cifar.cifar10(config.dir, split) : Cifar.cifar100(config.dir, split)
  return Effect.all({
    train: Effect.flatMap(load("train"), (d) => firstExamples(d, config.trainSize)),
    test: Effect.flatMap(load("test"), (d) => firstExamples(d, config.testSize)),
  })
}

/** Load the data of a run (`seed`: the run's seed, used when the config gives no `splitSeed`). */
export const load = (config: DataConfig, seed: number): Effect.Effect<TrainTest, StepError> => {
  const seeds = dataSeeds(config.splitSeed ?? seed)
  const split: Effect.Effect<TrainTest, DataError.DataError> =
    config.dataset === "mnist"
      ? mnist(config, seeds.split)
      : "dir" in config
        ? cifar(config)
        : synthetic(config, seeds)
  return split.pipe(
    Effect.flatMap((s) =>
      config.labelNoise === undefined || config.labelNoise === 0
        ? Effect.succeed(s)
        : Corruption.corruptTrain(s, { fraction: config.labelNoise, seed: seeds.corruption }),
    ),
    Effect.mapError(dataError),
  )
}
