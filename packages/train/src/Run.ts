/**
 * A training run as an Effect program over the data streams, reported as a `Stream` of events.
 *
 * Per batch: plan the strategy's randomness with the run's strategy generator (core), upload the
 * host batch, mix at the input or at the planned hidden stage (manifold mixup, through
 * `Classifier.forward`'s `mixAt`/`mix`), take the soft-target cross-entropy (losses), step the
 * optimiser at the schedule's rate. Per epoch: evaluate, emit metrics, checkpoint atomically.
 *
 * Reproducibility: the run's seed is split into independent streams (strategy, model
 * initialisation, data order) so that none shifts another; each epoch's data order is a pure
 * function of (data seed, epoch); the checkpoint holds weights, optimiser state and the strategy
 * generator's state, so a resumed run (also after SIGKILL) ends with the same weights, bit for
 * bit, as an uninterrupted one on the same backend.
 *
 * Interruption: when `signal` aborts, the run stops at the next batch boundary, writes a
 * checkpoint of that position (mid-epoch positions resume by skipping the batches already done)
 * and ends the stream with `RunInterrupted`. A fresh (not resumed) run refuses a `runDir` that
 * already holds checkpoints; a resume on another backend than the checkpoint's says so in
 * `RunStarted.backendChanged`.
 */
import process from "node:process"
import * as tf from "@tensorflow/tfjs-core"
import type * as tfl from "@tensorflow/tfjs-layers"
import { Execute, type MixPlan, Pairing, Random, Strategy } from "@vicinal/core"
import { Batches, type HostBatch } from "@vicinal/data"
import { Losses } from "@vicinal/losses"
import { type Classifier, Models } from "@vicinal/models"
import { Effect, Option, Queue, Stream } from "effect"
import * as Augmentation from "./Augmentation.ts"
import * as Backend from "./Backend.ts"
import * as Checkpoint from "./Checkpoint.ts"
import * as Config from "./Config.ts"
import * as Datasets from "./Datasets.ts"
import { CheckpointError, describe, InvalidArgument, StepError, type TrainError } from "./Errors.ts"
import { evaluate } from "./Evaluate.ts"
import type { EpochMetrics, RunEvent } from "./Events.ts"
import * as Fit from "./Fit.ts"
import * as LearningRate from "./LearningRate.ts"
import * as Optimizer from "./Optimizer.ts"

export interface TrainOptions {
  /** Directory of the run's checkpoints (one written at every epoch end and on interruption). */
  readonly runDir?: string
  /** Continue from the newest checkpoint in `runDir` (a fresh start if there is none). */
  readonly resume?: boolean
  /** Stop at the next batch boundary, checkpoint, and end with `RunInterrupted` (see `abortOnSignals`). */
  readonly signal?: AbortSignal
  /** Train/test data to use instead of loading `config.data`. */
  readonly data?: Datasets.TrainTest
  /** Checkpoints kept in `runDir` (default 2). */
  readonly keepCheckpoints?: number
  /** Put the final weights into `RunFinished` (host copies). */
  readonly captureWeights?: boolean
  /** Evaluation chunk size (default 500). */
  readonly evaluationBatchSize?: number
  /** Runs after the last epoch, before the network is disposed (e.g. `Models.save`). */
  readonly afterTraining?: (classifier: Classifier) => Effect.Effect<void>
  /**
   * The user's own network, trained instead of building `config.model` (which must then be
   * absent): a `tf.LayersModel` ending in logits (input mixing), or `Models.wrap(model, { stages })`
   * for manifold mixing after named layers. The run trains its weights in place and does not
   * dispose it; its initial weights are the model's (seed its initialisers for reproducible runs).
   */
  readonly model?: tfl.LayersModel | Classifier
}

/** Seeds of the independent random streams of a run, all derived from its one seed. */
export interface Seeds {
  readonly strategy: Random.Rng
  readonly model: number
  readonly data: number
  /** Base of the per-step dropout seeds (step seed = base + position in the run). */
  readonly dropout: number
}

const MAX_SEED = 2 ** 31 - 1

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
interface Partial {
  readonly lossSum: number
  readonly batches: number
}

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
  config: Config.RunConfig,
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
        } as Parameters<typeof Models.build>[0]),
      catch: (error) => modelError(error, (argument) => `model.${argument}`),
    }),
    (classifier) => Effect.sync(() => classifier.dispose()),
  )
}

const hostWeights = (classifier: Classifier): Array<Checkpoint.Tensor> =>
  classifier.model.getWeights().map((w) => ({ shape: [...w.shape], values: Float32Array.from(w.dataSync()) }))

