/**
 * Typed failures of the models package. Constructors and `forward` are synchronous (they sit
 * in hot paths and inside `tf.tidy`), so they throw these tagged instances; the Effect APIs
 * (`FileIO`, `Persist`, `Checkpoint`) put them in the error channel.
 */
import type { Errors as CoreErrors } from "@vicinal/core"
import { Data } from "effect"

const show = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/** What was wrong: which argument of which model, its value, and what it should have been. */
interface ArgumentProblem {
  readonly model: string
  readonly argument: string
  readonly value: unknown
  readonly expected: string
}

const argumentMessage = (where: string, argument: string, value: unknown, expected: string): string =>
  `${where}: ${argument} must be ${expected}, got ${show(value)}`

const ModelConfigErrorBase: CoreErrors.TaggedErrorClass<"ModelConfigError"> =
  Data.TaggedError("ModelConfigError")
/** A constructor option is invalid. */
export class ModelConfigError extends ModelConfigErrorBase<ArgumentProblem> {
  override get message(): string {
    return argumentMessage(this.model, this.argument, this.value, this.expected)
  }
}

const ForwardInputErrorBase: CoreErrors.TaggedErrorClass<"ForwardInputError"> =
  Data.TaggedError("ForwardInputError")
/** `forward` was called with an input or mixing options the network cannot take. */
export class ForwardInputError extends ForwardInputErrorBase<ArgumentProblem> {
  override get message(): string {
    return argumentMessage(`${this.model}.forward`, this.argument, this.value, this.expected)
  }
}

const ModelIOErrorBase: CoreErrors.TaggedErrorClass<"ModelIOError"> = Data.TaggedError("ModelIOError")
/** Reading or writing model files failed, or the files do not describe a vicinal model. */
export class ModelIOError extends ModelIOErrorBase<{
  readonly operation: "save" | "load"
  readonly path: string
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `${this.operation} ${this.path}: ${this.reason}`
  }
}

const WeightsMismatchErrorBase: CoreErrors.TaggedErrorClass<"WeightsMismatchError"> =
  Data.TaggedError("WeightsMismatchError")
/** Stored weights do not fit the classifier (names, shapes or byte layout differ). */
export class WeightsMismatchError extends WeightsMismatchErrorBase<ArgumentProblem> {
  override get message(): string {
    return argumentMessage(this.model, this.argument, this.value, this.expected)
  }
}

export type ModelError = ModelConfigError | ForwardInputError | ModelIOError | WeightsMismatchError
