/**
 * The configuration of a run, as Effect Schemas: a run is fully described by one JSON value
 * (strategy, model, data, optimiser, schedule, epochs, batch size, seed, backend), which the
 * checkpoint stores so that a resume can refuse a different run. Decoding rejects a bad config
 * with a `ConfigError` naming the field (`optimizer.lr`, `model.hidden.0`, ...).
 */
import { Effect, Schema } from "effect"
import { BackendChoiceSchema } from "./Backend.ts"
import { ConfigError, decodeEffect, describe } from "./Errors.ts"
import { OptimizerConfig } from "./Optimizer.ts"
import { ScheduleConfig } from "./Schedule.ts"
import { StrategyConfig } from "./StrategyConfig.ts"

const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
const Seed = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(2 ** 31 - 1))
const Rate = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThan(1))
const Fraction = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(1))

/** The network; input shape and class count come from the data, the init seed from the run's seed. */
export const ModelConfig = Schema.Union([
  Schema.Struct({
    kind: Schema.Literal("mlp"),
    hidden: Schema.Array(PositiveInt),
    dropout: Schema.optionalKey(Rate),
  }),
  Schema.Struct({ kind: Schema.Literal("smallCnn"), dropout: Schema.optionalKey(Rate) }),
  Schema.Struct({ kind: Schema.Literal("preActResNet18") }),
  Schema.Struct({ kind: Schema.Literal("wideResNet"), depth: PositiveInt, widenFactor: PositiveInt }),
  Schema.Struct({ kind: Schema.Literal("denseNetBC"), depth: PositiveInt, growthRate: PositiveInt }),
])
export type ModelConfig = typeof ModelConfig.Type

/** Which data to train and test on. */
export const DataConfig = Schema.Struct({
  /** The bundled 10,000 MNIST digits (`@vicinal/data` Mnist.split). */
  dataset: Schema.Literals(["mnist"]),
  /** Examples held out for testing (default 2,000). */
  testSize: Schema.optionalKey(PositiveInt),
  /** Use only the first `trainSize` training examples (after the seeded split). */
  trainSize: Schema.optionalKey(PositiveInt),
  /** Fraction of training labels replaced by a uniformly drawn class (the paper: 0.2, 0.5, 0.8). */
  labelNoise: Schema.optionalKey(Fraction),
  /** Seed of the train/test split and the corruption (default: the run's seed). */
  splitSeed: Schema.optionalKey(Seed),
})
export type DataConfig = typeof DataConfig.Type

export const RunConfig = Schema.Struct({
  name: Schema.optionalKey(Schema.String),
  seed: Seed,
  epochs: PositiveInt,
  batchSize: PositiveInt,
  backend: BackendChoiceSchema,
  strategy: StrategyConfig,
  model: ModelConfig,
  data: DataConfig,
  optimizer: OptimizerConfig,
  schedule: ScheduleConfig,
  /**
   * Also measure the training error (against the training labels and the true labels) each epoch;
   * default: only when labels are corrupted (memorisation).
   */
  trainError: Schema.optionalKey(Schema.Boolean),
  /** Drop the last short batch of each epoch (default true: keeps pairings like `flip` well defined). */
  dropLast: Schema.optionalKey(Schema.Boolean),
})
export type RunConfig = typeof RunConfig.Type

/** Decode a JSON value into a run config, or fail with a `ConfigError` naming the field. */
export const decode = (input: unknown): Effect.Effect<RunConfig, ConfigError> =>
  decodeEffect(RunConfig, input, "")

/** The JSON form of a config (what checkpoints store). */
export const encode = (config: RunConfig): unknown => Schema.encodeSync(RunConfig)(config)

/** The paper's CIFAR optimiser and schedule, for reference: SGD 0.1 / 0.9 / 1e-4, lr / 10 at 100 and 150. */
export const paperOptimizer: OptimizerConfig = { _tag: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 1e-4 }
export const paperSchedule: ScheduleConfig = { _tag: "step", milestones: [100, 150], gamma: 0.1 }

/** Whether a run with this config measures training error every epoch. */
export const measuresTrainError = (config: RunConfig): boolean =>
  config.trainError ?? (config.data.labelNoise ?? 0) > 0

/** Parse and decode a JSON config text. */
export const decodeJson = (text: string): Effect.Effect<RunConfig, ConfigError> =>
  Effect.flatMap(
    Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (e) => new ConfigError({ field: "", message: `config: not JSON (${describe(e)})` }),
    }),
    decode,
  )