/**
 * One optimisation step on one host batch; returns the batch's mean loss. Synchronous tfjs;
 * leaves no tensors behind. Throws (tagged errors of the sibling packages) on bad input.
 * `dropoutSeed` draws the dropout masks of this step (required by networks with dropout).
 */
export const trainStep = (
  classifier: Classifier,
  optimizer: Optimizer.Optimizer,
  plan: MixPlan,
  host: HostBatch,
  lr: number,
  dropoutSeed?: number,
): number => {
  const batch = Batches.toBatch(host)
  try {
    return tf.tidy(() => {
      const mixes = plan.steps.length > 0
      const targets = mixes ? Execute.targets(plan, batch.y) : batch.y
      const seed = dropoutSeed === undefined ? {} : { seed: dropoutSeed }
      const forwardOptions = mixes
        ? { training: true, ...seed, mixAt: plan.stage ?? 0, mix: (h: tf.Tensor) => Execute.inputs(plan, h) }
        : { training: true, ...seed }
      const variables = classifier.trainableVariables()
      const { value, grads } = tf.variableGrads(
        () => Losses.softCrossEntropy(classifier.forward(batch.x, forwardOptions) as tf.Tensor2D, targets),
        [...variables],
      )
      optimizer.step(
        variables,
        variables.map((v) => grads[v.name]!),
        lr,
      )
      return value.dataSync()[0]!
    })
  } finally {
    batch.x.dispose()
    batch.y.dispose()
  }
}

const mean = (sum: number, count: number) => (count === 0 ? Number.NaN : sum / count)

/**
 * Train `config` (already decoded; see `Config.decode`), reporting progress as events.
 * The stream fails with a `TrainError`; every tensor of the run is freed when it ends.
 */
export const train = (
  config: Config.RunConfig,
  options: TrainOptions = {},
): Stream.Stream<RunEvent, TrainError> =>
  Stream.callback<RunEvent, TrainError>(
    (queue) =>
      Effect.scoped(program(config, options, (event) => Queue.offer(queue, event))).pipe(
        Effect.andThen(Queue.end(queue)),
        Effect.catch((error: TrainError) => Queue.fail(queue, error)),
      ),
    // Backpressure: training waits for a consumer that falls this many events behind.
    { bufferSize: EVENT_BUFFER, strategy: "suspend" },
  )

const EVENT_BUFFER = 4

const macrotask = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 0)))

