/**
 * A run's checkpoints from its side: where a run starts (fresh, or restored from the newest
 * checkpoint in `runDir`, its own state decoded by a Schema) and what it writes at a position.
 */
import * as tf from "@tensorflow/tfjs-core"
import { Random } from "@vicinal/core"
import type { Classifier } from "@vicinal/models"
import { Effect, Option, Schema, SchemaTransformation } from "effect"
import * as Checkpoint from "./Checkpoint.ts"
import { CheckpointError } from "./Errors.ts"
import type { EpochMetrics } from "./Events.ts"
import { type EpochProgress, NO_PROGRESS, type Seeds, type Setup } from "./RunSetup.ts"

/** Where a run continues from: its start, or what its newest checkpoint recorded. */
export interface Resumed {
  readonly strategyRng: Random.Rng
  readonly history: ReadonlyArray<EpochMetrics>
  readonly start: Checkpoint.Position
  /** The interrupted epoch's progress, when `start` is mid-epoch. */
  readonly partial: EpochProgress
  readonly backendChanged?: { readonly from: string; readonly to: string }
}

export const hostWeights = (classifier: Classifier): Array<Checkpoint.Tensor> =>
  classifier.model.getWeights().map((w) => ({ shape: [...w.shape], values: Float32Array.from(w.dataSync()) }))

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
export const restore = (setup: Setup): Effect.Effect<Resumed, CheckpointError> => {
  const { runDir, resume } = setup.options
  if (runDir === undefined) return Effect.succeed(fresh(setup.streams))
  if (resume !== true) return Effect.as(refuseExisting(runDir), fresh(setup.streams))
  return Effect.flatMap(Checkpoint.latest(runDir), (latest) =>
    Option.isSome(latest) ? resumeFrom(setup, latest.value) : Effect.succeed(fresh(setup.streams)),
  )
}

/** Write a checkpoint at `position` (when the run has a `runDir`); returns its file. */
export const save = (
  setup: Setup,
  run: { readonly strategyRng: Random.Rng; readonly history: ReadonlyArray<EpochMetrics> },
  position: Checkpoint.Position,
  progress: EpochProgress,
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
