/**
 * The configuration of a run, as Effect Schemas: a run is fully described by one JSON value
 * (strategy, model, data, optimiser, schedule, epochs, batch size, seed, backend), which the
 * checkpoint stores so that a resume can refuse a different run. Decoding rejects a bad config
 * with an `InvalidArgument` naming the field (`optimizer.lr`, `model.hidden.0`, ...).
 */
import { Strategy } from "@vicinal/core"
import { ModelConfig as ModelConfigs } from "@vicinal/models"
import { Effect, Schema, Struct, Tuple } from "effect"
import { AugmentConfig } from "./Augmentation.ts"
import { BackendChoiceSchema } from "./Backend.ts"
import { decodeEffect, describe, InvalidArgument } from "./Errors.ts"
import { ScheduleConfig } from "./LearningRate.ts"
import { OptimizerConfig } from "./Optimizer.ts"

// Explicit schema types here and below: JSR's type check does not infer them.
const PositiveInt: Schema.Int = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
const Seed: Schema.Int = Schema.Int.check(
  Schema.isGreaterThanOrEqualTo(0),
  Schema.isLessThanOrEqualTo(2 ** 31 - 1),
)
const Fraction: Schema.Finite = Schema.Finite.check(
  Schema.isGreaterThanOrEqualTo(0),
  Schema.isLessThanOrEqualTo(1),
)

/** What a run supplies to the network: the data's input shape and class count, the run's seed. */
type Supplied = "inputShape" | "numClasses" | "seed"
const SUPPLIED: ReadonlyArray<Supplied> = ["inputShape", "numClasses", "seed"]
type Optional<S extends Schema.Top> = Schema.optionalKey<S>

/** An architecture's Schema without the fields the run supplies. */
type WithoutSupplied<S> =
  S extends Schema.Struct<infer Fields> ? Schema.Struct<Omit<Fields, Supplied>> : never
interface OmitSupplied extends Struct.Lambda {
  <Fields extends Schema.Struct.Fields>(struct: Schema.Struct<Fields>): WithoutSupplied<Schema.Struct<Fields>>
  readonly "~lambda.out": WithoutSupplied<this["~lambda.in"]>
}
const omitSupplied = Struct.lambda<OmitSupplied>((struct) => struct.mapFields(Struct.omit(SUPPLIED)))

type EachWithoutSupplied<Members extends ReadonlyArray<unknown>> = {
  readonly [K in keyof Members]: WithoutSupplied<Members[K]>
}

/**
 * The network: `@vicinal/models`' `ModelConfig` (every architecture it exports, with its rules)
 * minus what the run supplies.
 */
export const ModelConfig: Schema.Union<EachWithoutSupplied<typeof ModelConfigs.ModelConfig.members>> =
  ModelConfigs.ModelConfig.mapMembers(Tuple.map(omitSupplied))
export type ModelConfig = typeof ModelConfig.Type

type Common = {
  readonly testSize: Optional<Schema.Int>
  readonly labelNoise: Optional<Schema.Finite>
  readonly splitSeed: Optional<Schema.Int>
}
type Dataset<D extends Schema.Top, Fields> = Schema.Struct<Common & { readonly dataset: D } & Fields>
type Column = Schema.Union<readonly [Schema.String, Schema.Int]>

const common: Common = {
  /** Examples held out for testing (MNIST default 2,000; synthetic default a fifth). */
  testSize: Schema.optionalKey(PositiveInt),
  /**
   * Fraction of training labels replaced by a class drawn uniformly at random (the paper: 0.2,
   * 0.5, 0.8), each example independently; the draw may be the true class, so about
   * fraction * (K - 1) / K of the labels end up wrong, as in the paper's protocol.
   */
  labelNoise: Schema.optionalKey(Fraction),
  /** Seed of the split, the synthetic points and the corruption (default: the run's seed). */
  splitSeed: Schema.optionalKey(Seed),
}

/** Which data to train and test on (loaded through `@vicinal/data`). */
export const DataConfig: Schema.Union<
  readonly [
    Dataset<Schema.Literal<"mnist">, { readonly trainSize: Optional<Schema.Int> }>,
    Dataset<
      Schema.Literals<readonly ["twoMoons", "circles", "spirals", "gaussianRing", "gaussianGrid"]>,
      { readonly n: Schema.Int; readonly noise: Optional<Schema.Finite> }
    >,
    Dataset<
      Schema.Literals<readonly ["mnistIdx", "fashionMnist"]>,
      {
        readonly dir: Schema.String
        readonly gzip: Optional<Schema.Boolean>
        readonly trainSize: Optional<Schema.Int>
      }
    >,
    Dataset<
      Schema.Literal<"csv">,
      {
        readonly file: Schema.String
        readonly label: Optional<Column>
        readonly ignore: Optional<Schema.$Array<Column>>
        readonly categorical: Optional<Schema.$Array<Column>>
        readonly labels: Optional<Schema.Literals<readonly ["integer", "category"]>>
        readonly standardise: Optional<Schema.Boolean>
      }
    >,
    Dataset<
      Schema.Literals<readonly ["cifar10", "cifar100"]>,
      { readonly dir: Schema.String; readonly trainSize: Optional<Schema.Int> }
    >,
  ]
