/**
 * Typed failures of the command line. Each message names the flag, field or file at fault and
 * what is accepted, so `main` can print it as is.
 */
import { Data } from "effect"

/** A flag or config field has a value the command cannot use. */
export class UsageError extends Data.TaggedError("UsageError")<{
  /** The flag (`--epochs`) or config field (`optimizer.lr`). */
  readonly argument: string
  readonly message: string
}> {}

/** A results folder, config or model file could not be read or written. */
export class FileError extends Data.TaggedError("FileError")<{
  readonly path: string
  readonly message: string
}> {}

/** The run was stopped (Ctrl-C) after writing a checkpoint; `--resume` continues it. */
export class Stopped extends Data.TaggedError("Stopped")<{
  readonly dir: string
  readonly message: string
}> {}

/** A sibling package failed (training, attacks, pictures); the message is theirs, prefixed. */
export class StepFailed extends Data.TaggedError("StepFailed")<{
  readonly step: string
  readonly message: string
}> {}

export type CliError = UsageError | FileError | Stopped | StepFailed

/** The message of anything thrown or failed, for wrapping foreign failures. */
export const describe = (cause: unknown): string =>
  cause instanceof Error
    ? cause.message
    : typeof cause === "object" && cause !== null && "message" in cause
      ? String((cause as { readonly message: unknown }).message)
      : typeof cause === "string"
        ? cause
        : JSON.stringify(cause)

/** Wrap any failure of `step` as `StepFailed`, keeping the CLI's own errors as they are. */
export const stepFailed =
  (step: string) =>
  (cause: unknown): CliError =>
    typeof cause === "object" &&
    cause !== null &&
    "_tag" in cause &&
    ["UsageError", "FileError", "Stopped", "StepFailed"].includes(String((cause as { _tag: unknown })._tag))
      ? (cause as CliError)
      : new StepFailed({ step, message: `${step}: ${describe(cause)}` })
