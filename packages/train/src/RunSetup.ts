/**
 * What a training run fixes before its first batch (backend, data, network, optimiser, the
 * user's registries, schedule, batches per epoch), and the error mapping of its steps.
 */
import type * as tfl from "@tensorflow/tfjs-layers"
import { Pairing, Random, Strategy } from "@vicinal/core"
import { Batches } from "@vicinal/data"
import { type Classifier, Models } from "@vicinal/models"
import { Effect, type Scope } from "effect"
import * as Augmentation from "./Augmentation.ts"
import * as Backend from "./Backend.ts"
import * as Datasets from "./Datasets.ts"
import { type BackendError, describe, InvalidArgument, StepError } from "./Errors.ts"
import type { RunEvent } from "./Events.ts"
import * as Fit from "./Fit.ts"
import * as LearningRate from "./LearningRate.ts"
import * as Optimizer from "./Optimizer.ts"
import { strategyProblem } from "./Plannable.ts"
import type { TrainOptions } from "./Run.ts"
import * as RunConfig from "./RunConfig.ts"

/** Seeds of the independent random streams of a run, all derived from its one seed. */
export interface Seeds {
  readonly strategy: Random.Rng
  readonly model: number
  readonly data: number
  /** Base of the per-step dropout seeds (step seed = base + position in the run). */
  readonly dropout: number
}

export const MAX_SEED = 2 ** 31 - 1

export const seeds = (seed: number): Seeds => {
  const root = Random.make(seed)
  const strategy = root.split()
  const model = root.split().int(MAX_SEED)
  const data = root.split().int(MAX_SEED)
  // Split last, so that the streams above stay what they were before dropout was seeded.
  const dropout = root.split().int(MAX_SEED)
  return { strategy, model, data, dropout }
}

/** Training progress that a mid-epoch checkpoint must carry. */
export interface EpochProgress {
  readonly lossSum: number
  readonly batches: number
}

export const NO_PROGRESS: EpochProgress = { lossSum: 0, batches: 0 }

/** Report an event to the run's stream (waits while the consumer is behind). */
export type Emit = (event: RunEvent) => Effect.Effect<unknown>

/** A sibling package failed at `stage`: its error, the message prefixed with `label`. */
export const stepError =
  (stage: StepError["stage"], label: string) =>
  (cause: unknown): StepError =>
    new StepError({ stage, message: `${label}: ${describe(cause)}`, cause })

/** Synchronous, throwing `f` as an Effect that fails with the `StepError` of `stage`. */
export const attempt = <A>(
  stage: StepError["stage"],
  label: string,
  f: () => A,
): Effect.Effect<A, StepError> => Effect.try({ try: f, catch: stepError(stage, label) })

// A model's bad option is reported as the config field it came from (`model.depth`).
const modelError = (error: unknown, field: (argument: string) => string) =>
  error instanceof InvalidArgument
    ? new InvalidArgument({
        argument: field(error.argument),
        value: error.value,
        expected: error.expected,
        ...(error.fix === undefined ? {} : { fix: error.fix }),
        ...(error.source === undefined ? {} : { source: error.source }),
      })
    : new StepError({ stage: "model", message: describe(error), cause: error })

/** The user's network (`TrainOptions.model`) as a checked `Classifier`; the run does not dispose it. */
const userModel = (model: tfl.LayersModel | Classifier, data: Datasets.TrainTest) =>
  Effect.try({
    try: () => {
      const classifier = "forward" in model ? model : Models.wrap(model)
      Fit.checkModel(classifier.model, data.train.shape, data.train.numClasses)
      return classifier
    },
    catch: (error) => modelError(error, () => "model"),
  })

/** Manifold stages of `strategy` that `classifier` does not have (a typed error naming them). */
const checkStages = (strategy: Strategy.Strategy, classifier: Classifier): InvalidArgument | undefined => {
  const stages: Array<number> = []
  const visit = (s: Strategy.Strategy): void => {
    if (s._tag === "Manifold") stages.push(...s.stages)
    Strategy.children(s).forEach(visit)
  }
  visit(strategy)
  const last = classifier.stageNames.length - 1
  const missing = stages.filter((k) => k > last)
  return missing.length === 0
    ? undefined
    : new InvalidArgument({
        argument: "strategy",
        value: `mixes at stage ${missing.join(", ")}`,
        expected: `must mix at stages ${classifier.name} has, 0..${last} (${classifier.stageNames.join(", ")})`,
        fix: "for your own model, name the layers to mix after with Models.wrap(model, { stages })",
      })
}

