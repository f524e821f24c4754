/**
 * Typed failures of the models package: bad options and inputs are core's `InvalidArgument`
 * (its `source` names the model, e.g. `ResNet` or `ResNet.forward`). Constructors and `forward` are synchronous (they sit
 * in hot paths and inside `tf.tidy`), so they throw these tagged instances; the Effect APIs
 * (`FileIO`, `Persist`, `Checkpoint`) put them in the error channel.
 */
import { Errors as CoreErrors } from "@vicinal/core"
import { Data } from "effect"

/** A bad option or input (core's class, so that one `catchTag("InvalidArgument")` serves every package). */
export const InvalidArgument: typeof CoreErrors.InvalidArgument = CoreErrors.InvalidArgument
export type InvalidArgument = CoreErrors.InvalidArgument

/** A constructor option of `model` outside its domain; `expected` completes "must be", e.g. "a positive integer". */
export const invalidOption = (
  model: string,
  argument: string,
  value: unknown,
  expected: string,
): InvalidArgument => new InvalidArgument({ source: model, argument, value, expected: `must be ${expected}` })

/** An input or mixing option that `model.forward` cannot take. */
export const invalidInput = (
  model: string,
  argument: string,
  value: unknown,
  expected: string,
): InvalidArgument => invalidOption(`${model}.forward`, argument, value, expected)

const ModelIOErrorBase: CoreErrors.TaggedErrorClass<"ModelIOError"> = Data.TaggedError("ModelIOError")
/** Reading or writing model files failed, or the files do not describe a vicinal model. */
export class ModelIOError extends ModelIOErrorBase<{
  readonly operation: "save" | "load"
  readonly path: string
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `${this.path}: cannot ${this.operation}: ${this.reason}`
  }
}

const WeightsMismatchErrorBase: CoreErrors.TaggedErrorClass<"WeightsMismatchError"> =
  Data.TaggedError("WeightsMismatchError")
/** Stored weights do not fit the classifier (names, shapes or byte layout differ). */
export class WeightsMismatchError extends WeightsMismatchErrorBase<{
  readonly model: string
  readonly argument: string
  readonly value: unknown
  readonly expected: string
}> {
  override get message(): string {
    return CoreErrors.describeArgument({
      source: this.model,
      argument: this.argument,
      value: this.value,
      expected: `must be ${this.expected}`,
    })
  }
}

export type ModelError = InvalidArgument | ModelIOError | WeightsMismatchError
