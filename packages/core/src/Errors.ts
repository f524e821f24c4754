/**
 * Typed errors of @vicinal/core, the error vocabulary of every package: bad input is
 * `InvalidArgument` (argument, value, what was expected, optionally what to do); the others name
 * the argument first in the same way. Messages never repeat the tag, which `String(error)` adds.
 *
 * Effect-returning APIs (`Strategy.apply`, `Strategy.fromConfig`) put them in the error
 * channel; the synchronous hot-path helpers (`Lambda.sample` / `sampleInto`, `Box.sample`,
 * `Strategy.plan`, `Strategy.execute`, `Host.execute`) throw these same tagged instances, so
 * callers can still match on `_tag`. Constructors (`Strategy.mixup`, `Lambda.beta`, ...) never
 * throw: they build plain values that those functions validate.
 */
import { Data } from "effect"

/**
 * The class `Data.TaggedError(tag)` returns. Each error class extends a constant of this explicit
 * type instead of the call itself, because JSR's type check does not infer a base-class
 * expression (the published `.d.ts` is the same either way).
 */
export type TaggedErrorClass<Tag extends string> = ReturnType<typeof Data.TaggedError<Tag>>

const show = (value: unknown): string => {
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value)
  if (value === undefined) return "undefined"
  try {
    const text = JSON.stringify(value) ?? String(value)
    return text.length > 120 ? `${text.slice(0, 117)}...` : text
  } catch {
    return String(value)
  }
}

/** The fields of a bad argument; `InvalidArgument.message` is built from them by `describeArgument`. */
export interface ArgumentProblem {
  /** The argument or config field at fault, as the caller wrote it: `alpha`, `optimizer.lr`, `x[3]`. */
  readonly argument: string
  /** The value it had (`undefined` when it was missing). */
  readonly value: unknown
  /** What it must be, as a clause that follows the argument: `must be > 0 and finite`. */
  readonly expected: string
  /** What to do about it, when there is more to say than `expected`: `pass --resume to continue`. */
  readonly fix?: string
  /** Who refused it, when the argument alone does not say: a model (`ResNet`), `ResNet.forward`. */
  readonly source?: string
}

/**
 * The one message of a bad argument, e.g. `ResNet: depth: must be one of 18, 34, got 19`. It does
 * not start with the tag: `String(error)` and stack traces put the tag (the error's `name`) first.
 */
export const describeArgument = (problem: ArgumentProblem): string =>
  `${problem.source === undefined ? "" : `${problem.source}: `}${problem.argument === "" ? "config" : problem.argument}: ${problem.expected}, got ${show(problem.value)}${problem.fix === undefined ? "" : `; ${problem.fix}`}`

const InvalidArgumentBase: TaggedErrorClass<"InvalidArgument"> = Data.TaggedError("InvalidArgument")
/**
 * Bad input of every package: an argument, option or config field outside its domain, e.g.
 * `alpha: must be > 0 and finite, got -1`. One class, so that one `catchTag("InvalidArgument")`
 * serves core, data, losses, models, train, attacks and viz.
 */
export class InvalidArgument extends InvalidArgumentBase<ArgumentProblem> {
  override get message(): string {
    return describeArgument(this)
  }
}

const ShapeMismatchBase: TaggedErrorClass<"ShapeMismatch"> = Data.TaggedError("ShapeMismatch")
/** Two tensors or arrays whose shapes must agree do not. */
export class ShapeMismatch extends ShapeMismatchBase<{
  readonly argument: string
  readonly expected: string
  readonly actual: ReadonlyArray<number>
}> {
  override get message(): string {
    return `${this.argument}: must have ${this.expected}, got shape [${this.actual.join(", ")}]`
  }
}

const NotADistributionBase: TaggedErrorClass<"NotADistribution"> = Data.TaggedError("NotADistribution")
/** A target row that is not a probability distribution (negative entry or sum far from 1). */
export class NotADistribution extends NotADistributionBase<{
  readonly argument: string
  readonly row: number
  readonly value: number
  readonly reason: string
}> {
  override get message(): string {
    return `${this.argument}: row ${this.row} ${this.reason}, got ${this.value}`
  }
}

const EmptyBatchBase: TaggedErrorClass<"EmptyBatch"> = Data.TaggedError("EmptyBatch")
/** A batch with no examples. */
export class EmptyBatch extends EmptyBatchBase<{
  readonly argument: string
}> {
  override get message(): string {
    return `${this.argument}: has no examples (batch size 0)`
  }
}

export type CoreError = InvalidArgument | ShapeMismatch | NotADistribution | EmptyBatch

const tags = new Set(["InvalidArgument", "ShapeMismatch", "NotADistribution", "EmptyBatch"])

/** True for any error defined here (used to move thrown hot-path errors into Effect's error channel). */
export const isCoreError = (u: unknown): u is CoreError =>
  typeof u === "object" && u !== null && "_tag" in u && tags.has(String((u as { _tag: unknown })._tag))
