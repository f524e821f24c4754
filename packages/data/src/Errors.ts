/**
 * Typed errors of @vicinal/data. Each message starts with the file (or the argument) and says
 * what is wrong, so that a failed load never passes for a partial read; bad arguments are core's
 * `InvalidArgument`.
 */
import { Errors as CoreErrors } from "@vicinal/core"
import { Data } from "effect"

const hex = (n: number): string => `0x${n.toString(16).padStart(8, "0")}`

const FileNotFoundBase: CoreErrors.TaggedErrorClass<"FileNotFound"> = Data.TaggedError("FileNotFound")
export class FileNotFound extends FileNotFoundBase<{ readonly file: string }> {
  override get message(): string {
    return `${this.file}: not found`
  }
}

const FileUnreadableBase: CoreErrors.TaggedErrorClass<"FileUnreadable"> = Data.TaggedError("FileUnreadable")
export class FileUnreadable extends FileUnreadableBase<{
  readonly file: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.file}: cannot be read: ${this.reason}`
  }
}

const TruncatedBase: CoreErrors.TaggedErrorClass<"Truncated"> = Data.TaggedError("Truncated")
/** The file ends before the data its header (or record size) promises. */
export class Truncated extends TruncatedBase<{
  readonly file: string
  /** bytes the format requires */
  readonly expected: number
  /** bytes present */
  readonly actual: number
}> {
  override get message(): string {
    return `${this.file}: truncated: expected ${this.expected} bytes, found ${this.actual}`
  }
}

const BadMagicBase: CoreErrors.TaggedErrorClass<"BadMagic"> = Data.TaggedError("BadMagic")
export class BadMagic extends BadMagicBase<{
  readonly file: string
  readonly expected: number
  readonly actual: number
}> {
  override get message(): string {
    return `${this.file}: wrong magic number ${hex(this.actual)}, expected ${hex(this.expected)}`
  }
}

const LabelOutOfRangeBase: CoreErrors.TaggedErrorClass<"LabelOutOfRange"> =
  Data.TaggedError("LabelOutOfRange")
export class LabelOutOfRange extends LabelOutOfRangeBase<{
  readonly file: string
  /** position of the example in the file */
  readonly index: number
  readonly label: number
  readonly numClasses: number
}> {
  override get message(): string {
    return `${this.file}: label ${this.label} of example ${this.index} is outside [0, ${this.numClasses})`
  }
}

const ParseErrorBase: CoreErrors.TaggedErrorClass<"ParseError"> = Data.TaggedError("ParseError")
/** A text file that does not parse; line and column are 1-based. */
export class ParseError extends ParseErrorBase<{
  readonly file: string
  readonly line: number
  readonly column: number
  readonly reason: string
}> {
  override get message(): string {
    return `${this.file}:${this.line}:${this.column}: ${this.reason}`
  }
}

const InconsistentBase: CoreErrors.TaggedErrorClass<"Inconsistent"> = Data.TaggedError("Inconsistent")
/** Parts that must agree do not (image and label counts, trailing bytes, bad compression). */
export class Inconsistent extends InconsistentBase<{
  readonly file: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.file}: ${this.reason}`
  }
}

/** A bad argument or option (core's class, so that one `catchTag("InvalidArgument")` serves every package). */
export const InvalidArgument: typeof CoreErrors.InvalidArgument = CoreErrors.InvalidArgument
export type InvalidArgument = CoreErrors.InvalidArgument

export type DataError =
  | FileNotFound
  | FileUnreadable
  | Truncated
  | BadMagic
  | LabelOutOfRange
  | ParseError
  | Inconsistent
  | InvalidArgument

/** Tags of every `DataError`, for `Effect.catchTag` users and for narrowing unknown throws. */
export const tags = [
  "FileNotFound",
  "FileUnreadable",
  "Truncated",
  "BadMagic",
  "LabelOutOfRange",
  "ParseError",
  "Inconsistent",
  "InvalidArgument",
] as const

export const isDataError = (u: unknown): u is DataError =>
  typeof u === "object" &&
  u !== null &&
  "_tag" in u &&
  (tags as ReadonlyArray<unknown>).includes((u as { readonly _tag: unknown })._tag)
