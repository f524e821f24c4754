/**
 * Learning-rate schedules as pure functions of where training is: (epoch, step within the epoch,
 * steps per epoch) -> learning rate. Being pure, a resumed run recomputes exactly the rate an
 * uninterrupted run used; no schedule state needs checkpointing.
 *
 * Constructors validate their options up front and THROW an `InvalidArgument` instance (synchronous
 * helpers); `fromConfig` takes a config already decoded by the Schema.
 */
import { Portable } from "@vicinal/core"
import { Schema } from "effect"
import { dual } from "effect/Function"
import { decodeOrThrow } from "./Errors.ts"

export interface Position {
  /** 0-based epoch. */
  readonly epoch: number
  /** 0-based step (batch) within the epoch. */
  readonly step: number
  readonly stepsPerEpoch: number
}

export type LrSchedule = (position: Position) => number

/** Epochs elapsed, fractional: epoch 2, step 5 of 10 -> 2.5. */
export const progress = ({ epoch, step, stepsPerEpoch }: Position): number =>
  epoch + step / Math.max(1, stepsPerEpoch)

// Explicit schema types here and below: JSR's type check does not infer them.
const Rate: Schema.Finite = Schema.Finite.check(Schema.isGreaterThan(0))
const NonNegative: Schema.Finite = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))
const Epoch: Schema.Int = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/** The same rate throughout. */
export const constant = (lr: number): LrSchedule => {
  const rate = decodeOrThrow(Rate, lr, "lr")
  return () => rate
}

/**
 * Step decay: `lr * gamma^k` where k counts the milestones already reached (epoch >= milestone).
 * The paper (CIFAR): lr 0.1, milestones [100, 150], gamma 0.1.
 */
export const step = (options: {
  readonly lr: number
  readonly milestones: ReadonlyArray<number>
  readonly gamma?: number
}): LrSchedule => {
  const lr = decodeOrThrow(Rate, options.lr, "lr")
  const milestones = decodeOrThrow(Schema.Array(Epoch), options.milestones, "milestones")
  const gamma = decodeOrThrow(Rate, options.gamma ?? 0.1, "gamma")
  return ({ epoch }) => lr * gamma ** milestones.filter((m) => epoch >= m).length
}

/** Cosine annealing from `lr` to `minLr` over `epochs`, updated every step. */
export const cosine = (options: {
  readonly lr: number
  readonly epochs: number
  readonly minLr?: number
}): LrSchedule => {
  const lr = decodeOrThrow(Rate, options.lr, "lr")
  const epochs = decodeOrThrow(Rate, options.epochs, "epochs")
  const minLr = decodeOrThrow(NonNegative, options.minLr ?? 0, "minLr")
  return (position) => {
    const t = Math.min(1, progress(position) / epochs)
    return minLr + ((lr - minLr) * (1 + Portable.cos(Math.PI * t))) / 2
  }
}

/**
 * Linear warm-up over the first `epochs` (fractional allowed): the rate of `schedule` scaled by
 * (steps taken + 1) / (warm-up steps), reaching it fully at the end of the warm-up.
 */
export const warmup: {
  (options: { readonly epochs: number }): (schedule: LrSchedule) => LrSchedule
  (schedule: LrSchedule, options: { readonly epochs: number }): LrSchedule
} = dual(2, (schedule: LrSchedule, options: { readonly epochs: number }): LrSchedule => {
  const epochs = decodeOrThrow(NonNegative, options.epochs, "warmupEpochs")
  return (position) => {
    const total = epochs * position.stepsPerEpoch
    const taken = position.epoch * position.stepsPerEpoch + position.step + 1
    return total <= 0 ? schedule(position) : schedule(position) * Math.min(1, taken / total)
  }
})

type WarmupField = {
  readonly warmupEpochs: Schema.optionalKey<Schema.Finite>
}
const warmupField: WarmupField = { warmupEpochs: Schema.optionalKey(NonNegative) }

export const ScheduleConfig: Schema.Union<
  readonly [
    Schema.TaggedStruct<"constant", WarmupField>,
    Schema.TaggedStruct<
      "step",
      WarmupField & { readonly milestones: Schema.$Array<Schema.Int>; readonly gamma: Schema.Finite }
    >,
    Schema.TaggedStruct<"cosine", WarmupField & { readonly minLr: Schema.optionalKey<Schema.Finite> }>,
  ]
> = Schema.Union([
  Schema.TaggedStruct("constant", warmupField),
  Schema.TaggedStruct("step", {
    milestones: Schema.Array(Epoch),
    gamma: Rate,
    ...warmupField,
  }),
  Schema.TaggedStruct("cosine", { minLr: Schema.optionalKey(NonNegative), ...warmupField }),
])
export type ScheduleConfig = typeof ScheduleConfig.Type

/** The schedule a decoded config describes, for a base rate `lr` and a run of `epochs`. */
export const fromConfig = (
  config: ScheduleConfig,
  run: { readonly lr: number; readonly epochs: number },
): LrSchedule => {
  const base: LrSchedule =
    config._tag === "constant"
      ? constant(run.lr)
      : config._tag === "step"
        ? step({ lr: run.lr, milestones: config.milestones, gamma: config.gamma })
        : cosine({
            lr: run.lr,
            epochs: run.epochs,
            ...(config.minLr === undefined ? {} : { minLr: config.minLr }),
          })
  return config.warmupEpochs === undefined || config.warmupEpochs === 0
    ? base
    : warmup(base, { epochs: config.warmupEpochs })
}