const program = (
  config: Config.RunConfig,
  options: TrainOptions,
  emit: (event: RunEvent) => Effect.Effect<unknown>,
) =>
  Effect.gen(function* () {
    const backend = yield* Backend.select(config.backend)
    const data = options.data ?? (yield* Datasets.load(config.data, config.seed))
    const mismatch = Augmentation.check(config.augment, data.train.shape)
    if (mismatch !== undefined) return yield* mismatch
    const augment = Augmentation.training(config.augment)
    // Deterministic parts of the augmentation (normalisation) also apply to what is evaluated.
    const testSet = Augmentation.forEvaluation(config.augment, data.test)
    const streams = seeds(config.seed)
    const classifier = yield* buildModel(config, data, streams.model, options)
    const unknownStage = checkStages(config.strategy, classifier)
    if (unknownStage !== undefined) return yield* unknownStage
    const optimizer = yield* Effect.acquireRelease(
      Effect.sync(() => Optimizer.fromConfig(config.optimizer)),
      (o) => Effect.sync(() => o.dispose()),
    )
    const pairings = yield* Effect.service(Pairing.CustomPairings)
    const lrAt = LearningRate.fromConfig(config.schedule, { lr: config.optimizer.lr, epochs: config.epochs })
    const encoded = Config.encode(config)
    const trainSize = data.train.shape[0] ?? 0
    const dropLast = config.dropLast ?? true
    const batches = Batches.numBatches(trainSize, { batchSize: config.batchSize, dropLast })
    if (batches === 0)
      return yield* new InvalidArgument({
        argument: "batchSize",
        value: config.batchSize,
        expected: `must leave a full batch of the ${trainSize} training examples`,
      })
    const stopRequested = () => options.signal?.aborted === true

    let strategyRng = streams.strategy
    let history: Array<EpochMetrics> = []
    let start: Checkpoint.Position = { epoch: 0, batch: 0 }
    let partial: Partial = { lossSum: 0, batches: 0 }

    let backendChanged: { readonly from: string; readonly to: string } | undefined
    if (options.resume !== true && options.runDir !== undefined) {
      // A fresh run would interleave its checkpoints with another run's (and pruning by position
      // could delete its own): refuse rather than guess.
      const existing = yield* Checkpoint.latest(options.runDir)
      if (Option.isSome(existing))
        return yield* new CheckpointError({
          path: options.runDir,
          problem: "exists",
          message: `${options.runDir} already holds checkpoints of a run (${existing.value}): resume it, or train into an empty folder`,
        })
    }
    if (options.resume === true && options.runDir !== undefined) {
      const latest = yield* Checkpoint.latest(options.runDir)
      if (Option.isSome(latest)) {
        const file = latest.value
        const saved = yield* Checkpoint.load(file).pipe(
          Effect.flatMap((c) =>
            Checkpoint.verify(c, {
              file,
              config: encoded,
              weightShapes: classifier.model.getWeights().map((w) => w.shape),
            }),
          ),
        )
        const problem = optimizer.importState(saved.optimizer, classifier.trainableVariables())
        if (problem !== undefined)
          return yield* new CheckpointError({
            path: file,
            problem: "mismatch",
            message: `checkpoint ${file}: ${problem.message}`,
          })
        const strategyState = saved.rng.strategy
        if (strategyState === undefined)
          return yield* new CheckpointError({
            path: file,
            problem: "corrupt",
            message: `checkpoint ${file}: no strategy generator state`,
          })
        tf.tidy(() =>
          classifier.model.setWeights(saved.weights.map((w) => tf.tensor(w.values, [...w.shape]))),
        )
        if (saved.backend !== undefined && saved.backend !== backend.name)
          backendChanged = { from: saved.backend, to: backend.name }
        strategyRng = Random.fromState(strategyState)
        history = saved.history as Array<EpochMetrics>
        start = saved.position
        partial = (saved.extra as Partial | null) ?? partial
      }
    }

    const save = (position: Checkpoint.Position, progress: Partial) =>
      options.runDir === undefined
        ? Effect.succeed(undefined)
        : Checkpoint.save(
            options.runDir,
            {
              formatVersion: Checkpoint.FORMAT_VERSION,
              config: encoded,
              position,
              rng: { strategy: strategyRng.state() },
              weights: hostWeights(classifier),
              optimizer: optimizer.exportState(),
              history,
              extra: progress,
              backend: backend.name,
            },
            options.keepCheckpoints === undefined ? {} : { keep: options.keepCheckpoints },
          ).pipe(Effect.tap((path) => emit({ _tag: "CheckpointWritten", path, position })))

    yield* emit({
      _tag: "RunStarted",
      backend,
      config,
      parameters: Models.countTrainableParams(classifier),
      trainExamples: trainSize,
      testExamples: data.test.shape[0] ?? 0,
      ...(start.epoch === 0 && start.batch === 0 ? {} : { resumedFrom: start }),
      ...(backendChanged === undefined ? {} : { backendChanged }),
    })

    for (let epoch = start.epoch; epoch < config.epochs; epoch++) {
      const began = performance.now()
      const skip = epoch === start.epoch ? start.batch : 0
      let progress: Partial = skip > 0 ? partial : { lossSum: 0, batches: 0 }
      let step = skip
      yield* emit({ _tag: "EpochStarted", epoch, epochs: config.epochs, batches })

      const stepOn = (host: HostBatch) =>
        Effect.gen(function* () {
          const t0 = performance.now()
          const context = { epoch, step }
          const lr = lrAt({ epoch, step, stepsPerEpoch: batches })
          const plan = yield* Effect.try({
            try: () =>
              Strategy.plan(
                config.strategy,
                { n: host.labels.length, shape: host.shape, labels: host.labels, features: host.x, pairings },
                context,
                strategyRng,
              ),
            catch: (e) => new StepError({ stage: "strategy", message: `strategy: ${describe(e)}`, cause: e }),
          })
          const loss = yield* Effect.try({
            // From the run's position, so that a resumed run draws the same masks with no extra state.
            try: () =>
              trainStep(
                classifier,
                optimizer,
                plan,
                host,
                lr,
                (streams.dropout + epoch * batches + step) % MAX_SEED,
              ),
            catch: (e) =>
              new StepError({ stage: "model", message: `training step: ${describe(e)}`, cause: e }),
          })
          progress = { lossSum: progress.lossSum + loss, batches: progress.batches + 1 }
          step += 1
          const seconds = Math.max(1e-9, (performance.now() - t0) / 1000)
          yield* emit({
            _tag: "BatchEnded",
            epoch,
            batch: step - 1,
            batches,
            loss,
            learningRate: lr,
            examplesPerSecond: host.labels.length / seconds,
          })
        })

      yield* Batches.stream(data.train, {
        batchSize: config.batchSize,
        shuffle: true,
        seed: streams.data,
        epoch,
        dropLast,
        ...(augment === undefined ? {} : { augment }),
      }).pipe(
        Stream.mapError((e) => new StepError({ stage: "data", message: `data: ${e.message}`, cause: e })),
        Stream.drop(skip),
        // A macrotask turn per batch lets signal handlers run (Deno delivers them only then).
        Stream.tap(() => (options.signal === undefined ? Effect.void : macrotask)),
        Stream.takeWhile(() => !stopRequested()),
        Stream.runForEach(stepOn),
      )

      if (step < batches) {
        // Interrupted mid-epoch: checkpoint the position reached.
        const file = yield* save({ epoch, batch: step }, progress)
        yield* emit({
          _tag: "RunInterrupted",
          position: { epoch, batch: step },
          ...(file === undefined ? {} : { checkpoint: file }),
        })
        return
      }

      const test = yield* Effect.try({
        try: () => evaluate(classifier, testSet, evaluationOptions(options)),
        catch: (e) => new StepError({ stage: "evaluate", message: `evaluate: ${describe(e)}`, cause: e }),
      })
      const onTrain = Config.measuresTrainError(config)
        ? yield* Effect.try({
            try: () =>
              evaluate(
                classifier,
                Augmentation.forEvaluation(config.augment, data.train),
                evaluationOptions(options),
              ),
            catch: (e) => new StepError({ stage: "evaluate", message: `evaluate: ${describe(e)}`, cause: e }),
          })
        : undefined
      const best = Math.min(test.top1Error, ...history.map((m) => m.bestTestError))
      const metrics: EpochMetrics = {
        epoch,
        trainLoss: mean(progress.lossSum, progress.batches),
        learningRate: lrAt({ epoch, step: batches - 1, stepsPerEpoch: batches }),
        testTop1Error: test.top1Error,
        testTop5Error: test.top5Error,
        bestTestError: best,
        lastTestError: test.top1Error,
        ...(onTrain === undefined
          ? {}
          : {
              trainError: onTrain.top1Error,
              trainErrorTrue: onTrain.top1ErrorTrue,
              realTrainError: onTrain.realError,
              corruptedTrainError: onTrain.corruptedError,
            }),
        seconds: (performance.now() - began) / 1000,
      }
      history = [...history, metrics]
      yield* emit({ _tag: "EpochEnded", metrics })
      const file = yield* save({ epoch: epoch + 1, batch: 0 }, { lossSum: 0, batches: 0 })
      if (stopRequested() && epoch + 1 < config.epochs) {
        yield* emit({
          _tag: "RunInterrupted",
          position: { epoch: epoch + 1, batch: 0 },
          ...(file === undefined ? {} : { checkpoint: file }),
        })
        return
      }
    }

    if (options.afterTraining !== undefined) yield* options.afterTraining(classifier)
    const last = history.at(-1)
    yield* emit({
      _tag: "RunFinished",
      history,
      bestTestError: last?.bestTestError ?? Number.NaN,
      lastTestError: last?.lastTestError ?? Number.NaN,
      ...(options.captureWeights === true ? { weights: hostWeights(classifier) } : {}),
    })
  })

