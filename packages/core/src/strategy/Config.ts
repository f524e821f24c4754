/** The Effect Schema of strategies and the JSON round trip. */
import { Effect, Schema, type SchemaIssue } from "effect"
import { InvalidArgument } from "../Errors.ts"
import type * as Lambda from "../Lambda.ts"
import type * as Pairing from "../Pairing.ts"
import * as Rules from "../Rules.ts"
import * as SchemaPath from "../SchemaPath.ts"
import type { Mixers, Strategy } from "./Algebra.ts"
import { CustomMixers, customParams, mixerOf } from "./Custom.ts"
import { validate } from "./Validate.ts"

// The numeric rules are `Rules`' (validate checks the same ones); cross-field rules (min <= max,
// non-empty lists, not all weights zero) are validate's alone, which fromConfig runs after decoding.
const positive = Rules.field(Rules.positive)
const unit = Rules.field(Rules.unit)
const probability = Rules.field(Rules.probability)
const nonNegative = Rules.field(Rules.nonNegative)
const epochIndex = Rules.field(Rules.index)

export const SamplerConfig: Schema.Codec<Lambda.Sampler> = Schema.Union([
  Schema.TaggedStruct("Beta", { a: positive, b: positive }),
  Schema.TaggedStruct("Uniform", {
    max: Rules.field(Rules.openUnit),
  }),
  Schema.TaggedStruct("Constant", { value: unit }),
  Schema.TaggedStruct("Folded", { sampler: Schema.suspend(() => SamplerConfig) }),
  Schema.TaggedStruct("Schedule", {
    segments: Schema.Array(
      Schema.Struct({ fromEpoch: epochIndex, sampler: Schema.suspend(() => SamplerConfig) }),
    ),
  }),
])

export const PairingConfig: Schema.Codec<Pairing.Pairing> = Schema.Union([
  Schema.TaggedStruct("RandomPermutation", {}),
  Schema.TaggedStruct("Flip", {}),
  Schema.TaggedStruct("Roll", { shift: Rules.field(Rules.integer) }),
  Schema.TaggedStruct("SameClass", {}),
  Schema.TaggedStruct("Knn", {
    k: Rules.field(Rules.count),
    sameClass: Schema.Boolean,
  }),
  Schema.TaggedStruct("Custom", { name: Schema.String }),
])

const GranularityConfig = Schema.Literals(["batch", "pair", "element"])
const LayoutConfig = Schema.optionalKey(Schema.Literals(["NHWC", "NCHW"]))
const BoxRangeConfig = Schema.optionalKey(Schema.Tuple([unit, unit]))

/** The Effect Schema of a strategy: decoding checks every parameter and names the field on failure. */
export const Config: Schema.Codec<Strategy> = Schema.Union([
  Schema.TaggedStruct("Erm", {}),
  Schema.TaggedStruct("Mixup", {
    lambda: SamplerConfig,
    pairing: PairingConfig,
    granularity: GranularityConfig,
    labels: Schema.Literals(["interpolate", "keepFirst"]),
  }),
  Schema.TaggedStruct("CutMix", {
    lambda: SamplerConfig,
    pairing: PairingConfig,
    granularity: GranularityConfig,
    correctLambda: Schema.Boolean,
    minMax: BoxRangeConfig,
    layout: LayoutConfig,
  }),
  Schema.TaggedStruct("MixupCutMix", {
    mixupLambda: SamplerConfig,
    cutmixLambda: SamplerConfig,
    prob: probability,
    switchProb: probability,
    correctLambda: Schema.Boolean,
    minMax: BoxRangeConfig,
    pairing: PairingConfig,
    granularity: GranularityConfig,
    layout: LayoutConfig,
  }),
  Schema.TaggedStruct("ResizeMix", {
    minScale: positive,
    maxScale: unit,
    pairing: PairingConfig,
    granularity: GranularityConfig,
    layout: LayoutConfig,
  }),
  Schema.TaggedStruct("FMix", {
    lambda: SamplerConfig,
    decay: positive,
    pairing: PairingConfig,
    granularity: GranularityConfig,
    layout: LayoutConfig,
  }),
  Schema.TaggedStruct("LabelSmoothing", { epsilon: probability }),
  Schema.TaggedStruct("GaussianNoise", { sigma: nonNegative }),
  Schema.TaggedStruct("WithProbability", { p: probability, strategy: Schema.suspend(() => Config) }),
  Schema.TaggedStruct("OneOf", {
    options: Schema.Array(Schema.Struct({ weight: nonNegative, strategy: Schema.suspend(() => Config) })),
  }),
  Schema.TaggedStruct("Chain", { strategies: Schema.Array(Schema.suspend(() => Config)) }),
  Schema.TaggedStruct("Schedule", {
    segments: Schema.Array(Schema.Struct({ fromEpoch: epochIndex, strategy: Schema.suspend(() => Config) })),
  }),
  Schema.TaggedStruct("Manifold", {
    stages: Schema.Array(epochIndex),
    strategy: Schema.suspend(() => Config),
  }),
  Schema.TaggedStruct("Custom", { name: Schema.String, params: Schema.Unknown }),
])

