/** Batch validation and `apply`: validate, plan with the run's `Random` and execute on the device. */
import { Effect } from "effect"
import {
  type CoreError,
  EmptyBatch,
  InvalidArgument,
  isCoreError,
  type NotADistribution,
  ShapeMismatch,
} from "../Errors.ts"
import type { Batch, MixedBatch } from "../MixedBatch.ts"
import * as Pairing from "../Pairing.ts"
import type { MixPlan } from "../Plan.ts"
import * as Random from "../Random.ts"
import * as Targets from "../Targets.ts"
import type { Mixers, PlanInput, StepContext, Strategy } from "./Algebra.ts"
import { CustomMixers } from "./Custom.ts"
import { execute, plan } from "./Planner.ts"
import { needs, validate } from "./Validate.ts"

/** Check a device batch before any mixing: non-empty, x and y batch sizes agree, y rows are distributions. */
export const validateBatch = (batch: Batch): CoreError | undefined => {
  const n = batch.x.shape[0]
  if (batch.x.rank < 1)
    return new ShapeMismatch({ argument: "x", expected: "rank >= 1", actual: batch.x.shape })
  if (batch.y.rank !== 2)
    return new ShapeMismatch({ argument: "y", expected: "rank 2 [n, classes]", actual: batch.y.shape })
  if (batch.y.shape[0] !== n)
    return new ShapeMismatch({
      argument: "y",
      expected: `batch size ${n} (x's)`,
      actual: batch.y.shape,
    })
  if (n === 0) return new EmptyBatch({ argument: "batch" })
  return validateTargets(batch.y.dataSync() as Float32Array, batch.y.shape[1], "y")
}

/** Check host target rows: every entry >= 0 and each row summing to 1 (within 1e-3). */
export const validateTargets: (
  y: ArrayLike<number>,
  classes: number,
  argument?: string,
) => NotADistribution | undefined = Targets.validate

/** Class per row (argmax), for SC pairing. */
export const argmaxRows = (y: ArrayLike<number>, classes: number): Int32Array => {
  const n = y.length / classes
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let c = 1; c < classes; c++) if (y[i * classes + c]! > y[i * classes + best]!) best = c
    labels[i] = best
  }
  return labels
}

const planInputOf = (
  strategy: Strategy,
  batch: Batch,
  registry: Pairing.Registry,
  mixers: Mixers,
): PlanInput => {
  const need = needs(strategy, mixers)
  const n = batch.x.shape[0]
  return {
    n,
    shape: batch.x.shape,
    pairings: registry,
    mixers,
    labels: need.labels ? argmaxRows(batch.y.dataSync(), batch.y.shape[1]) : undefined,
    features: need.features ? (batch.x.dataSync() as Float32Array) : undefined,
  }
}

// Move the tagged errors a synchronous step throws into the error channel; anything else is a defect.
const attempt = <A>(f: () => A): Effect.Effect<A, CoreError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(f())
    } catch (error) {
      return isCoreError(error) ? Effect.fail(error) : Effect.die(error)
    }
  })

/**
 * Validate, plan with the run's `Random` generator and execute on the device. Errors (bad
 * parameters, shapes, target rows, empty batch) arrive in the error channel. Custom pairings
 * are read from the `Pairing.CustomPairings` reference. The plan's stage is ignored here (the
 * batch's x is mixed); mix hidden activations with `plan` + `execute` instead.
 */
export const apply = (
  strategy: Strategy,
  batch: Batch,
  context: StepContext,
): Effect.Effect<MixedBatch, CoreError, Random.Random> =>
  Effect.gen(function* () {
    const rng = yield* Random.rng
    const registry = yield* Effect.service(Pairing.CustomPairings)
    const mixers = yield* Effect.service(CustomMixers)
    const error = validate(strategy) ?? validateBatch(batch)
    if (error !== undefined) return yield* Effect.fail(error)
    return yield* attempt(() => {
      const drawn = plan(strategy, planInputOf(strategy, batch, registry, mixers), context, rng)
      // apply sees only the inputs; mixing them for a hidden stage would silently be input mixup.
      if ((drawn.stage ?? 0) > 0)
        throw new InvalidArgument({
          argument: "strategy (manifold)",
          value: drawn.stage,
          expected: "must draw the input stage (0): apply cannot reach a hidden stage",
          fix: "plan it and mix that stage's activation with Execute.inputs (as @vicinal/train does)",
        })
      return execute(drawn, batch)
    })
  })

/** Data-last `apply`, for pipes: `pipe(batch, Strategy.applyTo(strategy, context))`. */
export const applyTo =
  (strategy: Strategy, context: StepContext) =>
  (batch: Batch): Effect.Effect<MixedBatch, CoreError, Random.Random> =>
    apply(strategy, batch, context)

/** `plan` when only a shape is at hand (e.g. a hidden stage's activation shape), for pairings that read nothing else. */
export const planForShape = (
  strategy: Strategy,
  shape: ReadonlyArray<number>,
  context: StepContext,
  rng: Random.Rng,
): MixPlan => plan(strategy, { n: shape[0] ?? 0, shape }, context, rng)