const evaluationOptions = (options: TrainOptions) =>
  options.evaluationBatchSize === undefined ? {} : { batchSize: options.evaluationBatchSize }

/** Decode a JSON config and train it: the single entry point for a CLI. */
export const trainJson = (input: unknown, options: TrainOptions = {}): Stream.Stream<RunEvent, TrainError> =>
  Stream.unwrap(Effect.map(Config.decode(input), (config) => train(config, options)))

/** The run's events collected, e.g. for tests and scripts. */
export const collect = (
  config: Config.RunConfig,
  options: TrainOptions = {},
): Effect.Effect<Array<RunEvent>, TrainError> => Stream.runCollect(train(config, options))

/**
 * An AbortSignal that aborts on the first of `signals` (default SIGINT and SIGTERM), for
 * `TrainOptions.signal`; `dispose` removes the handlers.
 */
export const abortOnSignals = (
  signals: ReadonlyArray<"SIGINT" | "SIGTERM"> = ["SIGINT", "SIGTERM"],
): { readonly signal: AbortSignal; readonly dispose: () => void } => {
  const controller = new AbortController()
  const handler = () => controller.abort()
  for (const s of signals) process.on(s, handler)
  const dispose = () => {
    for (const s of signals) process.off(s, handler)
  }
  return { signal: controller.signal, dispose }
}
