/**
 * Typed failures of a training run. Every message names the offending argument or file
 * and the value found, so that a CLI can print it as is.
 */
import { Cause, Data, Effect, Exit, Schema } from "effect"

/** A run configuration (or one option) failed validation; `field` is its path, e.g. `optimizer.lr`. */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly field: string
  readonly message: string
}> {}

/** No backend could be initialised, or the named one failed. */
export class BackendError extends Data.TaggedError("BackendError")<{
  readonly backend: string
  readonly message: string
}> {}

/** Why a checkpoint was refused: unreadable, damaged, or written for another run/model. */
export type CheckpointProblem = "io" | "missing" | "corrupt" | "version" | "mismatch"

export class CheckpointError extends Data.TaggedError("CheckpointError")<{
  readonly path: string
  readonly problem: CheckpointProblem
  readonly message: string
}> {}

/** A sibling package (data, core, models, losses) failed while the run used it. */
export class StepError extends Data.TaggedError("StepError")<{
  readonly stage: "data" | "strategy" | "model" | "loss" | "optimizer" | "evaluate"
  readonly message: string
  readonly cause?: unknown
}> {}

export type TrainError = ConfigError | BackendError | CheckpointError | StepError

/** The message of anything thrown, for wrapping foreign failures. */
export const describe = (cause: unknown): string =>
  cause instanceof Error ? cause.message : typeof cause === "string" ? cause : JSON.stringify(cause)

/** The path of the first failing field in a Schema error message (`at ["optimizer"]["lr"]` -> `optimizer.lr`). */
const fieldOf = (message: string): string => {
  const at = /at (\[.*\])\s*$/m.exec(message)?.[1] ?? ""
  return [...at.matchAll(/\[("?)([^\]"]*)\1\]/g)].map((m) => m[2]).join(".")
}

/** A `ConfigError` naming the failing field (under `root`) and what was expected there. */
export const configErrorFrom = (error: { readonly message: string }, root: string): ConfigError => {
  const inner = fieldOf(error.message)
  const field = inner === "" ? root : root === "" ? inner : `${root}.${inner}`
  const expected = error.message.split("\n")[0] ?? error.message
  return new ConfigError({ field, message: `${field === "" ? "config" : field}: ${expected}` })
}

/** Decode `input`, or THROW a `ConfigError` naming the field (for synchronous constructors). */
export const decodeOrThrow = <A>(schema: Schema.ConstraintDecoder<A>, input: unknown, root: string): A => {
  const result = Schema.decodeUnknownExit(schema)(input)
  if (Exit.isSuccess(result)) return result.value
  throw configErrorFrom(Cause.squash(result.cause) as Error, root)
}

/** Decode `input` in the error channel, failing with a `ConfigError` naming the field. */
export const decodeEffect = <A>(
  schema: Schema.ConstraintDecoder<A>,
  input: unknown,
  root: string,
): Effect.Effect<A, ConfigError> =>
  Schema.decodeUnknownEffect(schema)(input).pipe(Effect.mapError((e) => configErrorFrom(e, root)))
