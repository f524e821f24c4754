/**
 * A network as plain data: which architecture and its options. `Persist.save` stores it in
 * model.json, `Persist.load` decodes it with this Schema and rebuilds the network before
 * loading the weights.
 */
import { SchemaPath } from "@vicinal/core"
import { Effect, Schema, type SchemaIssue, type Scope } from "effect"
import type { Classifier } from "./Classifier.ts"
import { denseNetBC } from "./DenseNet.ts"
import { InvalidArgument, invalidOption } from "./Errors.ts"
import { mlp } from "./Mlp.ts"
import { preActResNet18 } from "./PreActResNet.ts"
import { resNet } from "./ResNet.ts"
import { smallCnn } from "./SmallCnn.ts"
import { wideResNet } from "./WideResNet.ts"

// Explicit types for the schemas below: JSR's type check does not infer them.
type CommonFields = {
  readonly inputShape: Schema.$Array<Schema.Number>
  readonly numClasses: Schema.Number
  readonly seed: Schema.optionalKey<Schema.Number>
  readonly dropout: Schema.optionalKey<Schema.Number>
}
type Fields<Kind extends string, Rest> = CommonFields & { readonly kind: Schema.Literal<Kind> } & Rest
type Optional<T extends Schema.Top> = Schema.optionalKey<T>

const common: CommonFields = {
  inputShape: Schema.Array(Schema.Number),
  numClasses: Schema.Number,
  seed: Schema.optionalKey(Schema.Number),
  dropout: Schema.optionalKey(Schema.Number),
}

export const MlpConfig: Schema.Struct<Fields<"mlp", { readonly hidden: Schema.$Array<Schema.Number> }>> =
  Schema.Struct({
    kind: Schema.Literal("mlp"),
    ...common,
    hidden: Schema.Array(Schema.Number),
  })

export const SmallCnnConfig: Schema.Struct<
  Fields<
    "smallCnn",
    {
      readonly filters: Optional<Schema.Tuple<readonly [Schema.Number, Schema.Number]>>
      readonly dense: Optional<Schema.Number>
    }
  >
> = Schema.Struct({
  kind: Schema.Literal("smallCnn"),
  ...common,
  filters: Schema.optionalKey(Schema.Tuple([Schema.Number, Schema.Number])),
  dense: Schema.optionalKey(Schema.Number),
})

export const PreActResNetConfig: Schema.Struct<
  Fields<
    "preActResNet",
    {
      readonly blocks: Optional<Schema.$Array<Schema.Number>>
      readonly width: Optional<Schema.Number>
      readonly finalBatchNorm: Optional<Schema.Boolean>
      readonly headDropout: Optional<Schema.Number>
    }
  >
> = Schema.Struct({
  kind: Schema.Literal("preActResNet"),
  ...common,
  blocks: Schema.optionalKey(Schema.Array(Schema.Number)),
  width: Schema.optionalKey(Schema.Number),
  finalBatchNorm: Schema.optionalKey(Schema.Boolean),
  headDropout: Schema.optionalKey(Schema.Number),
})

export const WideResNetConfig: Schema.Struct<
  Fields<
    "wideResNet",
    {
      readonly depth: Optional<Schema.Number>
      readonly widenFactor: Optional<Schema.Number>
      readonly headDropout: Optional<Schema.Number>
    }
  >
> = Schema.Struct({
  kind: Schema.Literal("wideResNet"),
  ...common,
  depth: Schema.optionalKey(Schema.Number),
  widenFactor: Schema.optionalKey(Schema.Number),
  headDropout: Schema.optionalKey(Schema.Number),
})

export const DenseNetBCConfig: Schema.Struct<
  Fields<
    "denseNetBC",
    {
      readonly depth: Optional<Schema.Number>
      readonly growthRate: Optional<Schema.Number>
      readonly reduction: Optional<Schema.Number>
    }
  >
