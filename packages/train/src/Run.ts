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
 *
 * One concern per module: `RunSetup` (what a run fixes before its first batch, and the errors of
 * its steps), `Resume` (where it starts, what its checkpoints hold); here the batches, the epoch
 * loop and the metrics.
 */
import process from "node:process"
import * as tf from "@tensorflow/tfjs-core"
import type * as tfl from "@tensorflow/tfjs-layers"
import { Execute, type MixPlan, type Random, Strategy } from "@vicinal/core"
import { Batches, type HostBatch } from "@vicinal/data"
import { Losses } from "@vicinal/losses"
import { type Classifier, Models } from "@vicinal/models"
import { Effect, Queue, Stream } from "effect"
import * as Augmentation from "./Augmentation.ts"
import type * as Checkpoint from "./Checkpoint.ts"
import type * as Datasets from "./Datasets.ts"
import type { TrainError } from "./Errors.ts"
import { evaluate } from "./Evaluate.ts"
import type { EpochMetrics, RunEvent } from "./Events.ts"
import type * as Optimizer from "./Optimizer.ts"
import { hostWeights, type Resumed, restore, save } from "./Resume.ts"
import * as RunConfig from "./RunConfig.ts"
import {
  attempt,
  type Emit,
  type EpochProgress,
  MAX_SEED,
  NO_PROGRESS,
  type Setup,
  setUp,
  stepError,
} from "./RunSetup.ts"

export { type Seeds, seeds } from "./RunSetup.ts"

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
  /**
   * User-defined mixers (`Strategy.defineMixer(...).mixers`) that `config.strategy` may name as
   * `Strategy.custom` strategies; added to those of the `Strategy.CustomMixers` reference.
   */
  readonly mixers?: Strategy.Mixers
}

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
 * Train `config` (already decoded; see `RunConfig.decode`), reporting progress as events.
 * The stream fails with a `TrainError`; every tensor of the run is freed when it ends.
 */
