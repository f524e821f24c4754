/**
 * `vicinal sweep <run | status | report | exec>`: a sweep file's runs trained by worker
 * processes (see `Sweep`), watched and summarised from the results folder (see `SweepFolder`).
 */
import { Effect, Schema } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import type * as Runner from "./Runner.ts"
import * as Sweep from "./Sweep.ts"
import * as Cluster from "./SweepCluster.ts"
import * as Folder from "./SweepFolder.ts"
import * as Worker from "./SweepWorker.ts"

export interface Io {
  readonly context: Runner.Context
  readonly print: (text: string) => Effect.Effect<void>
}

const dirArgument = Argument.String("dir").pipe(
  Argument.withDescription("the results folder of a sweep (sweep run's --out)"),
)

export const make = (io: Io) => {
  const write = io.context.write
  const run = Command.make(
    "run",
    {
      file: Argument.String("file").pipe(
        Argument.withDescription("the sweep definition (.json, .yaml or .yml): base, axes, seeds"),
      ),
      workers: Flag.Int("workers").pipe(
        Flag.withSchema(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
        Flag.withDescription("worker processes training runs at the same time (default 1)"),
        Flag.withDefault(1),
      ),
      cluster: Flag.String("cluster").pipe(
        Flag.withDescription(
          "PostgreSQL URL of a cluster (postgres://user:password@host:5432/db): its `vicinal worker` processes train the runs; --out must be a folder they all mount at the same path",
        ),
        Flag.optional,
      ),
      out: Flag.String("out").pipe(
        Flag.withDescription(
          "results folder, the sweep's state: running again with it resumes (default results/sweep-<name>)",
        ),
        Flag.optional,
      ),
    },
    (flags) =>
      Effect.flatMap(Sweep.run(flags, { signal: io.context.signal, write }), (text) => io.print(text)),
  ).pipe(
    Command.withDescription(
      "Train every run of a sweep on this machine with N worker processes; resumable: run it again after Ctrl-C or a crash",
    ),
    Command.withExamples([
      {
        command: "vicinal sweep run sweep.yaml --workers 2 --out results/my-sweep",
        description: "two runs at a time",
      },
    ]),
  )
  const status = Command.make("status", { dir: dirArgument }, (flags) =>
    Effect.flatMap(Folder.status(flags.dir), io.print),
  ).pipe(
    Command.withDescription("Runs done / running / failed / waiting, each run's progress and the time left"),
  )
  const report = Command.make("report", { dir: dirArgument }, (flags) =>
    Effect.flatMap(Folder.report(flags.dir), io.print),
  ).pipe(
    Command.withDescription(
      "Write report.md/.json/.png: mean ± std over seeds per configuration, of the runs finished so far",
    ),
  )
  const exec = Command.make(
    "exec",
    { dir: dirArgument, id: Argument.String("id").pipe(Argument.withDescription("the run's id")) },
    (flags) =>
      Effect.acquireUseRelease(
        Effect.sync(stopWhenOrphaned),
        () =>
          Effect.asVoid(Worker.execute(flags.dir, flags.id, io.context.signal, (line) => write(`${line}\n`))),
        (timer) => Effect.sync(() => clearInterval(timer)),
      ),
  ).pipe(
    Command.withDescription(
      "Train one run of a sweep folder in this process (what sweep run's and worker's child processes execute)",
    ),
  )
  const sweep = Command.make("sweep").pipe(
    Command.withDescription(
      "Sweeps: a base config, axes and seeds, expanded into runs trained by worker processes",
    ),
    Command.withSubcommands([run, status, report, exec]),
  )
  const worker = Command.make(
    "worker",
    {
      cluster: Flag.String("cluster").pipe(
        Flag.withDescription("PostgreSQL URL of the cluster (postgres://user:password@host:5432/db)"),
      ),
      listen: Flag.String("listen").pipe(
        Flag.withDescription(
          "host:port this worker listens on; other workers must reach it there (default localhost:34431)",
        ),
        Flag.withDefault("localhost:34431"),
      ),
      workers: Flag.Int("workers").pipe(
        Flag.withSchema(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
        Flag.withDescription("runs this worker trains at the same time, each in a child process (default 1)"),
        Flag.withDefault(1),
      ),
    },
    (flags) =>
      Effect.flatMap(
        Cluster.worker({
          url: flags.cluster,
          listen: flags.listen,
          workers: flags.workers,
          signal: io.context.signal,
          command: Sweep.selfCommand,
          say: (line) => write(`${line}\n`),
        }),
        io.print,
      ),
  ).pipe(
    Command.withDescription(
      "Join a sweep cluster (PostgreSQL) and train the runs of the sweeps submitted with sweep run --cluster, until stopped",
    ),
  )
  return [sweep, worker] as const
}

/**
 * A run's process whose parent died (kill -9 of a `sweep run` or a `vicinal worker`) stops at
 * its next batch boundary with a checkpoint, so that whoever takes the run over does not train
 * it at the same time.
 */
const stopWhenOrphaned = () => {
  const parent = process.ppid
  return setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, "SIGTERM")
  }, 500)
}
