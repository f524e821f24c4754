/**
 * Typed errors of @vicinal/viz. Every message names the argument and the offending value.
 *
 * All public functions return Effects and put these errors in the error channel; nothing
 * here throws.
 */
import { Data } from "effect"

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

/** Input data that cannot be drawn: empty, mismatched lengths, NaN, out of range. */
export class InvalidInput extends Data.TaggedError("InvalidInput")<{
  readonly argument: string
  readonly value: unknown
  readonly reason: string
}> {
  override get message(): string {
    return `InvalidInput: ${this.argument} ${this.reason}, got ${show(this.value)}`
  }
}

/** The chart library or the SVG rasteriser failed (a defect or a missing package file). */
export class RenderFailed extends Data.TaggedError("RenderFailed")<{
  readonly stage: "chart" | "png"
  readonly cause: unknown
}> {
  override get message(): string {
    return `RenderFailed: ${this.stage} stage: ${this.cause instanceof Error ? this.cause.message : show(this.cause)}`
  }
}

/** Writing a picture to disk failed. */
export class WriteFailed extends Data.TaggedError("WriteFailed")<{
  readonly path: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `WriteFailed: ${this.path}: ${this.cause instanceof Error ? this.cause.message : show(this.cause)}`
  }
}

export type VizError = InvalidInput | RenderFailed | WriteFailed
