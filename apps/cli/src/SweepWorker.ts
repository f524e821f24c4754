/**
 * One run of a sweep, trained in this process (`vicinal sweep exec DIR ID`, what the worker
 * processes of `sweep run` execute): resumes from the run's newest checkpoint when there is one,
 * writes its progress while it trains and its summary when it ends.
 *
 * A checkpoint that is refused as damaged (corrupt, another format version, another run's) is
 * not trusted: the run says so in its events log and on stderr, drops its checkpoints and starts
 * from scratch. A run whose config is invalid fails for good with `error.json` naming the field.
 */
import { createHash } from "node:crypto"
import { hostname } from "node:os"
import { join } from "node:path"
import { Events, Run, RunConfig, type TrainError } from "@vicinal/train"
import { Effect, Stream } from "effect"
import { type CliError, Stopped, UsageError } from "./Errors.ts"
import * as Files from "./Files.ts"
import * as Runner from "./Runner.ts"
import * as Folder from "./SweepFolder.ts"

/** Checkpoint problems after which a run starts over instead of failing. */
const untrusted = new Set(["corrupt", "version", "mismatch"])

/** sha256 of the weights' float32 bytes in order. */
export const weightsHash = (weights: ReadonlyArray<{ readonly values: Float32Array }>): string => {
  const hash = createHash("sha256")
  for (const w of weights)
    hash.update(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength))
  return hash.digest("hex")
}

const PROGRESS_EVERY_MS = 250

type Attempt =
  | { readonly _tag: "finished"; readonly summary: Folder.RunSummary }
  | { readonly _tag: "interrupted"; readonly position: string }

const attempt = (
  dir: string,
  planned: Folder.Manifest["runs"][number],
  config: RunConfig.RunConfig,
  signal: AbortSignal,
  say: (line: string) => void,
): Effect.Effect<Attempt, TrainError | CliError> =>
  Effect.gen(function* () {
    const id = planned.id
    const before = (yield* Effect.orElseSucceed(
      Files.readJson(Folder.progressFile(dir, id)),
      () => undefined,
    )) as Folder.ProgressRecord | undefined
    const previous = before?.seconds ?? 0
    const began = performance.now()
    let batches = 0
    let epoch = 0
    let lastWrite = 0
    let outcome: Attempt | undefined
    const progress = (batch: number, force: boolean) => {
      const now = Date.now()
      if (!force && now - lastWrite < PROGRESS_EVERY_MS) return Effect.void
      lastWrite = now
      const record: Folder.ProgressRecord = {
        epoch,
        batch,
        batches,
        epochs: config.epochs,
        seconds: previous + (performance.now() - began) / 1000,
        updated: now,
      }
      return Effect.asVoid(Files.writeJson(Folder.progressFile(dir, id), record))
    }
    yield* Run.train(config, {
      runDir: Folder.checkpointsDir(dir, id),
      resume: true,
      signal,
      captureWeights: true,
    }).pipe(
      Stream.runForEach((event): Effect.Effect<void, CliError> => {
        switch (event._tag) {
          case "RunStarted":
            if (event.resumedFrom !== undefined) {
              say(
                Folder.logEvent(
                  dir,
                  id,
                  `resumed ${Events.describePosition(event.resumedFrom)} (pid ${process.pid})`,
                ),
              )
              epoch = event.resumedFrom.epoch
            } else say(Folder.logEvent(dir, id, `started (pid ${process.pid})`))
            return Effect.void
          case "EpochStarted":
            epoch = event.epoch
            batches = event.batches
            return progress(0, true)
          case "BatchEnded":
            return progress(event.batch + 1, false)
          case "EpochEnded":
            epoch = event.metrics.epoch + 1
            return progress(0, true)
          case "RunInterrupted":
            outcome = { _tag: "interrupted", position: Events.describePosition(event.position) }
            return Effect.void
          case "RunFinished": {
            outcome = {
              _tag: "finished",
              summary: {
                id,
                label: planned.label,
                seed: planned.seed,
                history: event.history,
                bestTestError: event.bestTestError,
                lastTestError: event.lastTestError,
                weightsSha256: weightsHash(event.weights ?? []),
                resumedFrom: Folder.resumes(dir, id),
                seconds: previous + (performance.now() - began) / 1000,
              },
            }
            return Effect.void
          }
          default:
            return Effect.void
        }
      }),
    )
    return outcome ?? { _tag: "interrupted", position: "before the first batch" }
  })

const isTrainError = (e: { readonly _tag: string }): e is TrainError =>
  ["InvalidArgument", "BackendError", "CheckpointError", "StepError"].includes(e._tag)

/** Train a planned run; any failure but a stop is recorded in its error.json. */
const trainPlanned = (
  dir: string,
  planned: Folder.Manifest["runs"][number],
  signal: AbortSignal,
  say: (line: string) => void,
): Effect.Effect<string, CliError> => {
  const id = planned.id
  return Effect.gen(function* () {
    const config = yield* RunConfig.decode(planned.config)
    yield* Files.writeJson(Folder.workerFile(dir, id), {
      pid: process.pid,
      parent: process.ppid,
      host: hostname(),
      attempt: 1,
      started: Date.now(),
    } satisfies Folder.WorkerRecord)
    const result = yield* attempt(dir, planned, config, signal, say).pipe(
      Effect.catchTag("CheckpointError", (e) =>
        untrusted.has(e.problem)
          ? Effect.gen(function* () {
              say(
                Folder.logEvent(
                  dir,
                  id,
                  `checkpoint refused (${e.problem}): ${e.message}; restarting the run from scratch`,
                ),
              )
              yield* Files.removeFolder(Folder.checkpointsDir(dir, id))
              yield* Files.removeFolder(Folder.progressFile(dir, id))
              return yield* attempt(dir, planned, config, signal, say)
            })
          : Effect.fail(e),
      ),
    )
    if (result._tag === "interrupted")
      return yield* new Stopped({
        dir: Folder.runDir(dir, id),
        message: `${id}: stopped ${result.position}; the next sweep run resumes it`,
      })
    yield* Files.writeJson(join(Folder.runDir(dir, id), "config.json"), RunConfig.encode(config))
    yield* Files.writeJson(Folder.summaryFile(dir, id), result.summary)
    say(Folder.logEvent(dir, id, `finished: last test error ${result.summary.lastTestError}`))
    return `${id}: done`
  }).pipe(
    Effect.catch((e: TrainError | CliError) =>
      e._tag === "Stopped"
        ? Effect.fail(e)
        : Effect.andThen(
            Folder.recordFailure(dir, id, e),
            Effect.fail(isTrainError(e) ? Runner.fromTrainError(e) : e),
          ),
    ),
  )
}

/** Train run `id` of the sweep in `dir`; fails with `Stopped` when interrupted (exit 130). */
export const execute = (dir: string, id: string, signal: AbortSignal, say: (line: string) => void) =>
  Effect.gen(function* () {
    const manifest = yield* Folder.readManifest(dir)
    const planned = manifest.runs.find((r) => r.id === id)
    if (planned === undefined)
      return yield* new UsageError({ argument: "ID", message: `${dir}: the sweep has no run ${id}` })
    if (Files.exists(Folder.summaryFile(dir, id))) {
      say(`${id}: finished earlier`)
      return `${id}: finished earlier`
    }
    return yield* trainPlanned(dir, planned, signal, say)
  })
