/**
 * `vicinal sweep run FILE`, embedded: the sweep's runs on this machine, at most `--workers`
 * worker processes at a time (each a `vicinal sweep exec DIR ID` child of this runtime, one run
 * each), with the results folder as the only state (see `SweepFolder`).
 *
 * - A finished run (summary.json) is never trained again; running the same sweep again trains
 *   only what is left, and a second `sweep run` on a folder another live process is running is
 *   refused.
 * - A worker that dies (kill -9, out of memory) has its run queued again: the next free worker
 *   resumes it from its newest checkpoint (up to `maxAttempts` attempts).
 * - Ctrl-C stops every worker at its next batch boundary with a checkpoint; the next `sweep run`
 *   resumes them.
 * - An invalid run config fails that run alone, with the field named, before any worker starts.
 * - The report is rewritten whenever a run finishes.
 */
import { spawn } from "node:child_process"
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { basename, extname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Option } from "effect"
import { type CliError, StepFailed, Stopped, UsageError } from "./Errors.ts"
import * as Files from "./Files.ts"
import * as Setup from "./Setup.ts"
import * as Cluster from "./SweepCluster.ts"
import * as Definition from "./SweepDefinition.ts"
import * as Folder from "./SweepFolder.ts"

export interface RunFlags {
  readonly file: string
  readonly workers: number
  readonly out: Option.Option<string>
  /** A PostgreSQL URL: run on the `vicinal worker --cluster` processes of that cluster instead of here. */
  readonly cluster: Option.Option<string>
  /** Attempts of a run whose worker died before it failed for good (default 3). */
  readonly maxAttempts?: number
}

export interface Io {
  readonly signal: AbortSignal
  readonly write: (text: string) => void
}

const main = fileURLToPath(new URL("./main.ts", import.meta.url))

declare const Deno: { readonly execPath: () => string } | undefined

// A CLI started on the workspace's sources (`--conditions=@vicinal/source`, as the tests and the
// bench start it) starts its workers the same way: without the condition they would look for
// builds that a clone does not have until `npm run build`.
const onSources = (): ReadonlyArray<string> =>
  /\/src\/[^/]+\.ts$/.test(import.meta.resolve("@vicinal/train")) ? ["--conditions=@vicinal/source"] : []

/** This CLI on this runtime, as a command line. */
export const selfCommand = (args: ReadonlyArray<string>): [string, Array<string>] =>
  typeof Deno !== "undefined"
    ? [Deno.execPath(), ["run", "-A", "--no-check", "--no-lock", ...onSources(), main, ...args]]
    : [process.execPath, [...onSources(), main, ...args]]

const coordinatorFile = (dir: string) => resolve(dir, "coordinator.json")

const readRecord = (file: string): Folder.WorkerRecord | undefined => {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Folder.WorkerRecord
  } catch {
    // A file cut short by a killed writer: nobody holds the folder.
    return undefined
  }
}

/**
 * Become the one process running the sweep in `dir`: the coordinator file is created exclusively,
 * so of two `sweep run`s started together one is refused; a dead coordinator's file is taken over.
 */
const takeOver = (dir: string): void => {
  const mine: Folder.WorkerRecord = { pid: process.pid, host: hostname(), attempt: 1, started: Date.now() }
  try {
    writeFileSync(coordinatorFile(dir), Files.toJson(mine), { flag: "wx" })
    return
  } catch (e) {
    if ((e as { readonly code?: string }).code !== "EEXIST") throw e
  }
  const other = readRecord(coordinatorFile(dir))
  if (other !== undefined && other.pid !== process.pid && Folder.alive(other))
    throw new UsageError({
      argument: "FILE",
      message: `${dir} is being run by pid ${other.pid} on ${other.host}; watch it with "vicinal sweep status ${dir}"`,
    })
  writeFileSync(coordinatorFile(dir), Files.toJson(mine))
}

