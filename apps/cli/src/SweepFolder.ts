/**
 * A sweep's results folder: the durable state of the sweep, which every worker writes to and
 * `sweep status` / `sweep report` read. Nothing else holds state, so a sweep resumes from its
 * folder after Ctrl-C or a killed process, and a folder every machine mounts is a shared store.
 *
 *   sweep.json              the definition and its expanded runs (ids, configurations, seeds)
 *   report.md / .json       mean ± std over seeds per configuration (rewritten as runs finish)
 *   report.svg / .png       the same as bars
 *   runs/<id>/config.json   the run's config
 *   runs/<id>/checkpoints/  its checkpoints (resumed from by whichever worker takes it next)
 *   runs/<id>/worker.json   the process working on it (pid, host, attempt)
 *   runs/<id>/progress.json where it stands (epoch, batch), updated while it trains
 *   runs/<id>/summary.json  written last: the run is done
 *   runs/<id>/error.json    the run failed for good (e.g. an invalid config, naming the field)
 *   runs/<id>/events.log    what happened to it (restarts, refused checkpoints), one line each
 */
import { appendFileSync, mkdirSync, readFileSync } from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"
import type { EpochMetrics } from "@vicinal/train"
import { Charts } from "@vicinal/viz"
import { Effect } from "effect"
import { type FileError, UsageError } from "./Errors.ts"
import * as Files from "./Files.ts"
import * as Markdown from "./Markdown.ts"
import * as Pictures from "./Pictures.ts"
import * as Progress from "./Progress.ts"
import * as Stats from "./Stats.ts"
import type { PlannedRun, Sweep } from "./SweepDefinition.ts"

export interface Manifest {
  readonly name: string
  readonly definition: Sweep
  readonly runs: ReadonlyArray<PlannedRun>
}

export const manifestFile = (dir: string) => join(dir, "sweep.json")
export const runDir = (dir: string, id: string) => join(dir, "runs", id)
export const checkpointsDir = (dir: string, id: string) => join(runDir(dir, id), "checkpoints")
export const progressFile = (dir: string, id: string) => join(runDir(dir, id), "progress.json")
export const workerFile = (dir: string, id: string) => join(runDir(dir, id), "worker.json")
export const summaryFile = (dir: string, id: string) => join(runDir(dir, id), "summary.json")
export const errorFile = (dir: string, id: string) => join(runDir(dir, id), "error.json")
export const eventsFile = (dir: string, id: string) => join(runDir(dir, id), "events.log")

/** Where a run stands while it trains. */
export interface ProgressRecord {
  readonly epoch: number
  readonly batch: number
  readonly batches: number
  readonly epochs: number
  /** Seconds this run has trained, over all its attempts. */
  readonly seconds: number
  readonly updated: number
}

/** A finished run. */
export interface RunSummary {
  readonly id: string
  readonly label: string
  readonly seed: number
  readonly history: ReadonlyArray<EpochMetrics>
  readonly bestTestError: number
  readonly lastTestError: number
  /** sha256 of the final weights (float32 bytes in `getWeights()` order): equal runs, equal hash. */
  readonly weightsSha256: string
  /** Positions the run was resumed from, one per resumed attempt ("after epoch 2"). */
  readonly resumedFrom: ReadonlyArray<string>
  readonly seconds: number
}

export interface RunFailure {
  readonly id: string
  readonly error: string
  /** The failing field of the run config, for an invalid config. */
  readonly field?: string
  readonly message: string
}

export interface WorkerRecord {
  readonly pid: number
  /** The process that started it (a `sweep run` or a `vicinal worker`). */
  readonly parent?: number
  readonly host: string
  readonly attempt: number
  readonly started: number
}

export type RunState =
  | { readonly _tag: "done"; readonly summary: RunSummary }
  | { readonly _tag: "failed"; readonly failure: RunFailure }
  | { readonly _tag: "running"; readonly worker: WorkerRecord; readonly progress?: ProgressRecord }
  | { readonly _tag: "waiting"; readonly progress?: ProgressRecord }

const readIfThere = (path: string): unknown => {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown
  } catch {
    return undefined
  }
}

