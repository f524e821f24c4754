/**
 * One training run of a command, from config to results folder: trains through
 * `@vicinal/train` (checkpoints under `<dir>/checkpoints`, resumable), draws progress, measures
 * whatever `after` measures on the trained network (attacks, decision boundary) and writes
 * `config.json`, `metrics.json`, `metrics.csv` and `summary.json` into `dir`.
 *
 * A folder with a `summary.json` is a finished run: with `resume` it is read back instead of
 * trained again, so an interrupted sweep continues where it stopped.
 */
import { join } from "node:path"
import { type Classifier, Models } from "@vicinal/models"
import type { Datasets, EpochMetrics, RunEvent, TrainError } from "@vicinal/train"
import { Events, Run, RunConfig } from "@vicinal/train"
import { Effect, Exit, Stream } from "effect"
import { type CliError, FileError, StepFailed, Stopped, stepFailed, UsageError } from "./Errors.ts"
import * as Files from "./Files.ts"
import * as Metrics from "./Metrics.ts"
import * as Progress from "./Progress.ts"

/** What every run of one command shares. */
export interface Context {
  /** Continue interrupted runs and reuse finished ones. */
  readonly resume: boolean
  /** Aborts on Ctrl-C: the run checkpoints at the next batch boundary and stops. */
  readonly signal: AbortSignal
  /** Where progress goes (stderr). */
  readonly write: (text: string) => void
  readonly tty: boolean
  /** Non-TTY: a batch line every this many batches. */
  readonly every: number
}

export interface Spec {
  /** Shown in progress lines and tables, e.g. "mixup, 50% noise, seed 1". */
  readonly name: string
  readonly dir: string
  readonly config: RunConfig.RunConfig
  readonly data: Datasets.TrainTest
  /** Measurements on the trained network (JSON data), kept in `summary.json` as `extra`. */
  readonly after?: (classifier: Classifier) => Effect.Effect<unknown, CliError>
  /** Also save the network (`<dir>/model`) for `vicinal eval` / `vicinal attack`. */
  readonly saveModel?: boolean
}

/** A finished run, as `summary.json` holds it. */
export interface Outcome {
  readonly name: string
  readonly seed: number
  readonly epochs: number
  readonly history: ReadonlyArray<EpochMetrics>
  readonly bestTestError: number
  readonly lastTestError: number
  readonly final?: EpochMetrics
  readonly extra?: unknown
  readonly parameters: number
  readonly seconds: number
}

export const summaryFile = (dir: string) => join(dir, "summary.json")

/** What to do about a checkpoint `--resume` cannot use, by problem. */
const checkpointAdvice = (error: Extract<TrainError, { _tag: "CheckpointError" }>): string =>
  error.problem === "exists"
    ? "; resume it with --resume, or write to another folder with --out"
    : error.problem === "io"
      ? ""
      : `; to continue from an earlier checkpoint delete ${error.path}, to start the run over drop --resume, or write to another folder with --out`

/** Errors of the training package, with config fields kept as usage errors and checkpoint problems saying what to do. */
export const fromTrainError = (error: TrainError): CliError =>
  error._tag === "InvalidArgument"
    ? new UsageError({ argument: error.argument, message: error.message })
    : new StepFailed({
        step: "train",
        message:
          error._tag === "CheckpointError" ? `${error.message}${checkpointAdvice(error)}` : error.message,
      })

const isOutcome = (u: unknown): u is Outcome =>
  typeof u === "object" &&
  u !== null &&
  "history" in u &&
  Array.isArray((u as Outcome).history) &&
  "seed" in u

/** A finished run's outcome, read back from its folder. */
export const readOutcome = (dir: string): Effect.Effect<Outcome, FileError> =>
  Effect.flatMap(Files.readJson(summaryFile(dir)), (json) =>
    isOutcome(json)
      ? Effect.succeed(json)
      : Effect.fail(
          new FileError({ path: summaryFile(dir), message: `${summaryFile(dir)}: not a run summary` }),
        ),
  )

/** Write the per-run files of an outcome. */
export const writeRun = (dir: string, config: RunConfig.RunConfig, outcome: Outcome) =>
  Effect.all([
    Files.writeJson(join(dir, "config.json"), RunConfig.encode(config)),
    Files.writeJson(join(dir, "metrics.json"), outcome.history),
    Files.writeText(join(dir, "metrics.csv"), Metrics.csv([{ keys: {}, history: outcome.history }])),
    Files.writeJson(summaryFile(dir), outcome),
  ])

/** Train one run (or reuse it when finished and resuming) and write its folder. */
export const run = (spec: Spec, context: Context): Effect.Effect<Outcome, CliError> =>
  Effect.gen(function* () {
    if (context.resume && Files.exists(summaryFile(spec.dir))) {
      const done = yield* readOutcome(spec.dir)
      context.write(`${spec.name}: finished earlier, reusing ${summaryFile(spec.dir)}\n`)
      return done
    }
    // Without --resume a run starts over: an earlier attempt's checkpoints in its folder go.
    if (!context.resume) yield* Files.removeFolder(join(spec.dir, "checkpoints"))
    yield* Files.writeJson(join(spec.dir, "config.json"), RunConfig.encode(spec.config))
    const render = Progress.renderer(
      { tty: context.tty, every: context.every, label: `[${spec.name}] `, width: 24 },
      context.write,
    )
    let extra: Exit.Exit<unknown, CliError> = Exit.succeed(undefined)
    let finished: Extract<RunEvent, { _tag: "RunFinished" }> | undefined
    let interrupted: Extract<RunEvent, { _tag: "RunInterrupted" }> | undefined
    let parameters = 0
    const began = performance.now()
    const afterTraining = (classifier: Classifier) =>
      Effect.gen(function* () {
        if (spec.saveModel === true)
          yield* Models.save(classifier, join(spec.dir, "model")).pipe(
            Effect.mapError(stepFailed("save model")),
          )
        return spec.after === undefined ? undefined : yield* spec.after(classifier)
      }).pipe(
        Effect.exit,
        Effect.flatMap((exit) =>
          Effect.sync(() => {
            extra = exit
          }),
        ),
      )
    yield* Run.train(spec.config, {
      runDir: join(spec.dir, "checkpoints"),
      resume: context.resume,
      signal: context.signal,
      data: spec.data,
      afterTraining,
    }).pipe(
      Stream.runForEach((event) =>
        Effect.sync(() => {
          render(event)
          if (event._tag === "RunStarted") parameters = event.parameters
          if (event._tag === "RunFinished") finished = event
          if (event._tag === "RunInterrupted") interrupted = event
        }),
      ),
      Effect.mapError(fromTrainError),
    )
    if (interrupted !== undefined || finished === undefined)
      return yield* new Stopped({
        dir: spec.dir,
        message: `${spec.name}: stopped ${interrupted === undefined ? "" : `${Events.describePosition(interrupted.position)}`}; checkpoint in ${join(spec.dir, "checkpoints")} (run the same command with --resume to continue)`,
      })
    const measured = yield* extra
    const history = finished.history
    const final = history.at(-1)
    const outcome: Outcome = {
      name: spec.name,
      seed: spec.config.seed,
      epochs: spec.config.epochs,
      history,
      bestTestError: finished.bestTestError,
      lastTestError: finished.lastTestError,
      ...(final === undefined ? {} : { final }),
      ...(measured === undefined ? {} : { extra: measured }),
      parameters,
      seconds: (performance.now() - began) / 1000,
    }
    yield* writeRun(spec.dir, spec.config, outcome)
    return outcome
  })
