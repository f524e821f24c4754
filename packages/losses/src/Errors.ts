/**
 * Errors of @vicinal/losses: the tagged errors of @vicinal/core (one vocabulary across packages,
 * so `Effect.catchTag("ShapeMismatch", ...)` handles both). Every message names the argument
 * and the offending value, e.g. `partner[3]: must be an integer in [0, 4), got 7`.
 *
 * Losses and metrics are synchronous hot-path helpers: they validate their inputs up front and
 * THROW these tagged instances (they are `Error`s with a `_tag`) before allocating any tensor.
 * Inside an Effect, use `Effect.try({ try, catch: (e) => e as LossError })` or filter with `isLossError`.
 */
import { Errors } from "@vicinal/core"

// One declaration each (not one destructuring): JSR's type check reads each export's type.
export const InvalidArgument: typeof Errors.InvalidArgument = Errors.InvalidArgument
export const ShapeMismatch: typeof Errors.ShapeMismatch = Errors.ShapeMismatch
export const EmptyBatch: typeof Errors.EmptyBatch = Errors.EmptyBatch

export type LossError = Errors.InvalidArgument | Errors.ShapeMismatch | Errors.EmptyBatch

const tags: ReadonlySet<string> = new Set(["InvalidArgument", "ShapeMismatch", "EmptyBatch"])

/** True for the errors thrown by losses and metrics. */
export const isLossError = (u: unknown): u is LossError => Errors.isCoreError(u) && tags.has(u._tag)