/** The manifest of this sweep in `dir`: written the first time, else checked to be the same sweep. */
const claimFolder = (dir: string, manifest: Folder.Manifest) =>
  Effect.gen(function* () {
    if (Files.exists(Folder.manifestFile(dir))) {
      const existing = yield* Folder.readManifest(dir)
      const ids = (m: Folder.Manifest) => m.runs.map((r) => r.id).join(",")
      if (ids(existing) !== ids(manifest))
        return yield* new UsageError({
          argument: "--out",
          message: `${dir} holds another sweep (${existing.name}, ${existing.runs.length} runs with other ids); give another --out folder`,
        })
    } else yield* Files.writeJson(Folder.manifestFile(dir), manifest)
    yield* Effect.try({
      try: () => takeOver(dir),
      catch: (e) =>
        e instanceof UsageError
          ? e
          : new UsageError({
              argument: "--out",
              message: `${coordinatorFile(dir)}: cannot write (${String(e)})`,
            }),
    })
  })

/** Runs whose config is invalid get their error.json now; returns the ones to train. */
const validateAll = (dir: string, manifest: Folder.Manifest, io: Io) =>
  Effect.forEach(manifest.runs, (run) =>
    Effect.gen(function* () {
      const state = Folder.stateOf(dir, run.id)
      if (state._tag === "done" || state._tag === "failed") return []
      if (state._tag === "running") {
        io.write(
          `${run.id} (${run.label}, seed ${run.seed}): being trained by pid ${state.worker.pid}; left to it\n`,
        )
        return []
      }
      const invalid = yield* Effect.flip(Definition.validate(run)).pipe(Effect.option)
      if (Option.isNone(invalid)) return [run]
      const e = invalid.value
      yield* Folder.recordFailure(dir, run.id, e)
      io.write(`${run.id} (${run.label}, seed ${run.seed}): invalid config, not run: ${e.message}\n`)
      return []
    }),
  ).pipe(Effect.map((lists) => lists.flat()))

interface PoolResult {
  readonly stopped: boolean
}

/** Train `runs` with at most `workers` child processes; a dead worker's run goes back in the queue. */
const pool = (
  dir: string,
  runs: ReadonlyArray<Definition.PlannedRun>,
  workers: number,
  maxAttempts: number,
  io: Io,
  onFinished: () => void,
): Promise<PoolResult> =>
  new Promise((done) => {
    const queue = [...runs]
    const attempts = new Map<string, number>()
    const children = new Set<ReturnType<typeof spawn>>()
    let stopping = io.signal.aborted
    const stop = () => {
      stopping = true
      for (const child of children) child.kill("SIGTERM")
    }
    io.signal.addEventListener("abort", stop, { once: true })
    const finish = () => {
      io.signal.removeEventListener("abort", stop)
      done({ stopped: stopping })
    }
    const next = () => {
      while (!stopping && children.size < workers && queue.length > 0) start(queue.shift()!)
      if (children.size === 0 && (stopping || queue.length === 0)) finish()
    }
    const start = (run: Definition.PlannedRun) => {
      const attempt = (attempts.get(run.id) ?? 0) + 1
      attempts.set(run.id, attempt)
      const name = `${run.id} (${run.label}, seed ${run.seed})`
      const [bin, args] = selfCommand(["sweep", "exec", dir, run.id])
      const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"], env: process.env })
      children.add(child)
      io.write(`${name}: worker pid ${child.pid} started (attempt ${attempt})\n`)
      mkdirSync(Folder.runDir(dir, run.id), { recursive: true })
      const log = createWriteStream(resolve(Folder.runDir(dir, run.id), "worker.log"), { flags: "a" })
      child.stderr?.pipe(log)
      // A process that cannot start still ends with "close"; say why it did not start.
      child.on("error", (e) => io.write(`${name}: cannot start a worker process (${e.message})\n`))
      child.on("close", (code, signal) => {
        children.delete(child)
        const state = Folder.stateOf(dir, run.id)
        if (state._tag === "done") {
          io.write(`${name}: done, last test error ${(100 * state.summary.lastTestError).toFixed(2)}%\n`)
          onFinished()
          next()
          return
        }
        if (state._tag === "failed") io.write(`${name}: failed: ${state.failure.message}\n`)
        else if (stopping) io.write(`${name}: stopped with a checkpoint (resumed by the next sweep run)\n`)
        else if (attempt < maxAttempts) {
          io.write(
            `${name}: worker pid ${child.pid} ended (${signal ?? `exit code ${code}`}) before the run finished; queued again, it resumes from its last checkpoint\n`,
          )
          Folder.logEvent(
            dir,
            run.id,
            `worker pid ${child.pid} ended (${signal ?? `exit code ${code}`}); queued again`,
          )
          queue.unshift(run)
        } else {
          const message = `${name}: its worker ended ${attempt} times without finishing (last: ${signal ?? `exit code ${code}`}); see ${resolve(Folder.runDir(dir, run.id), "worker.log")}`
          // Written synchronously: the sweep's final count reads it as soon as the pool ends.
          writeFileSync(
            Folder.errorFile(dir, run.id),
            Files.toJson({ id: run.id, error: "WorkerCrashed", message } satisfies Folder.RunFailure),
          )
          io.write(`${message}\n`)
        }
        next()
      })
    }
    next()
  })