const toInvalidArgument = (input: unknown, issue: SchemaIssue.Issue): InvalidArgument => {
  const first = SchemaPath.firstIssue(issue, input)
  return new InvalidArgument({
    argument: first.field,
    value: first.value,
    expected: first.message ?? "invalid",
  })
}

/**
 * Decode a strategy from JSON data (e.g. `JSON.parse` of a config file). Fails with
 * `InvalidArgument` naming the field path, e.g. `options[1].strategy.lambda.a`, both for a config
 * that does not decode and for one that breaks a cross-field rule (all oneOf weights zero, an
 * empty list).
 */
export const fromConfig = (json: unknown): Effect.Effect<Strategy, InvalidArgument> =>
  Schema.decodeUnknownEffect(Config)(json).pipe(
    Effect.mapError((e) => toInvalidArgument(json, e.issue)),
    Effect.flatMap((strategy) =>
      Effect.gen(function* () {
        const error = validate(strategy) ?? unknownMixer(strategy, "", yield* Effect.service(CustomMixers))
        return error === undefined ? strategy : yield* Effect.fail(error)
      }),
    ),
  )

// Where each child sits in the JSON data of its combinator (the path `InvalidArgument` reports).
const childFields = (strategy: Strategy): ReadonlyArray<readonly [string, Strategy]> => {
  switch (strategy._tag) {
    case "WithProbability":
    case "Manifold":
      return [["strategy", strategy.strategy]]
    case "OneOf":
      return strategy.options.map((o, i) => [`options[${i}].strategy`, o.strategy] as const)
    case "Chain":
      return strategy.strategies.map((s, i) => [`strategies[${i}]`, s] as const)
    case "Schedule":
      return strategy.segments.map((g, i) => [`segments[${i}].strategy`, g.strategy] as const)
    default:
      return []
  }
}

// A user strategy whose mixer is not registered, or whose params its Schema rejects.
const unknownMixer = (strategy: Strategy, path: string, mixers: Mixers): InvalidArgument | undefined => {
  const at = (field: string) => (path === "" ? field : `${path}.${field}`)
  if (strategy._tag !== "Custom") {
    for (const [field, child] of childFields(strategy)) {
      const error = unknownMixer(child, at(field), mixers)
      if (error !== undefined) return error
    }
    return undefined
  }
  try {
    // Named by their JSON paths, so the InvalidArgument's argument is the config's field.
    customParams(strategy, mixerOf(strategy, mixers, at("name")), at("params"))
    return undefined
  } catch (error) {
    if (!(error instanceof InvalidArgument)) throw error
    return error
  }
}

/** The JSON data of a strategy (plain objects, numbers and strings); `fromConfig` reads it back. */
export const toConfig = (strategy: Strategy): unknown => JSON.parse(JSON.stringify(strategy))
