/**
 * The image augmentation of a run, as config: `"cifar"` (the paper's random crop with 4-pixel
 * zero padding, horizontal flip, CIFAR channel normalisation; `Augment.cifarStandard`) or an
 * explicit `{ crop?: { padding }, flip?, normalise?: { mean, std } }`.
 *
 * Normalisation is part of the augmentation, not a dataset transform, because the reference
 * pipeline crops (padding with black pixels) BEFORE normalising: normalising the data first
 * would pad with the mean colour instead. Being deterministic, it is also applied to every set
 * the run evaluates (`forEvaluation`), so train and test inputs share one scale.
 */
import { Random } from "@vicinal/core"
import { Augment, type DatasetType as Dataset } from "@vicinal/data"
import { Schema } from "effect"
import { InvalidArgument } from "./Errors.ts"

// Explicit schema types: JSR's type check does not infer them.
type Explicit = Schema.Struct<{
  readonly crop: Schema.optionalKey<Schema.Struct<{ readonly padding: Schema.Int }>>
  readonly flip: Schema.optionalKey<Schema.Boolean>
  readonly normalise: Schema.optionalKey<
    Schema.Struct<{ readonly mean: Schema.$Array<Schema.Finite>; readonly std: Schema.$Array<Schema.Finite> }>
  >
}>
const Explicit: Explicit = Schema.Struct({
  crop: Schema.optionalKey(Schema.Struct({ padding: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)) })),
  flip: Schema.optionalKey(Schema.Boolean),
  normalise: Schema.optionalKey(
    Schema.Struct({
      mean: Schema.Array(Schema.Finite).check(Schema.isMinLength(1)),
      std: Schema.Array(Schema.Finite.check(Schema.isGreaterThan(0))).check(Schema.isMinLength(1)),
    }),
  ),
})

export const AugmentConfig: Schema.Union<readonly [Schema.Literal<"cifar">, Explicit]> = Schema.Union([
  Schema.Literal("cifar"),
  Explicit,
])
export type AugmentConfig = typeof AugmentConfig.Type
type Steps = typeof Explicit.Type

/** The paper's CIFAR augmentation, spelled out. */
export const cifar: Steps = {
  crop: { padding: 4 },
  flip: true,
  normalise: { mean: Augment.cifar10Stats.mean, std: Augment.cifar10Stats.std },
}

export const steps = (config: AugmentConfig): Steps => (config === "cifar" ? cifar : config)

/** The per-batch augmentation of the training stream: crop, then flip, then normalise. */
export const training = (config: AugmentConfig | undefined): Augment.Augmentation | undefined => {
  if (config === undefined) return undefined
  const s = steps(config)
  const parts = [
    ...(s.crop === undefined ? [] : [Augment.randomCrop(s.crop)]),
    ...(s.flip === true ? [Augment.horizontalFlip()] : []),
    ...(s.normalise === undefined ? [] : [Augment.normalise(s.normalise)]),
  ]
  return parts.length === 0 ? undefined : Augment.compose(...parts)
}

/**
 * Whether the augmentation fits the data: crop and flip need images ([N, H, W, C]),
 * normalisation one mean and one std per channel. An `InvalidArgument` naming the field, or undefined.
 */
export const check = (
  config: AugmentConfig | undefined,
  shape: ReadonlyArray<number>,
): InvalidArgument | undefined => {
  if (config === undefined) return undefined
  const s = steps(config)
  const field = config === "cifar" ? "augment" : undefined
  if ((s.crop !== undefined || s.flip === true || s.normalise !== undefined) && shape.length !== 4)
    return new InvalidArgument({
      argument: field ?? `augment.${s.crop !== undefined ? "crop" : s.flip === true ? "flip" : "normalise"}`,
      value: config,
      expected: `must be off for data of shape ${JSON.stringify(shape)}: it needs images [N, height, width, channels]`,
    })
  const channels = shape[3]
  for (const key of ["mean", "std"] as const) {
    const values = s.normalise?.[key]
    if (values !== undefined && values.length !== channels)
      return new InvalidArgument({
        argument: field ?? `augment.normalise.${key}`,
        value: values,
        expected: `must have ${channels} values (one per channel)`,
      })
  }
  return undefined
}

// normalise draws nothing from its generator; this one only satisfies the signature.
const unused = Random.make(0)

/**
 * `dataset` as the run evaluates it: normalised when the augmentation normalises (a new
 * dataset; the input is not written), otherwise `dataset` itself. Call after `check`.
 */
export const forEvaluation = (config: AugmentConfig | undefined, dataset: Dataset): Dataset => {
  const normalise = config === undefined ? undefined : steps(config).normalise
  if (normalise === undefined) return dataset
  const { x } = Augment.normalise(normalise)({ ...dataset, indices: new Int32Array(0) }, unused)
  return { ...dataset, x }
}
