/**
 * Typed errors of the attacks package. Each one names the offending argument and its value.
 *
 * Effect-returning APIs (`Attack.perturb`, `Robustness.stream`, ...) put them in the error
 * channel; the synchronous `...Sync` helpers used in hot paths throw the same instances.
 */
import { Errors as CoreErrors } from "@vicinal/core"
import { Effect } from "effect"

/**
 * An option or input out of its domain, e.g. `epsilon` negative or NaN, `stepSize` larger than
 * `epsilon`, an input value outside the declared range. Core's class, so that one `catchTag("InvalidArgument")` serves every package.
 */
export const InvalidArgument: typeof CoreErrors.InvalidArgument = CoreErrors.InvalidArgument
export type InvalidArgument = CoreErrors.InvalidArgument

/** Shapes that do not fit together, e.g. `labels` shorter than the batch (core's class). */
export const ShapeMismatch: typeof CoreErrors.ShapeMismatch = CoreErrors.ShapeMismatch
export type ShapeMismatch = CoreErrors.ShapeMismatch

export type AttackError = InvalidArgument | ShapeMismatch

export const isAttackError = (u: unknown): u is AttackError =>
  u instanceof InvalidArgument || u instanceof ShapeMismatch

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