/** Whether the process of a worker record is alive (on another host: assumed so). */
export const alive = (worker: WorkerRecord): boolean => {
  if (worker.host !== hostname()) return true
  try {
    process.kill(worker.pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as { readonly code?: string }).code === "EPERM"
  }
}

/** A run's state from its folder (synchronous reads: status is a snapshot). */
export const stateOf = (dir: string, id: string): RunState => {
  const summary = readIfThere(summaryFile(dir, id)) as RunSummary | undefined
  if (summary !== undefined) return { _tag: "done", summary }
  const failure = readIfThere(errorFile(dir, id)) as RunFailure | undefined
  if (failure !== undefined) return { _tag: "failed", failure }
  const progress = readIfThere(progressFile(dir, id)) as ProgressRecord | undefined
  const worker = readIfThere(workerFile(dir, id)) as WorkerRecord | undefined
  const withProgress = progress === undefined ? {} : { progress }
  return worker !== undefined && alive(worker)
    ? { _tag: "running", worker, ...withProgress }
    : { _tag: "waiting", ...withProgress }
}

/** Fraction of a run's batches done. */
export const fraction = (state: RunState): number => {
  if (state._tag === "done") return 1
  if (state._tag === "failed") return 0
  const p = state.progress
  return p === undefined || p.batches === 0 ? 0 : (p.epoch * p.batches + p.batch) / (p.epochs * p.batches)
}

/** Append a line to a run's events log (and return it, for printing). */
export const logEvent = (dir: string, id: string, line: string): string => {
  mkdirSync(runDir(dir, id), { recursive: true })
  appendFileSync(eventsFile(dir, id), `${new Date().toISOString()} ${line}\n`)
  return line
}

/** Record that a run failed for good (its error.json); an invalid config names the field. */
export const recordFailure = (
  dir: string,
  id: string,
  error: { readonly _tag: string; readonly message: string; readonly argument?: string },
): Effect.Effect<void, FileError> =>
  Effect.asVoid(
    Files.writeJson(errorFile(dir, id), {
      id,
      error: error._tag,
      ...(error.argument === undefined ? {} : { field: error.argument }),
      message: error.message,
    } satisfies RunFailure),
  )

/** The positions a run was resumed from, in order, as its events log records them. */
export const resumes = (dir: string, id: string): ReadonlyArray<string> => {
  try {
    return readFileSync(eventsFile(dir, id), "utf8")
      .split("\n")
      .flatMap((line) => {
        const m = / resumed (.*) \(pid \d+\)$/.exec(line)
        return m === null ? [] : [m[1]!]
      })
  } catch {
    return []
  }
}

export const readManifest = (dir: string): Effect.Effect<Manifest, FileError | UsageError> =>
  Files.exists(manifestFile(dir))
    ? Effect.map(Files.readJson(manifestFile(dir)), (json) => json as Manifest)
    : Effect.fail(
        new UsageError({
          argument: "DIR",
          message: `${dir}: no ${manifestFile(dir)}; give the --out folder of "vicinal sweep run"`,
        }),
      )

/** Seconds left: the mean duration of a run (finished ones, else extrapolated) times the work left, shared by the running workers. */
export const timeLeft = (states: ReadonlyArray<RunState>): number => {
  const done = states.flatMap((s) => (s._tag === "done" ? [s.summary.seconds] : []))
  const partial = states.flatMap((s) =>
    (s._tag === "running" || s._tag === "waiting") && s.progress !== undefined && fraction(s) > 0
      ? [s.progress.seconds / fraction(s)]
      : [],
  )
  const perRun = Stats.summarise(done.length > 0 ? done : partial).mean
  const remaining = states
    .filter((s) => s._tag === "running" || s._tag === "waiting")
    .reduce((sum, s) => sum + (1 - fraction(s)), 0)
  if (remaining === 0) return 0
  const running = states.filter((s) => s._tag === "running").length
  return (perRun * remaining) / Math.max(1, running)
}

