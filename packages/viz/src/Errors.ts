/**
 * Typed errors of @vicinal/viz. Every message names the argument and the offending value.
 *
 * All public functions return Effects and put these errors in the error channel; nothing
 * here throws.
 */
import { Data } from "effect"

// The class `Data.TaggedError(tag)` returns. Each error class extends a constant of this explicit
// type instead of the call itself, because JSR's type check does not infer a base-class
// expression (as in @vicinal/core's Errors, which this package does not depend on).
type TaggedErrorClass<Tag extends string> = ReturnType<typeof Data.TaggedError<Tag>>

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

const InvalidInputBase: TaggedErrorClass<"InvalidInput"> = Data.TaggedError("InvalidInput")
/** Input data that cannot be drawn: empty, mismatched lengths, NaN, out of range. */
export class InvalidInput extends InvalidInputBase<{
  readonly argument: string
  readonly value: unknown
  readonly reason: string
}> {
  override get message(): string {
    return `InvalidInput: ${this.argument} ${this.reason}, got ${show(this.value)}`
  }
}

const RenderFailedBase: TaggedErrorClass<"RenderFailed"> = Data.TaggedError("RenderFailed")
/** The chart library or the SVG rasteriser failed (a defect or a missing package file). */
export class RenderFailed extends RenderFailedBase<{
  readonly stage: "chart" | "png"
  readonly cause: unknown
}> {
  override get message(): string {
    return `RenderFailed: ${this.stage} stage: ${this.cause instanceof Error ? this.cause.message : show(this.cause)}`
  }
}

const WriteFailedBase: TaggedErrorClass<"WriteFailed"> = Data.TaggedError("WriteFailed")
/** Writing a picture to disk failed. */
export class WriteFailed extends WriteFailedBase<{
  readonly path: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `WriteFailed: ${this.path}: ${this.cause instanceof Error ? this.cause.message : show(this.cause)}`
  }
}

export type VizError = InvalidInput | RenderFailed | WriteFailed
