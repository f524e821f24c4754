/**
 * Typed failures of a training run. Every message names the offending argument or file
 * and the value found, so that a CLI can print it as is.
 */

import type { Errors as CoreErrors } from "@vicinal/core"
import { SchemaPath } from "@vicinal/core"
import { Cause, Data, Effect, Exit, Schema } from "effect"

const ConfigErrorBase: CoreErrors.TaggedErrorClass<"ConfigError"> = Data.TaggedError("ConfigError")
/** A run configuration (or one option) failed validation; `field` is its path, e.g. `optimizer.lr`. */
export class ConfigError extends ConfigErrorBase<{
  readonly field: string
  readonly message: string
}> {}

const BackendErrorBase: CoreErrors.TaggedErrorClass<"BackendError"> = Data.TaggedError("BackendError")
/** No backend could be initialised, or the named one failed. */
export class BackendError extends BackendErrorBase<{
  readonly backend: string
  readonly message: string
}> {}

/** Why a checkpoint was refused: unreadable, damaged, or written for another run/model. */
export type CheckpointProblem = "io" | "missing" | "corrupt" | "version" | "mismatch" | "exists"

const CheckpointErrorBase: CoreErrors.TaggedErrorClass<"CheckpointError"> =
  Data.TaggedError("CheckpointError")
export class CheckpointError extends CheckpointErrorBase<{
  readonly path: string
  readonly problem: CheckpointProblem
  readonly message: string
}> {}

const StepErrorBase: CoreErrors.TaggedErrorClass<"StepError"> = Data.TaggedError("StepError")
/** A sibling package (data, core, models, losses) failed while the run used it. */
export class StepError extends StepErrorBase<{
  readonly stage: "data" | "strategy" | "model" | "loss" | "optimizer" | "evaluate"
  readonly message: string
  readonly cause?: unknown
}> {}

export type TrainError = ConfigError | BackendError | CheckpointError | StepError

/** The message of anything thrown, for wrapping foreign failures. */
export const describe = (cause: unknown): string =>
  cause instanceof Error ? cause.message : typeof cause === "string" ? cause : JSON.stringify(cause)

/** A `ConfigError` naming the first failing field (under `root`), what was expected and the value found. */
export const configErrorFrom = (error: Schema.SchemaError, root: string, input?: unknown): ConfigError => {
  const first = SchemaPath.firstIssue(error.issue, input)
  const field = [root, first.field].filter((p) => p !== "").join(first.field.startsWith("[") ? "" : ".")
  const found =
    input === undefined ? "" : `, got ${first.value === undefined ? "nothing" : JSON.stringify(first.value)}`
  return new ConfigError({
    field,
    message: `${field === "" ? "config" : field}: ${first.message ?? error.message}${found}`,
  })
}

/** Decode `input`, or THROW a `ConfigError` naming the field (for synchronous constructors). */
export const decodeOrThrow = <A>(schema: Schema.ConstraintDecoder<A>, input: unknown, root: string): A => {
  const result = Schema.decodeUnknownExit(schema, { onExcessProperty: "error" })(input)
  if (Exit.isSuccess(result)) return result.value
  throw configErrorFrom(Cause.squash(result.cause) as Schema.SchemaError, root, input)
}

/** Decode `input` in the error channel, failing with a `ConfigError` naming the field. */
export const decodeEffect = <A>(
  schema: Schema.ConstraintDecoder<A>,
  input: unknown,
  root: string,
): Effect.Effect<A, ConfigError> =>
  Schema.decodeUnknownEffect(schema, { onExcessProperty: "error" })(input).pipe(
    Effect.mapError((e) => configErrorFrom(e, root, input)),
  )