export const train = (
  config: RunConfig.RunConfig,
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

/** One batch: plan the strategy, take the optimisation step, report it; returns the batch's loss. */
const trainBatch = (setup: Setup, strategyRng: Random.Rng, host: HostBatch, context: Strategy.StepContext) =>
  Effect.gen(function* () {
    const { config, batches } = setup
    const { epoch, step } = context
    const t0 = performance.now()
    const lr = setup.lrAt({ epoch, step, stepsPerEpoch: batches })
    const plan = yield* attempt("strategy", "strategy", () =>
      Strategy.plan(
        config.strategy,
        {
          n: host.labels.length,
          shape: host.shape,
          labels: host.labels,
          features: host.x,
          ...setup.registries,
        },
        context,
        strategyRng,
      ),
    )
    const loss = yield* attempt("model", "training step", () =>
      trainStep(
        setup.classifier,
        setup.optimizer,
        plan,
        host,
        lr,
        // From the run's position, so that a resumed run draws the same masks with no extra state.
        (setup.streams.dropout + epoch * batches + step) % MAX_SEED,
      ),
    )
    const seconds = Math.max(1e-9, (performance.now() - t0) / 1000)
    yield* setup.emit({
      _tag: "BatchEnded",
      epoch,
      batch: step,
      batches,
      loss,
      learningRate: lr,
      examplesPerSecond: host.labels.length / seconds,
    })
    return loss
  })

/**
 * The batches of `epoch` from batch `skip` (a resumed epoch), until the epoch ends or a stop is
 * requested; returns the batches reached and the epoch's progress.
 */
const trainEpoch = (
  setup: Setup,
  strategyRng: Random.Rng,
  epoch: number,
  skip: number,
  partial: EpochProgress,
) =>
  Effect.gen(function* () {
    const { config, options } = setup
    let progress = partial
    let step = skip
    yield* Batches.stream(setup.data.train, {
      batchSize: config.batchSize,
      shuffle: true,
      seed: setup.streams.data,
      epoch,
      dropLast: setup.dropLast,
      ...(setup.augment === undefined ? {} : { augment: setup.augment }),
    }).pipe(
      Stream.mapError(stepError("data", "data")),
      Stream.drop(skip),
      // A macrotask turn per batch lets signal handlers run (Deno delivers them only then).
      Stream.tap(() => (options.signal === undefined ? Effect.void : macrotask)),
      Stream.takeWhile(() => !stopRequested(options)),
      Stream.runForEach((host) =>
        Effect.map(trainBatch(setup, strategyRng, host, { epoch, step }), (loss) => {
          progress = { lossSum: progress.lossSum + loss, batches: progress.batches + 1 }
          step += 1
        }),
      ),
    )
    return { step, progress }
  })

const stopRequested = (options: TrainOptions) => options.signal?.aborted === true

/** Evaluate the epoch's network and assemble its metrics (the best error over `history` too). */
const epochMetrics = (
  setup: Setup,
  history: ReadonlyArray<EpochMetrics>,
  epoch: number,
  progress: EpochProgress,
  began: number,
) =>
  Effect.gen(function* () {
    const { config, classifier, options, batches } = setup
    const evaluateOn = (set: Datasets.TrainTest["test"]) =>
      attempt("evaluate", "evaluate", () => evaluate(classifier, set, evaluationOptions(options)))
    const test = yield* evaluateOn(setup.testSet)
    const onTrain = RunConfig.measuresTrainError(config)
      ? yield* evaluateOn(Augmentation.forEvaluation(config.augment, setup.data.train))
      : undefined
    const metrics: EpochMetrics = {
      epoch,
      trainLoss: mean(progress.lossSum, progress.batches),
      learningRate: setup.lrAt({ epoch, step: batches - 1, stepsPerEpoch: batches }),
      testTop1Error: test.top1Error,
      testTop5Error: test.top5Error,
      bestTestError: Math.min(test.top1Error, ...history.map((m) => m.bestTestError)),
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
    return metrics
  })

const interrupted = (setup: Setup, position: Checkpoint.Position, file: string | undefined) =>
  setup.emit({ _tag: "RunInterrupted", position, ...(file === undefined ? {} : { checkpoint: file }) })

/**
 * The epochs from where the run starts: train, evaluate, report, checkpoint; on a stop request,
 * checkpoint the position reached and report the interruption. Returns the history, or
 * undefined when interrupted.
 */
const epochs = (setup: Setup, resumed: Resumed) =>
  Effect.gen(function* () {
    const { config, options, batches } = setup
    const { strategyRng, start } = resumed
    let history = resumed.history
    for (let epoch = start.epoch; epoch < config.epochs; epoch++) {
      const began = performance.now()
      const skip = epoch === start.epoch ? start.batch : 0
      yield* setup.emit({ _tag: "EpochStarted", epoch, epochs: config.epochs, batches })
      const reached = yield* trainEpoch(
        setup,
        strategyRng,
        epoch,
        skip,
        skip > 0 ? resumed.partial : NO_PROGRESS,
      )
      if (reached.step < batches) {
        // Interrupted mid-epoch: checkpoint the position reached.
        const position = { epoch, batch: reached.step }
        yield* interrupted(
          setup,
          position,
          yield* save(setup, { strategyRng, history }, position, reached.progress),
        )
        return undefined
      }
      const metrics = yield* epochMetrics(setup, history, epoch, reached.progress, began)
      history = [...history, metrics]
      yield* setup.emit({ _tag: "EpochEnded", metrics })
      const next = { epoch: epoch + 1, batch: 0 }
      const file = yield* save(setup, { strategyRng, history }, next, NO_PROGRESS)
      if (stopRequested(options) && epoch + 1 < config.epochs) {
        yield* interrupted(setup, next, file)
        return undefined
      }
    }
    return history
  })

const program = (config: RunConfig.RunConfig, options: TrainOptions, emit: Emit) =>
  Effect.gen(function* () {
    const setup = yield* setUp(config, options, emit)
    const resumed = yield* restore(setup)
    const { start, backendChanged } = resumed
    yield* emit({
      _tag: "RunStarted",
      backend: setup.backend,
      config,
      parameters: Models.countTrainableParams(setup.classifier),
      trainExamples: setup.data.train.shape[0] ?? 0,
      testExamples: setup.data.test.shape[0] ?? 0,
      ...(start.epoch === 0 && start.batch === 0 ? {} : { resumedFrom: start }),
      ...(backendChanged === undefined ? {} : { backendChanged }),
    })
    const history = yield* epochs(setup, resumed)
    if (history === undefined) return
    if (options.afterTraining !== undefined) yield* options.afterTraining(setup.classifier)
    const last = history.at(-1)
    yield* emit({
      _tag: "RunFinished",
      history: [...history],
      bestTestError: last?.bestTestError ?? Number.NaN,
      lastTestError: last?.lastTestError ?? Number.NaN,
      ...(options.captureWeights === true ? { weights: hostWeights(setup.classifier) } : {}),
    })
  })

const evaluationOptions = (options: TrainOptions) =>
  options.evaluationBatchSize === undefined ? {} : { batchSize: options.evaluationBatchSize }

/** Decode a JSON config and train it: the single entry point for a CLI. */
export const trainJson = (input: unknown, options: TrainOptions = {}): Stream.Stream<RunEvent, TrainError> =>
  Stream.unwrap(Effect.map(RunConfig.decode(input), (config) => train(config, options)))

/** The run's events collected, e.g. for tests and scripts. */
export const collect = (
  config: RunConfig.RunConfig,
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