const buildModel = (
  config: RunConfig.RunConfig,
  data: Datasets.TrainTest,
  seed: number,
  options: TrainOptions,
) => {
  if (options.model !== undefined)
    return config.model === undefined
      ? userModel(options.model, data)
      : Effect.fail(
          new InvalidArgument({
            argument: "model",
            value: "config.model and TrainOptions.model",
            expected: "must be given once: config.model or TrainOptions.model, not both",
          }),
        )
  const model = config.model
  if (model === undefined)
    return Effect.fail(
      new InvalidArgument({
        argument: "model",
        value: undefined,
        expected: "must be given: config.model, or your own as TrainOptions.model",
      }),
    )
  return Effect.acquireRelease(
    Effect.try({
      try: () =>
        Models.build({
          ...model,
          inputShape: data.train.shape.slice(1),
          numClasses: data.train.numClasses,
          seed,
        }),
      catch: (error) => modelError(error, (argument) => `model.${argument}`),
    }),
    (classifier) => Effect.sync(() => classifier.dispose()),
  )
}

/** What a run fixes before its first batch. */
export interface Setup {
  readonly config: RunConfig.RunConfig
  readonly options: TrainOptions
  readonly emit: Emit
  readonly backend: Backend.BackendReport
  readonly data: Datasets.TrainTest
  /** The test set as evaluated (deterministic parts of the augmentation, e.g. normalisation, applied). */
  readonly testSet: Datasets.TrainTest["test"]
  readonly augment: ReturnType<typeof Augmentation.training>
  readonly streams: Seeds
  readonly classifier: Classifier
  readonly optimizer: Optimizer.Optimizer
  /** The user's pairings and mixers that the strategy may name. */
  readonly registries: Pick<Strategy.PlanInput, "pairings" | "mixers">
  readonly lrAt: LearningRate.LrSchedule
  /** The config as checkpoints store it. */
  readonly encoded: unknown
  readonly dropLast: boolean
  readonly batches: number
}

export const setUp = (
  config: RunConfig.RunConfig,
  options: TrainOptions,
  emit: Emit,
): Effect.Effect<Setup, InvalidArgument | BackendError | StepError, Scope.Scope> =>
  Effect.gen(function* () {
    const backend = yield* Backend.select(config.backend)
    const data = options.data ?? (yield* Datasets.load(config.data, config.seed))
    const mismatch = Augmentation.check(config.augment, data.train.shape)
    if (mismatch !== undefined) return yield* mismatch
    const streams = seeds(config.seed)
    const classifier = yield* buildModel(config, data, streams.model, options)
    const unknownStage = checkStages(config.strategy, classifier)
    if (unknownStage !== undefined) return yield* unknownStage
    const mixers = { ...(yield* Effect.service(Strategy.CustomMixers)), ...options.mixers }
    const unplannable = strategyProblem(config.strategy, mixers)
    if (unplannable !== undefined) return yield* unplannable
    const optimizer = yield* Effect.acquireRelease(
      Effect.sync(() => Optimizer.fromConfig(config.optimizer)),
      (o) => Effect.sync(() => o.dispose()),
    )
    const pairings = yield* Effect.service(Pairing.CustomPairings)
    const trainSize = data.train.shape[0] ?? 0
    const dropLast = config.dropLast ?? true
    const batches = Batches.numBatches(trainSize, { batchSize: config.batchSize, dropLast })
    if (batches === 0)
      return yield* new InvalidArgument({
        argument: "batchSize",
        value: config.batchSize,
        expected: `must leave a full batch of the ${trainSize} training examples`,
      })
    const setup: Setup = {
      config,
      options,
      emit,
      backend,
      data,
      testSet: Augmentation.forEvaluation(config.augment, data.test),
      augment: Augmentation.training(config.augment),
      streams,
      classifier,
      optimizer,
      registries: { pairings, mixers },
      lrAt: LearningRate.fromConfig(config.schedule, { lr: config.optimizer.lr, epochs: config.epochs }),
      encoded: RunConfig.encode(config),
      dropLast,
      batches,
    }
    return setup
  })