> = Schema.Union([
  /** The bundled 10,000 MNIST digits, split stratified; `trainSize` keeps the first examples of the split. */
  Schema.Struct({ dataset: Schema.Literal("mnist"), trainSize: Schema.optionalKey(PositiveInt), ...common }),
  /** 2-D toy problems: `n` points in all, with Gaussian `noise` (ring and grid: the paper's GAN data). */
  Schema.Struct({
    dataset: Schema.Literals(["twoMoons", "circles", "spirals", "gaussianRing", "gaussianGrid"]),
    n: PositiveInt,
    noise: Schema.optionalKey(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))),
    ...common,
  }),
  /**
   * Full MNIST or Fashion-MNIST from a folder of the four IDX files as downloaded
   * (`train-images-idx3-ubyte.gz`, ...; `gzip: false` for unpacked ones), their own 60,000 /
   * 10,000 split; `trainSize` / `testSize` keep the first examples of each.
   */
  Schema.Struct({
    dataset: Schema.Literals(["mnistIdx", "fashionMnist"]),
    dir: Schema.String.check(Schema.isMinLength(1)),
    gzip: Schema.optionalKey(Schema.Boolean),
    trainSize: Schema.optionalKey(PositiveInt),
    ...common,
  }),
  /**
   * A CSV table (the paper's UCI experiments), split stratified into train and test (`testSize`,
   * default a fifth). `label`: the label column (name or index, default the last); `ignore` and
   * `categorical`: columns to drop or one-hot encode; `labels: "category"` maps each distinct
   * label value to a class (e.g. 1-based or text labels); `standardise` scales every feature to
   * mean 0 and std 1.
   */
  Schema.Struct({
    dataset: Schema.Literal("csv"),
    file: Schema.String.check(Schema.isMinLength(1)),
    label: Schema.optionalKey(Schema.Union([Schema.String, Schema.Int])),
    ignore: Schema.optionalKey(Schema.Array(Schema.Union([Schema.String, Schema.Int]))),
    categorical: Schema.optionalKey(Schema.Array(Schema.Union([Schema.String, Schema.Int]))),
    labels: Schema.optionalKey(Schema.Literals(["integer", "category"])),
    standardise: Schema.optionalKey(Schema.Boolean),
    ...common,
  }),
  /**
   * CIFAR-10 (`cifar-10-batches-bin`) or CIFAR-100 (`cifar-100-binary`, fine labels) from `dir`,
   * its own train/test split; `trainSize` / `testSize` keep the first examples of each.
   */
  Schema.Struct({
    dataset: Schema.Literals(["cifar10", "cifar100"]),
    dir: Schema.String.check(Schema.isMinLength(1)),
    trainSize: Schema.optionalKey(PositiveInt),
    ...common,
  }),
])
export type DataConfig = typeof DataConfig.Type

export const RunConfig: Schema.Struct<{
  readonly name: Optional<Schema.String>
  readonly seed: Schema.Int
  readonly epochs: Schema.Int
  readonly batchSize: Schema.Int
  readonly backend: typeof BackendChoiceSchema
  readonly strategy: typeof Strategy.Config
  readonly model: Optional<typeof ModelConfig>
  readonly data: typeof DataConfig
  readonly optimizer: typeof OptimizerConfig
  readonly schedule: typeof ScheduleConfig
  readonly trainError: Optional<Schema.Boolean>
  readonly augment: Optional<typeof AugmentConfig>
  readonly dropLast: Optional<Schema.Boolean>
}> = Schema.Struct({
  name: Schema.optionalKey(Schema.String),
  seed: Seed,
  epochs: PositiveInt,
  batchSize: PositiveInt,
  backend: BackendChoiceSchema,
  /** `@vicinal/core` `Strategy.Config`, e.g. `{ "_tag": "Mixup", ... }` as `Strategy.toConfig` writes it. */
  strategy: Strategy.Config,
  /** The network to build; absent when `Run.train` is given the user's own model (`TrainOptions.model`). */
  model: Schema.optionalKey(ModelConfig),
  data: DataConfig,
  optimizer: OptimizerConfig,
  schedule: ScheduleConfig,
  /**
   * Also measure the training error (against the training labels and the true labels) each epoch;
   * default: only when labels are corrupted (memorisation).
   */
  trainError: Schema.optionalKey(Schema.Boolean),
  /**
   * Image augmentation of the training batches (seeded by the run's data seed and the epoch):
   * `"cifar"` (the paper's crop 4 + flip + normalisation) or `{ crop?, flip?, normalise? }`.
   * Normalisation also applies to every set the run evaluates. Default: none.
   */
  augment: Schema.optionalKey(AugmentConfig),
  /** Drop the last short batch of each epoch (default true: keeps pairings like `flip` well defined). */
  dropLast: Schema.optionalKey(Schema.Boolean),
})
export type RunConfig = typeof RunConfig.Type

/** Decode a JSON value into a run config, or fail with an `InvalidArgument` naming the field. */
export const decode = (input: unknown): Effect.Effect<RunConfig, InvalidArgument> =>
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
export const decodeJson = (text: string): Effect.Effect<RunConfig, InvalidArgument> =>
  Effect.flatMap(
    Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (e) =>
        new InvalidArgument({
          argument: "",
          value: text.slice(0, 80),
          expected: `must be JSON (${describe(e)})`,
        }),
    }),
    decode,
  )
