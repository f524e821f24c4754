/**
 * The first failing field of an Effect Schema decoding issue, written as a person would write it
 * (`options[1].strategy.lambda.a`, `hidden[1]`), with the value found there and Schema's message:
 * what every package's config errors report.
 */
import { SchemaIssue } from "effect"

export interface FirstIssue {
  /** The field's path as written: keys joined with dots, indices in brackets ("" for the root). */
  readonly field: string
  /** The value at that path in the input (undefined when missing). */
  readonly value: unknown
  /** Schema's message for it, e.g. "Expected a value greater than 0, got -1". */
  readonly message: string | undefined
}

/** `["options", 1, "strategy"]` -> `options[1].strategy`. */
export const format = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) =>
      typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`,
    "",
  )

/** The value at `path` in `input` (undefined when any step is missing). */
export const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>(
    (acc, key) =>
      typeof acc === "object" && acc !== null ? (acc as Record<PropertyKey, unknown>)[key] : undefined,
    input,
  )

/** The first failing field of `issue`, found in `input`. */
export const firstIssue = (issue: SchemaIssue.Issue, input: unknown): FirstIssue => {
  const first = SchemaIssue.makeFormatterStandardSchemaV1()(issue).issues[0]
  const path = (first?.path ?? []).map((p) => (typeof p === "object" && p !== null ? p.key : p))
  return { field: format(path), value: valueAt(input, path), message: first?.message }
}
