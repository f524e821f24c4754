/**
 * Typed errors of @vicinal/viz. Bad input is core's `InvalidArgument` (argument, value, what was
 * expected); the failures of the renderer and the disk name their stage or file first.
 *
 * All public functions return Effects and put these errors in the error channel; nothing
 * here throws.
 */
import { Errors as CoreErrors } from "@vicinal/core"
import { Data } from "effect"

type TaggedErrorClass<Tag extends string> = CoreErrors.TaggedErrorClass<Tag>

const show = (value: unknown): string => (value instanceof Error ? value.message : String(value))

/** Input data that cannot be drawn: empty, mismatched lengths, NaN, out of range (core's class). */
export const InvalidArgument: typeof CoreErrors.InvalidArgument = CoreErrors.InvalidArgument
export type InvalidArgument = CoreErrors.InvalidArgument

const RenderFailedBase: TaggedErrorClass<"RenderFailed"> = Data.TaggedError("RenderFailed")
/** The chart library or the SVG rasteriser failed (a defect or a missing package file). */
export class RenderFailed extends RenderFailedBase<{
  readonly stage: "chart" | "png"
  readonly cause: unknown
}> {
  override get message(): string {
    return `${this.stage} stage: ${show(this.cause)}`
  }
}

const WriteFailedBase: TaggedErrorClass<"WriteFailed"> = Data.TaggedError("WriteFailed")
/** Writing a picture to disk failed. */
export class WriteFailed extends WriteFailedBase<{
  readonly path: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `${this.path}: ${show(this.cause)}`
  }
}

export type VizError = InvalidArgument | RenderFailed | WriteFailed
