/**
 * Typed errors of @vicinal/core. Every message names the argument and the offending value.
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
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

const InvalidParameterBase: TaggedErrorClass<"InvalidParameter"> = Data.TaggedError("InvalidParameter")
/** A parameter outside its domain, e.g. `alpha must be > 0 and finite, got -1`. */
export class InvalidParameter extends InvalidParameterBase<{
  readonly argument: string
  readonly value: unknown
  readonly reason: string
}> {
  override get message(): string {
    return `InvalidParameter: ${this.argument} ${this.reason}, got ${show(this.value)}`
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
    return `ShapeMismatch: ${this.argument} must have ${this.expected}, got shape [${this.actual.join(", ")}]`
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
    return `NotADistribution: ${this.argument} row ${this.row} ${this.reason}, got ${this.value}`
  }
}

const EmptyBatchBase: TaggedErrorClass<"EmptyBatch"> = Data.TaggedError("EmptyBatch")
/** A batch with no examples. */
export class EmptyBatch extends EmptyBatchBase<{
  readonly argument: string
}> {
  override get message(): string {
    return `EmptyBatch: ${this.argument} has no examples (batch size 0)`
  }
}

const InvalidConfigBase: TaggedErrorClass<"InvalidConfig"> = Data.TaggedError("InvalidConfig")
/** A strategy config that does not decode; `path` is the field, e.g. `options[1].strategy.alpha`. */
export class InvalidConfig extends InvalidConfigBase<{
  readonly path: string
  readonly value: unknown
  readonly reason: string
}> {
  override get message(): string {
    return `InvalidConfig: ${this.path === "" ? "config" : this.path}: ${this.reason}, got ${show(this.value)}`
  }
}

export type CoreError = InvalidParameter | ShapeMismatch | NotADistribution | EmptyBatch | InvalidConfig

const tags = new Set(["InvalidParameter", "ShapeMismatch", "NotADistribution", "EmptyBatch", "InvalidConfig"])

/** True for any error defined here (used to move thrown hot-path errors into Effect's error channel). */
export const isCoreError = (u: unknown): u is CoreError =>
  typeof u === "object" && u !== null && "_tag" in u && tags.has(String((u as { _tag: unknown })._tag))
