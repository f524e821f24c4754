#!/usr/bin/env bun
/**
 * The `vicinal` command line (Bun: `bun apps/cli/src/main.ts ...`; Deno:
 * `deno run -A apps/cli/src/main.ts ...`).
 *
 * Ctrl-C aborts the run's signal: training stops at the next batch boundary, writes a
 * checkpoint and the command exits with code 130; `--resume` continues. A second Ctrl-C quits
 * at once. The process is not run through `NodeRuntime.runMain`, whose own SIGINT handler would
 * interrupt the run before it can checkpoint.
 */
import process from "node:process"
import * as NodeChildProcessSpawner from "@effect/platform-node-shared/NodeChildProcessSpawner"
import * as NodeFileSystem from "@effect/platform-node-shared/NodeFileSystem"
import * as NodePath from "@effect/platform-node-shared/NodePath"
import * as NodeStdio from "@effect/platform-node-shared/NodeStdio"
import * as NodeTerminal from "@effect/platform-node-shared/NodeTerminal"
import { Run } from "@vicinal/train"
import { Cause, Effect, Exit, Layer, Runtime } from "effect"
import { CliOutput, Command } from "effect/cli"
import * as Cli from "./Cli.ts"

const platform = Layer.mergeAll(
  NodeFileSystem.layer,
  NodePath.layer,
  NodeStdio.layer,
  NodeTerminal.layer,
  NodeChildProcessSpawner.layer.pipe(Layer.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer))),
  CliOutput.layerPresenter(Cli.errorsFirst),
)

const stop = Run.abortOnSignals(["SIGINT", "SIGTERM"])
let signals = 0
const onSignal = () => {
  signals += 1
  if (signals === 1)
    process.stderr.write("\nstopping at the next batch boundary (Ctrl-C again to quit now)...\n")
  else process.exit(130)
}
process.on("SIGINT", onSignal)

const every = Number(process.env.VICINAL_PROGRESS_EVERY ?? "25")
const command = Cli.make({
  context: {
    resume: false,
    signal: stop.signal,
    write: (text) => {
      process.stderr.write(text)
    },
    tty: process.stderr.isTTY === true,
    every: Number.isFinite(every) && every >= 0 ? every : 25,
  },
  print: (text) => Effect.sync(() => process.stdout.write(`${text}\n`)),
})

const exit = await Effect.runPromiseExit(
  Command.run(command, { version: "0.1.0" }).pipe(Effect.provide(platform)),
)
stop.dispose()
process.off("SIGINT", onSignal)

if (Exit.isFailure(exit)) {
  const error: unknown = Cause.squash(exit.cause)
  const tag = typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : ""
  if (tag === "ShowHelp") {
    // effect/cli has printed the help and the parse errors; its exit code says which it was.
    const code = (error as { readonly [Runtime.errorExitCode]?: number })[Runtime.errorExitCode]
    process.exitCode = code ?? 1
  } else {
    const message =
      typeof error === "object" && error !== null && "message" in error
        ? String(error.message)
        : String(error)
    process.stderr.write(`error: ${message}\n`)
    process.exitCode = tag === "Stopped" ? 130 : 1
  }
}
