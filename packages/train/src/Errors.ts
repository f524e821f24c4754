/**
 * Typed failures of a training run. Bad config fields and options are core's `InvalidArgument`
 * (its `argument` is the field's path, e.g. `optimizer.lr`); the others name the backend, file or
 * stage first. No message repeats its tag, so that a CLI can print it as is.
 */

import { Errors as CoreErrors, SchemaPath } from "@vicinal/core"
import { Cause, Data, Effect, Exit, Schema } from "effect"

/** A run configuration (or one option) failed validation; `argument` is its path, e.g. `optimizer.lr`. */
export const InvalidArgument: typeof CoreErrors.InvalidArgument = CoreErrors.InvalidArgument
export type InvalidArgument = CoreErrors.InvalidArgument

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

export type TrainError = InvalidArgument | BackendError | CheckpointError | StepError

/** The message of anything thrown, for wrapping foreign failures. */
export const describe = (cause: unknown): string =>
  cause instanceof Error ? cause.message : typeof cause === "string" ? cause : JSON.stringify(cause)

/** An `InvalidArgument` naming the first failing field (under `root`), what was expected and the value found. */
export const fromSchemaError = (
  error: Schema.SchemaError,
  root: string,
  input?: unknown,
): InvalidArgument => {
  const first = SchemaPath.firstIssue(error.issue, input)
  return new InvalidArgument({
    argument: [root, first.field].filter((p) => p !== "").join(first.field.startsWith("[") ? "" : "."),
    value: first.value,
    expected: first.message ?? error.message,
  })
}

/** Decode `input`, or THROW an `InvalidArgument` naming the field (for synchronous constructors). */
export const decodeOrThrow = <A>(schema: Schema.ConstraintDecoder<A>, input: unknown, root: string): A => {
  const result = Schema.decodeUnknownExit(schema, { onExcessProperty: "error" })(input)
  if (Exit.isSuccess(result)) return result.value
  throw fromSchemaError(Cause.squash(result.cause) as Schema.SchemaError, root, input)
}

/** Decode `input` in the error channel, failing with an `InvalidArgument` naming the field. */
export const decodeEffect = <A>(
  schema: Schema.ConstraintDecoder<A>,
  input: unknown,
  root: string,
): Effect.Effect<A, InvalidArgument> =>
  Schema.decodeUnknownEffect(schema, { onExcessProperty: "error" })(input).pipe(
    Effect.mapError((e) => fromSchemaError(e, root, input)),
  )
