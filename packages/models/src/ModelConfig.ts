/**
 * A network as plain data: which architecture and its options. `Persist.save` stores it in
 * model.json, `Persist.load` decodes it with this Schema and rebuilds the network before
 * loading the weights.
 */
import { Effect, Schema, type SchemaIssue, type Scope } from "effect"
import type { Classifier } from "./Classifier.ts"
import { DenseNetBCConfig, denseNetBC } from "./DenseNet.ts"
import { InvalidArgument, invalidOption } from "./Errors.ts"
import { MlpConfig, mlp } from "./Mlp.ts"
import { toError } from "./Options.ts"
import { PreActResNetConfig, preActResNet18 } from "./PreActResNet.ts"
import { ResNetConfig, resNet } from "./ResNet.ts"
import { SmallCnnConfig, smallCnn } from "./SmallCnn.ts"
import { WideResNetConfig, wideResNet } from "./WideResNet.ts"

export { DenseNetBCConfig, MlpConfig, PreActResNetConfig, ResNetConfig, SmallCnnConfig, WideResNetConfig }

/**
 * Every architecture's config, told apart by `kind`. Each member is its architecture's one
 * Schema of options: the constructors check their options with it, and `@vicinal/train`
 * derives its run config's `model` from it.
 */
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

/** The architectures' names, in `ModelConfig`'s order. */
export const KINDS: ReadonlyArray<ModelConfig["kind"]> = ModelConfig.members.map(
  (member) => member.fields.kind.literal,
)

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

/**
 * The first failing field, as `@vicinal/core`'s Strategy.fromConfig reports it. A union that
 * matches no member fails at the root: for an object that is its `kind`, else the whole config.
 */
const toInvalidArgument = (json: unknown, issue: SchemaIssue.Issue): InvalidArgument => {
  const error = toError("config", issue, json)
  if (error.argument !== "config") return error
  return typeof json === "object" && json !== null && !Array.isArray(json)
    ? invalidOption(
        "config",
        "kind",
        (json as { kind?: unknown }).kind,
        `one of ${KINDS.map((k) => JSON.stringify(k)).join(", ")}`,
      )
    : invalidOption("config", "config", json, "an object with a kind")
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
