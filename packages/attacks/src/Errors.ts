/**
 * Typed errors of the attacks package. Each one names the offending argument and its value.
 *
 * Effect-returning APIs (`Attack.perturb`, `Evaluate.stream`, ...) put them in the error
 * channel; the synchronous `...Sync` helpers used in hot paths throw the same instances.
 */
import { Errors as CoreErrors } from "@vicinal/core"
import { Data, Effect } from "effect"

/**
 * An option out of its domain, e.g. `epsilon` negative or NaN, `stepSize` larger than
 * `epsilon`. Core's class, so that one `catchTag("InvalidParameter")` serves every package.
 */
export const InvalidParameter = CoreErrors.InvalidParameter
export type InvalidParameter = CoreErrors.InvalidParameter

/** Shapes that do not fit together, e.g. `labels` shorter than the batch (core's class). */
export const ShapeMismatch = CoreErrors.ShapeMismatch
export type ShapeMismatch = CoreErrors.ShapeMismatch

const InputOutOfRangeBase: CoreErrors.TaggedErrorClass<"InputOutOfRange"> =
  Data.TaggedError("InputOutOfRange")
/** An input value outside the declared input range (the attack could not keep it in range). */
export class InputOutOfRange extends InputOutOfRangeBase<{
  readonly argument: string
  readonly index: number
  readonly value: number
  readonly min: number
  readonly max: number
}> {
  override get message(): string {
    return `${this.argument}[${this.index}] = ${this.value} is outside the declared range [${this.min}, ${this.max}]`
  }
}

export type AttackError = InvalidParameter | ShapeMismatch | InputOutOfRange

export const isAttackError = (u: unknown): u is AttackError =>
  u instanceof InvalidParameter || u instanceof ShapeMismatch || u instanceof InputOutOfRange

/**
 * Runs a synchronous helper that throws `AttackError`s as an Effect: attack errors go to the
 * error channel, anything else (a bug, a failing model) is a defect.
 */
export const fromSync = <A>(f: () => A): Effect.Effect<A, AttackError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(f())
    } catch (error) {
      return isAttackError(error) ? Effect.fail(error) : Effect.die(error)
    }
  })
