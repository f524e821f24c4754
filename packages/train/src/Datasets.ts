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
  Csv,
  type DataError,
  Dataset,
  type DatasetType,
  Idx,
  Mnist,
  Split,
  Synthetic,
} from "@vicinal/data"
import { Effect } from "effect"
import { StepError } from "./Errors.ts"
import type { DataConfig } from "./RunConfig.ts"

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

/** A stratified split of `dataset`: `testSize` examples, else a fifth, held out. */
const splitOf = (dataset: DatasetType, testSize: number | undefined, seed: number) =>
  Split.stratified(dataset, testSize === undefined ? { seed, testFraction: 0.2 } : { seed, testSize })

const generators = {
  twoMoons: Synthetic.twoMoons,
  circles: Synthetic.circles,
  spirals: Synthetic.spirals,
  gaussianRing: Synthetic.gaussianRing,
  gaussianGrid: Synthetic.gaussianGrid,
}

const synthetic = (
  config: Extract<DataConfig, { readonly n: number }>,
  seeds: ReturnType<typeof dataSeeds>,
) =>
  Effect.flatMap(
    generators[config.dataset]({
      n: config.n,
      seed: seeds.points,
      ...(config.noise === undefined ? {} : { noise: config.noise }),
    }),
    (dataset) => splitOf(dataset, config.testSize, seeds.split),
  )

/** Full MNIST / Fashion-MNIST from IDX files: their own train/test split. */
const idx = (config: Extract<DataConfig, { readonly dataset: "mnistIdx" | "fashionMnist" }>) => {
  const load = (split: "train" | "test") =>
    (config.dataset === "mnistIdx" ? Idx.mnist : Idx.fashionMnist)(config.dir, {
      split,
      ...(config.gzip === undefined ? {} : { gzip: config.gzip }),
    })
  return Effect.all({
    train: Effect.flatMap(load("train"), (d) => firstExamples(d, config.trainSize)),
    test: Effect.flatMap(load("test"), (d) => firstExamples(d, config.testSize)),
  })
}

/** A CSV table, split stratified. */
const csv = (config: Extract<DataConfig, { readonly dataset: "csv" }>, seed: number) => {
  const { dataset: _dataset, file, testSize, labelNoise: _noise, splitSeed: _seed, ...options } = config
  return Effect.flatMap(Csv.load(file, options), (dataset) => splitOf(dataset, testSize, seed))
}

const mnist = (config: Extract<DataConfig, { readonly dataset: "mnist" }>, seed: number) =>
  Effect.flatMap(
    Mnist.split(config.testSize === undefined ? { seed } : { seed, testSize: config.testSize }),
    (split): Effect.Effect<TrainTest, DataError> =>
      Effect.map(firstExamples(split.train, config.trainSize), (train) => ({ train, test: split.test })),
  )

/** The first `n` examples of `dataset` (all of it when `n` is undefined or not smaller). */
const firstExamples = (dataset: DatasetType, n: number | undefined): Effect.Effect<DatasetType, DataError> =>
  n === undefined || n >= Dataset.size(dataset)
    ? Effect.succeed(dataset)
    : Dataset.subset(
        dataset,
        Int32Array.from({ length: n }, (_, i) => i),
        `${dataset.name}[:${n}]`,
      )

type CifarConfig = Extract<DataConfig, { readonly dataset: "cifar10" | "cifar100" }>
const isCifar = (config: DataConfig): config is CifarConfig =>
  config.dataset === "cifar10" || config.dataset === "cifar100"

/** CIFAR's own train/test split from the binary folder, through `@vicinal/data`'s loaders. */
const cifar = (config: CifarConfig) => {
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
  const split: Effect.Effect<TrainTest, DataError> =
    "n" in config
      ? synthetic(config, seeds)
      : config.dataset === "mnist"
        ? mnist(config, seeds.split)
        : config.dataset === "csv"
          ? csv(config, seeds.split)
          : isCifar(config)
            ? cifar(config)
            : idx(config)
  return split.pipe(
    Effect.flatMap((s) =>
      config.labelNoise === undefined || config.labelNoise === 0
        ? Effect.succeed(s)
        : Corruption.corruptTrain(s, { fraction: config.labelNoise, seed: seeds.corruption }),
    ),
    Effect.mapError(dataError),
  )
}