const progressText = (state: RunState): string => {
  switch (state._tag) {
    case "done":
      return `${state.summary.history.length} epochs, last test error ${Stats.percent(state.summary.lastTestError)}%`
    case "failed":
      return state.failure.message
    default: {
      const p = state.progress
      const where =
        p === undefined
          ? "not started"
          : `epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}, batch ${p.batch}/${p.batches} (${Math.round(100 * fraction(state))}%)`
      return state._tag === "running" ? `${where}, pid ${state.worker.pid} on ${state.worker.host}` : where
    }
  }
}

/** `sweep status`: counts, time left and one row per run. */
export const status = (dir: string) =>
  Effect.map(readManifest(dir), (manifest) => {
    const states = manifest.runs.map((r) => stateOf(dir, r.id))
    const count = (tag: RunState["_tag"]) => states.filter((s) => s._tag === tag).length
    const left = timeLeft(states)
    const head = `${manifest.name}: ${manifest.runs.length} runs: ${count("done")} done, ${count("running")} running, ${count("failed")} failed, ${count("waiting")} waiting${
      count("running") + count("waiting") === 0 ? "" : `; about ${Progress.duration(left)} left`
    }`
    const rows = manifest.runs.map((r, k) => {
      const s = states[k]!
      return [r.id, r.label, String(r.seed), s._tag, progressText(s)]
    })
    return [head, "", Markdown.table(["Run", "Configuration", "Seed", "State", "Progress"], rows)].join("\n")
  })

/** One configuration's results over its seeds. */
export interface ReportRow {
  readonly configuration: string
  readonly seeds: ReadonlyArray<number>
  readonly runs: number
  readonly lastTestError: Stats.Summary
  readonly bestTestError: Stats.Summary
  readonly failed: number
}

export const reportRows = (manifest: Manifest, states: ReadonlyArray<RunState>): ReadonlyArray<ReportRow> => {
  const labels = [...new Set(manifest.runs.map((r) => r.label))]
  return labels.map((configuration) => {
    const mine = manifest.runs.flatMap((r, k) => (r.label === configuration ? [states[k]!] : []))
    const done = mine.flatMap((s) => (s._tag === "done" ? [s.summary] : []))
    return {
      configuration,
      seeds: done.map((d) => d.seed).sort((a, b) => a - b),
      runs: mine.length,
      lastTestError: Stats.summarise(done.map((d) => d.lastTestError)),
      bestTestError: Stats.summarise(done.map((d) => d.bestTestError)),
      failed: mine.filter((s) => s._tag === "failed").length,
    }
  })
}

/**
 * `sweep report`: `report.md` (mean ± std over seeds per configuration), `report.json` (the same
 * numbers, no timings: two sweeps of the same file give equal files) and `report.svg/png`.
 */
export const report = (dir: string) =>
  Effect.gen(function* () {
    const manifest = yield* readManifest(dir)
    const states = manifest.runs.map((r) => stateOf(dir, r.id))
    const rows = reportRows(manifest, states)
    const done = states.filter((s) => s._tag === "done").length
    const table = Markdown.table(
      ["Configuration", "Seeds done", "Last test error %", "Best test error %", "Failed"],
      rows.map((r) => [
        r.configuration,
        `${r.lastTestError.n}/${r.runs - r.failed}`,
        Stats.percentSummary(r.lastTestError),
        Stats.percentSummary(r.bestTestError),
        String(r.failed),
      ]),
    )
    const text = [
      `## ${manifest.name}`,
      "",
      `${done} of ${manifest.runs.length} runs done; mean ± std over seeds (sample std).`,
      "",
      table,
      "",
    ].join("\n")
    yield* Files.writeText(join(dir, "report.md"), text)
    yield* Files.writeJson(join(dir, "report.json"), { name: manifest.name, rows })
    const bars = rows.flatMap((r) =>
      Number.isFinite(r.lastTestError.mean)
        ? [{ group: r.configuration, series: "last test error %", value: 100 * r.lastTestError.mean }]
        : [],
    )
    if (bars.length > 0)
      yield* Pictures.write(
        Charts.bars({
          title: `${manifest.name}: last test error, mean over seeds`,
          yLabel: "test top-1 error %",
          bars,
          digits: 1,
        }),
        dir,
        "report",
      )
    return text
  })
