/**
 * The rules of the architectures' options, each stated once as an Effect Schema field: the
 * constructors check their options by decoding them with their architecture's Schema (`check`),
 * `ModelConfig.decode` checks model.json with the same Schemas, and `@vicinal/train` derives its
 * run config's `model` from them. A broken rule is an `InvalidArgument` naming the option's path
 * (`hidden[2]`), its value and what it must be.
 */
import { SchemaPath } from "@vicinal/core"
import { Exit, Schema, type SchemaIssue } from "effect"
import { type InvalidArgument, invalidOption } from "./Errors.ts"

const rule = (holds: (value: number) => boolean, expected: string): Schema.Number =>
  Schema.Number.check(Schema.makeFilter((value: number) => holds(value) || `must be ${expected}`))

export const positiveInt: Schema.Number = rule((v) => Number.isInteger(v) && v > 0, "a positive integer")

/** Dropout rates: 0 (off) up to, not including, 1. */
export const rate: Schema.Number = rule((v) => Number.isFinite(v) && v >= 0 && v < 1, "a number in [0, 1)")

export const seed: Schema.Number = rule(Number.isSafeInteger, "a safe integer")

/** A number in (0, 1] (DenseNet's compression). */
export const openUnit: Schema.Number = rule(
  (v) => Number.isFinite(v) && v > 0 && v <= 1,
  "a number in (0, 1]",
)

/** One of `values` (e.g. ResNet's depths). */
export const oneOf = (values: ReadonlyArray<number>): Schema.Number =>
  rule((v) => values.includes(v), `one of ${values.join(", ")}`)

/** Depth of the 6n + 4 families (WideResNet, DenseNet-BC); `examples` are typical depths. */
export const sixNPlusFour = (examples: string): Schema.Number =>
  rule((v) => Number.isInteger(v) && v >= 10 && (v - 4) % 6 === 0, `6n + 4 with n >= 1 (e.g. ${examples})`)

/** The blocks per stage of a 6n + 4 depth. */
export const perStage = (depth: number): number => (depth - 4) / 6

const list = (
  element: Schema.Number,
  holds: (values: ReadonlyArray<number>) => boolean,
  expected: string,
): Schema.$Array<Schema.Number> =>
  Schema.Array(element).check(
    Schema.makeFilter((values: ReadonlyArray<number>) => holds(values) || `must be ${expected}`),
  )

/** Positive integers (`hidden` may be empty: a linear classifier). */
export const positiveInts: Schema.$Array<Schema.Number> = Schema.Array(positiveInt)

export const nonEmptyPositiveInts: Schema.$Array<Schema.Number> = list(
  positiveInt,
  (values) => values.length > 0,
  "a non-empty list",
)

const isPositiveInt = (d: number) => Number.isInteger(d) && d > 0

/** Any non-empty shape (dense networks flatten it). */
export const inputShape: Schema.$Array<Schema.Number> = list(
  Schema.Number,
  (shape) => shape.length > 0 && shape.every(isPositiveInt),
  "a non-empty list of positive integers",
)

/**
 * An [h, w, c] image at least `min` in height and width: below it a stage would pool down to a
 * 0-sized map, and tfjs would still build the net and return all-zero logits. `why` names the
 * layers that need the size.
 */
export const imageShape = (min = 1, why = ""): Schema.$Array<Schema.Number> =>
  Schema.Array(Schema.Number).check(
    Schema.makeFilter((shape: ReadonlyArray<number>) =>
      shape.length !== 3 || !shape.every(isPositiveInt)
        ? "must be 3 positive integers"
        : (shape[0]! >= min && shape[1]! >= min) ||
          `must be at least ${min} x ${min} in height and width (${why})`,
    ),
  )

/** The options every architecture takes (a run supplies them from its data and seed). */
export type CommonFields = {
  /** Shape of one example: [features] for dense networks, [height, width, channels] for images. */
  readonly inputShape: Schema.$Array<Schema.Number>
  readonly numClasses: Schema.Number
  /** Seed of the weight initialisation; default 0. */
  readonly seed: Schema.optionalKey<Schema.Number>
}

export const common = (shape: Schema.$Array<Schema.Number>): CommonFields => ({
  inputShape: shape,
  numClasses: positiveInt,
  seed: Schema.optionalKey(seed),
})

/** The Schema of one architecture's config: its `kind`, the common options and its own. */
export type Member<Kind extends string, Own extends Schema.Struct.Fields> = Schema.Struct<
  { readonly kind: Schema.Literal<Kind> } & CommonFields & Own
>

/** A constructor's options: its config without the `kind`. */
export type OptionsOf<S extends Schema.Top> = Omit<S["Type"], "kind">

/** Schema's issue message as the end of "<field> must be ...": "Expected number" -> "number". */
const expectation = (message: string): string =>
  message === "Missing key" ? "present" : message.replace(/^(Expected |must be )/, "")

/** The first failing field of a decoding issue as an `InvalidArgument` from `model`. */
export const toError = (model: string, issue: SchemaIssue.Issue, input: unknown): InvalidArgument => {
  const first = SchemaPath.firstIssue(issue, input)
  return invalidOption(
    model,
    first.field === "" ? "config" : first.field,
    first.field === "" ? input : first.value,
    expectation(first.message ?? "valid"),
  )
}

/**
 * Check `options` of the architecture `model` against its Schema; throws the `InvalidArgument`
 * of the first broken rule (constructors are synchronous).
 */
export const check = <S extends Schema.Top & { readonly DecodingServices: never }>(
  schema: S,
  model: string,
  options: object,
): void => {
  const input = { kind: model, ...options }
  const result = Schema.decodeUnknownExit(schema)(input)
  if (Exit.isFailure(result)) {
    const error = Exit.findErrorOption(result)
    throw error._tag === "Some"
      ? toError(model, error.value.issue, input)
      : invalidOption(model, "config", options, "valid options")
  }
}
