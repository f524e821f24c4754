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
import { type Classifier, ModelConfigError, Models } from "@vicinal/models"
import { Effect, Option, Queue, Schema, SchemaTransformation, Stream } from "effect"
import * as Augmentation from "./Augmentation.ts"
import * as Backend from "./Backend.ts"
import * as Checkpoint from "./Checkpoint.ts"
import * as Datasets from "./Datasets.ts"
import { CheckpointError, ConfigError, describe, StepError, type TrainError } from "./Errors.ts"
import { evaluate } from "./Evaluate.ts"
import type { EpochMetrics, RunEvent } from "./Events.ts"
import * as Fit from "./Fit.ts"
import * as Optimizer from "./Optimizer.ts"
import { strategyProblem } from "./Plannable.ts"
import * as RunConfig from "./RunConfig.ts"
import * as Schedule from "./Schedule.ts"

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

const modelError = (error: unknown, field: (argument: string) => string) =>
  error instanceof ModelConfigError
    ? new ConfigError({ field: field(error.argument), message: `${field(error.argument)}: ${error.message}` })
    : error instanceof ConfigError
      ? error
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
const checkStages = (strategy: Strategy.Strategy, classifier: Classifier): ConfigError | undefined => {
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
    : new ConfigError({
        field: "strategy",
        message: `strategy: mixes at stage ${missing.join(", ")}, but ${classifier.name} has stages 0..${last} (${classifier.stageNames.join(", ")}); for your own model, name the layers to mix after with Models.wrap(model, { stages })`,
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
          new ConfigError({
            field: "model",
            message: "model: give config.model or TrainOptions.model, not both",
          }),
        )
  const model = config.model
  if (model === undefined)
    return Effect.fail(
      new ConfigError({
        field: "model",
        message: "model: missing (give config.model, or your own as TrainOptions.model)",
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

/** A sibling package failed at `stage`: its error, the message prefixed with `label`. */
const stepError =
  (stage: StepError["stage"], label: string) =>
  (cause: unknown): StepError =>
    new StepError({ stage, message: `${label}: ${describe(cause)}`, cause })

/** Synchronous, throwing `f` as an Effect that fails with the `StepError` of `stage`. */
const attempt = <A>(stage: StepError["stage"], label: string, f: () => A): Effect.Effect<A, StepError> =>
  Effect.try({ try: f, catch: stepError(stage, label) })

const NO_PROGRESS: Partial = { lossSum: 0, batches: 0 }

/** Report an event to the run's stream (waits while the consumer is behind). */
type Emit = (event: RunEvent) => Effect.Effect<unknown>

/** What a run fixes before its first batch. */
interface Setup {
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
  readonly lrAt: Schedule.LrSchedule
  /** The config as checkpoints store it. */
  readonly encoded: unknown
  readonly dropLast: boolean
  readonly batches: number
}

/** Where a run continues from: its start, or what its newest checkpoint recorded. */
interface Resumed {
  readonly strategyRng: Random.Rng
  readonly history: ReadonlyArray<EpochMetrics>
  readonly start: Checkpoint.Position
  /** The interrupted epoch's progress, when `start` is mid-epoch. */
  readonly partial: Partial
  readonly backendChanged?: { readonly from: string; readonly to: string }
}

const setUp = (config: RunConfig.RunConfig, options: TrainOptions, emit: Emit) =>
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
    if (unplannable !== undefined)
      return yield* new ConfigError({ field: "strategy", message: `strategy: ${unplannable.message}` })
    const optimizer = yield* Effect.acquireRelease(
      Effect.sync(() => Optimizer.fromConfig(config.optimizer)),
      (o) => Effect.sync(() => o.dispose()),
    )
    const pairings = yield* Effect.service(Pairing.CustomPairings)
    const trainSize = data.train.shape[0] ?? 0
    const dropLast = config.dropLast ?? true
    const batches = Batches.numBatches(trainSize, { batchSize: config.batchSize, dropLast })
    if (batches === 0)
      return yield* new ConfigError({
        field: "batchSize",
        message: `batchSize: ${config.batchSize} leaves no full batch of ${trainSize} training examples`,
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
      lrAt: Schedule.fromConfig(config.schedule, { lr: config.optimizer.lr, epochs: config.epochs }),
      encoded: RunConfig.encode(config),
      dropLast,
      batches,
    }
    return setup
  })

const fresh = (streams: Seeds): Resumed => ({
  strategyRng: streams.strategy,
  history: [],
  start: { epoch: 0, batch: 0 },
  partial: NO_PROGRESS,
})

/**
 * A fresh run would interleave its checkpoints with another run's (and pruning by position
 * could delete its own): refuse a `runDir` that holds checkpoints rather than guess.
 */
const refuseExisting = (runDir: string) =>
  Effect.flatMap(Checkpoint.latest(runDir), (existing) =>
    Option.isSome(existing)
      ? Effect.fail(
          new CheckpointError({
            path: runDir,
            problem: "exists",
            message: `${runDir} already holds checkpoints of a run (${existing.value}): resume it, or train into an empty folder`,
          }),
        )
      : Effect.void,
  )

/** A JSON number: `JSON.stringify` writes NaN and infinities as null, read back as NaN. */
const JsonNumber = Schema.NullOr(Schema.Number).pipe(
  Schema.decodeTo(
    Schema.Number,
    SchemaTransformation.transform({ decode: (v) => v ?? Number.NaN, encode: (v) => v }),
  ),
)

/** What a run keeps in a checkpoint besides weights and optimiser state (see `save`). */
const RunState = Schema.Struct({
  rng: Schema.Struct({ strategy: Schema.Array(Schema.Number) }),
  history: Schema.Array(
    Schema.Struct({
      epoch: Schema.Int,
      trainLoss: JsonNumber,
      learningRate: JsonNumber,
      testTop1Error: JsonNumber,
      testTop5Error: JsonNumber,
      bestTestError: JsonNumber,
      lastTestError: JsonNumber,
      trainError: Schema.optionalKey(JsonNumber),
      trainErrorTrue: Schema.optionalKey(JsonNumber),
      realTrainError: Schema.optionalKey(JsonNumber),
      corruptedTrainError: Schema.optionalKey(JsonNumber),
      seconds: JsonNumber,
    }),
  ),
  extra: Schema.NullOr(Schema.Struct({ lossSum: JsonNumber, batches: Schema.Int })),
})

/** Restore weights, optimiser state and the run's state from the checkpoint `file`. */
const resumeFrom = (setup: Setup, file: string) =>
  Effect.gen(function* () {
    const { classifier, optimizer, backend } = setup
    const saved = yield* Checkpoint.load(file).pipe(
      Effect.flatMap((c) =>
        Checkpoint.verify(c, {
          file,
          config: setup.encoded,
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
    const state = yield* Checkpoint.decodeState(RunState, saved, file)
    tf.tidy(() => classifier.model.setWeights(saved.weights.map((w) => tf.tensor(w.values, [...w.shape]))))
    const resumed: Resumed = {
      strategyRng: Random.fromState(state.rng.strategy),
      history: state.history,
      start: saved.position,
      partial: state.extra ?? NO_PROGRESS,
      ...(saved.backend !== undefined && saved.backend !== backend.name
        ? { backendChanged: { from: saved.backend, to: backend.name } }
        : {}),
    }
    return resumed
  })

/** Where the run starts: a fresh start, or (with `resume`) the newest checkpoint in `runDir`. */
const restore = (setup: Setup): Effect.Effect<Resumed, CheckpointError> => {
  const { runDir, resume } = setup.options
  if (runDir === undefined) return Effect.succeed(fresh(setup.streams))
  if (resume !== true) return Effect.as(refuseExisting(runDir), fresh(setup.streams))
  return Effect.flatMap(Checkpoint.latest(runDir), (latest) =>
    Option.isSome(latest) ? resumeFrom(setup, latest.value) : Effect.succeed(fresh(setup.streams)),
  )
}

/** Write a checkpoint at `position` (when the run has a `runDir`); returns its file. */
const save = (
  setup: Setup,
  run: { readonly strategyRng: Random.Rng; readonly history: ReadonlyArray<EpochMetrics> },
  position: Checkpoint.Position,
  progress: Partial,
): Effect.Effect<string | undefined, CheckpointError> => {
  const { options, classifier, optimizer } = setup
  return options.runDir === undefined
    ? Effect.succeed(undefined)
    : Checkpoint.save(
        options.runDir,
        {
          formatVersion: Checkpoint.FORMAT_VERSION,
          config: setup.encoded,
          position,
          rng: { strategy: run.strategyRng.state() },
          weights: hostWeights(classifier),
          optimizer: optimizer.exportState(),
          history: run.history,
          extra: progress,
          backend: setup.backend.name,
        },
        options.keepCheckpoints === undefined ? {} : { keep: options.keepCheckpoints },
      ).pipe(Effect.tap((path) => setup.emit({ _tag: "CheckpointWritten", path, position })))
}

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
const trainEpoch = (setup: Setup, strategyRng: Random.Rng, epoch: number, skip: number, partial: Partial) =>
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
  progress: Partial,
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