/** Submit the runs to the cluster's workers and wait for the sweep workflow (Ctrl-C stops waiting, not the sweep). */
const onCluster = (url: string, dir: string, todo: ReadonlyArray<Definition.PlannedRun>, io: Io) =>
  Effect.gen(function* () {
    io.write(`submitted to ${redact(url)}; the workers train into ${dir}\n`)
    const stopped = Effect.callback<PoolResult>((resume) => {
      if (io.signal.aborted) resume(Effect.succeed({ stopped: true }))
      io.signal.addEventListener("abort", () => resume(Effect.succeed({ stopped: true })), { once: true })
    })
    return yield* Effect.raceFirst(
      Cluster.submit(
        url,
        dir,
        todo.map((r) => r.id),
      ).pipe(
        Effect.as<PoolResult>({ stopped: false }),
        Effect.mapError(
          (e) => new StepFailed({ step: "sweep", message: `cluster ${redact(url)}: ${String(e)}` }),
        ),
      ),
      stopped,
    )
  })

/** A URL without its password, for messages. */
const redact = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@")

/** `vicinal sweep run FILE`: train what is left of the sweep, then print its report. */
export const run = (flags: RunFlags, io: Io): Effect.Effect<string, CliError> =>
  Effect.gen(function* () {
    const sweep = yield* Definition.read(flags.file)
    const runs = yield* Definition.expand(sweep)
    const name = sweep.name ?? basename(flags.file, extname(flags.file))
    const dir = resolve(Option.getOrElse(flags.out, () => `results/sweep-${Setup.slug(name)}`))
    const manifest: Folder.Manifest = { name, definition: sweep, runs }
    yield* claimFolder(dir, manifest)
    const release = Effect.sync(() => rmSync(coordinatorFile(dir), { force: true }))
    return yield* Effect.gen(function* () {
      const before = runs.map((r) => Folder.stateOf(dir, r.id)._tag)
      const todo = yield* validateAll(dir, manifest, io)
      const count = (tag: Folder.RunState["_tag"]) => before.filter((t) => t === tag).length
      io.write(
        `${name}: ${runs.length} runs, ${todo.length} to train on ${Option.isSome(flags.cluster) ? "the cluster's workers" : `${Math.min(flags.workers, Math.max(1, todo.length))} worker(s)`} (${count("done")} finished earlier, ${count("failed")} failed earlier); results in ${dir}\n`,
      )
      // Reports are written one after the other, whichever worker finishes.
      let reporting: Promise<unknown> = Promise.resolve()
      const onFinished = () => {
        reporting = reporting.then(() => Effect.runPromise(Effect.ignore(Folder.report(dir))))
      }
      const result = Option.isSome(flags.cluster)
        ? yield* onCluster(flags.cluster.value, dir, todo, io)
        : yield* Effect.promise(() => pool(dir, todo, flags.workers, flags.maxAttempts ?? 3, io, onFinished))
      yield* Effect.promise(() => reporting)
      const text = yield* Folder.report(dir)
      if (result.stopped)
        return yield* new Stopped({
          dir,
          message: `${name}: stopped; run the same command again to resume (${dir})`,
        })
      const failed = runs.filter((r) => Folder.stateOf(dir, r.id)._tag === "failed")
      if (failed.length > 0)
        return yield* new StepFailed({
          step: "sweep",
          message: `${name}: ${failed.length} of ${runs.length} runs failed (${failed.map((r) => r.id).join(", ")}); the others are in the report ${resolve(dir, "report.md")}; see "vicinal sweep status ${dir}"`,
        })
      return text
    }).pipe(Effect.ensuring(release))
  })
