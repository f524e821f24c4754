/**
 * `vicinal sweep <run | status | report | exec>`: a sweep file's runs trained by worker
 * processes (see `Sweep`), watched and summarised from the results folder (see `SweepFolder`).
 */
import { Effect, Schema } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import type * as Runner from "./Runner.ts"
import * as Sweep from "./Sweep.ts"
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
      Effect.flatMap(
        Worker.execute(flags.dir, flags.id, io.context.signal, (line) => write(`${line}\n`)),
        () => Effect.void,
      ),
  ).pipe(
    Command.withDescription(
      "Train one run of a sweep folder in this process (what sweep run's worker processes execute)",
    ),
  )
  return Command.make("sweep").pipe(
    Command.withDescription(
      "Sweeps: a base config, axes and seeds, expanded into runs trained by worker processes",
    ),
    Command.withSubcommands([run, status, report, exec]),
  )
}
