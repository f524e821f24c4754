/**
 * A network as plain data: which architecture and its options. `Persist.save` stores it in
 * model.json, `Persist.load` decodes it with this Schema and rebuilds the network before
 * loading the weights.
 */
import { Effect, Schema } from "effect"
import type { Classifier } from "./Classifier.ts"
import { denseNetBC } from "./DenseNet.ts"
import { ModelConfigError } from "./Errors.ts"
import { mlp } from "./Mlp.ts"
import { preActResNet18 } from "./PreActResNet.ts"
import { smallCnn } from "./SmallCnn.ts"
import { wideResNet } from "./WideResNet.ts"

const common = {
  inputShape: Schema.Array(Schema.Number),
  numClasses: Schema.Number,
  seed: Schema.optionalKey(Schema.Number),
  dropout: Schema.optionalKey(Schema.Number),
}

export const MlpConfig = Schema.Struct({
  kind: Schema.Literal("mlp"),
  ...common,
  hidden: Schema.Array(Schema.Number),
})

export const SmallCnnConfig = Schema.Struct({
  kind: Schema.Literal("smallCnn"),
  ...common,
  filters: Schema.optionalKey(Schema.Tuple([Schema.Number, Schema.Number])),
  dense: Schema.optionalKey(Schema.Number),
})

export const PreActResNetConfig = Schema.Struct({
  kind: Schema.Literal("preActResNet"),
  ...common,
  blocks: Schema.optionalKey(Schema.Array(Schema.Number)),
  width: Schema.optionalKey(Schema.Number),
  finalBatchNorm: Schema.optionalKey(Schema.Boolean),
})

export const WideResNetConfig = Schema.Struct({
  kind: Schema.Literal("wideResNet"),
  ...common,
  depth: Schema.optionalKey(Schema.Number),
  widenFactor: Schema.optionalKey(Schema.Number),
  blockDropout: Schema.optionalKey(Schema.Number),
})

export const DenseNetBCConfig = Schema.Struct({
  kind: Schema.Literal("denseNetBC"),
  ...common,
  depth: Schema.optionalKey(Schema.Number),
  growthRate: Schema.optionalKey(Schema.Number),
  reduction: Schema.optionalKey(Schema.Number),
})

export const ModelConfig = Schema.Union([
  MlpConfig,
  SmallCnnConfig,
  PreActResNetConfig,
  WideResNetConfig,
  DenseNetBCConfig,
])
export type ModelConfig = typeof ModelConfig.Type

/** Build the network a config describes (synchronous; throws `ModelConfigError` for invalid options). */
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
  }
}

/** Decode untrusted JSON (e.g. from model.json) into a config. */
export const decode = (json: unknown): Effect.Effect<ModelConfig, ModelConfigError> =>
  Schema.decodeUnknownEffect(ModelConfig)(json).pipe(
    Effect.mapError(
      (error) =>
        new ModelConfigError({ model: "config", argument: "config", value: json, expected: String(error) }),
    ),
  )

/** Build inside an Effect: the error channel carries `ModelConfigError`, and the network is disposed when the scope closes. */
export const acquire = (config: ModelConfig) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => build(config),
      catch: (error) =>
        error instanceof ModelConfigError
          ? error
          : new ModelConfigError({
              model: config.kind,
              argument: "config",
              value: config,
              expected: String(error),
            }),
    }),
    (classifier) => Effect.sync(() => classifier.dispose()),
  )