> = Schema.Struct({
  kind: Schema.Literal("denseNetBC"),
  ...common,
  depth: Schema.optionalKey(Schema.Number),
  growthRate: Schema.optionalKey(Schema.Number),
  reduction: Schema.optionalKey(Schema.Number),
})

export const ResNetConfig: Schema.Struct<
  Fields<
    "resNet",
    {
      readonly depth: Optional<Schema.Number>
      readonly groups: Optional<Schema.Number>
      readonly widthPerGroup: Optional<Schema.Number>
      readonly headDropout: Optional<Schema.Number>
    }
  >
> = Schema.Struct({
  kind: Schema.Literal("resNet"),
  ...common,
  depth: Schema.optionalKey(Schema.Number),
  groups: Schema.optionalKey(Schema.Number),
  widthPerGroup: Schema.optionalKey(Schema.Number),
  headDropout: Schema.optionalKey(Schema.Number),
})

export const ModelConfig: Schema.Union<
  readonly [
    typeof MlpConfig,
    typeof SmallCnnConfig,
    typeof PreActResNetConfig,
    typeof WideResNetConfig,
    typeof DenseNetBCConfig,
    typeof ResNetConfig,
  ]
> = Schema.Union([
  MlpConfig,
  SmallCnnConfig,
  PreActResNetConfig,
  WideResNetConfig,
  DenseNetBCConfig,
  ResNetConfig,
])
export type ModelConfig = typeof ModelConfig.Type

/** Build the network a config describes (synchronous; throws `InvalidArgument` for invalid options). */
export const build = (config: ModelConfig): Classifier => {
  switch (config.kind) {
    case "mlp":
      return mlp(config)
    case "smallCnn":
      return smallCnn(config)
    case "preActResNet":
      return preActResNet18(config)
    case "wideResNet":
      return wideResNet(config)
    case "denseNetBC":
      return denseNetBC(config)
    case "resNet":
      return resNet(config)
  }
}

const KINDS = ModelConfig.members.map((member) => member.fields.kind.literal)

/** Schema's issue message as the end of "<field> must be ...": "Expected number" -> "number". */
const expectation = (message: string): string =>
  message === "Missing key" ? "present" : message.replace(/^Expected /, "")

/**
 * The first failing field, as `@vicinal/core`'s Strategy.fromConfig reports it. A union that
 * matches no member fails at the root: for an object that is its `kind`, else the whole config.
 */
const toInvalidArgument = (json: unknown, issue: SchemaIssue.Issue): InvalidArgument => {
  const first = SchemaPath.firstIssue(issue, json)
  const fail = (argument: string, value: unknown, expected: string) =>
    invalidOption("config", argument, value, expected)
  if (first.field !== "") return fail(first.field, first.value, expectation(first.message ?? "valid"))
  return typeof json === "object" && json !== null && !Array.isArray(json)
    ? fail(
        "kind",
        (json as { kind?: unknown }).kind,
        `one of ${KINDS.map((k) => JSON.stringify(k)).join(", ")}`,
      )
    : fail("config", json, "an object with a kind")
}

/**
 * Decode untrusted JSON (e.g. from model.json) into a config. Fails with an `InvalidArgument`
 * whose argument is the failing field's path (`hidden[1]`, `growthRate`, `kind`).
 */
export const decode = (json: unknown): Effect.Effect<ModelConfig, InvalidArgument> =>
  Schema.decodeUnknownEffect(ModelConfig)(json).pipe(
    Effect.mapError((error) => toInvalidArgument(json, error.issue)),
  )

/** Build inside an Effect: the error channel carries `InvalidArgument`, and the network is disposed when the scope closes. */
export const acquire = (config: ModelConfig): Effect.Effect<Classifier, InvalidArgument, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.try({
      try: () => build(config),
      catch: (error) =>
        error instanceof InvalidArgument
          ? error
          : invalidOption(config.kind, "config", config, `a config that builds (${String(error)})`),
    }),
    (classifier) => Effect.sync(() => classifier.dispose()),
  )
