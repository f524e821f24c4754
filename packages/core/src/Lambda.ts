/**
 * Mixing-weight samplers as plain, serialisable values, and fast seeded sampling.
 *
 * A sampler is data (`{ _tag: "Beta", a, b }`, ...); `sample` / `sampleInto` draw from it with
 * an explicit `Rng`. Beta uses the ratio of two Gamma variates (Marsaglia–Tsang), computed in
 * log space for shapes < 1 so that tiny alphas (alpha -> 0, i.e. ERM) never produce 0/0.
 */

import { dual } from "effect/Function"
import { InvalidArgument } from "./Errors.ts"
import * as Kernels from "./Kernels.ts"
import { exp, log } from "./Portable.ts"
import type { Rng } from "./Random.ts"
import * as Rules from "./Rules.ts"

export type Sampler =
  | { readonly _tag: "Beta"; readonly a: number; readonly b: number }
  | { readonly _tag: "Uniform"; readonly max: number }
  | { readonly _tag: "Constant"; readonly value: number }
  | { readonly _tag: "Folded"; readonly sampler: Sampler }
  | { readonly _tag: "Schedule"; readonly segments: ReadonlyArray<Segment> }

/** From `fromEpoch` on (until the next segment), draw from `sampler`. */
export interface Segment {
  readonly fromEpoch: number
  readonly sampler: Sampler
}

/** Beta(a, b). */
export const beta = (a: number, b: number): Sampler => ({ _tag: "Beta", a, b })

/** The paper's Beta(alpha, alpha); alpha = 1 is uniform, alpha -> 0 approaches ERM. */
export const symmetricBeta = (alpha: number): Sampler => ({ _tag: "Beta", a: alpha, b: alpha })

/** Uniform on [0, max] (the paper's GAN experiment); `max` in (0, 1]. */
export const uniform = (max = 1): Sampler => ({ _tag: "Uniform", max })

/** Always `value` (in [0, 1]); `constant(1)` never mixes. */
export const constant = (value: number): Sampler => ({ _tag: "Constant", value })

/** `max(lambda, 1 - lambda)`: the example's own input always dominates. */
export const folded = (sampler: Sampler): Sampler => ({ _tag: "Folded", sampler })

/** A piecewise-constant schedule over epochs; before the first segment, lambda = 1 (no mixing). */
export const schedule = (segments: ReadonlyArray<Segment>): Sampler => ({
  _tag: "Schedule",
  segments: [...segments].sort((l, r) => l.fromEpoch - r.fromEpoch),
})

/**
 * A schedule of the symmetric-Beta alpha: `[[0, 1], [100, 0.4], [180, 0]]`. Alpha 0 in a
 * schedule means "mixing off" (lambda = 1), e.g. switching mixup off for the last epochs.
 */
export const alphaSchedule = (points: ReadonlyArray<readonly [fromEpoch: number, alpha: number]>): Sampler =>
  schedule(
    points.map(([fromEpoch, alpha]) => ({
      fromEpoch,
      sampler: alpha === 0 ? constant(1) : symmetricBeta(alpha),
    })),
  )

/** `sampler` for epochs before `epoch`, then no mixing (lambda = 1). Data-first or data-last. */
export const until: {
  (epoch: number): (sampler: Sampler) => Sampler
  (sampler: Sampler, epoch: number): Sampler
} = dual(2, (sampler: Sampler, epoch: number) =>
  schedule([
    { fromEpoch: 0, sampler },
    { fromEpoch: epoch, sampler: constant(1) },
  ]),
)

const positiveFinite = (argument: string, value: number) => Rules.check(Rules.positive, argument, value)

/** The first invalid parameter of `sampler`, if any; `path` prefixes argument names. */
export const validate = (sampler: Sampler, path = "lambda"): InvalidArgument | undefined => {
  switch (sampler._tag) {
    case "Beta":
      // Symmetric Beta(alpha, alpha) is reported as `alpha`, the name users gave it.
      return Object.is(sampler.a, sampler.b)
        ? positiveFinite(`${path}.alpha`, sampler.a)
        : (positiveFinite(`${path}.a`, sampler.a) ?? positiveFinite(`${path}.b`, sampler.b))
    case "Uniform":
      return Rules.check(Rules.openUnit, `${path}.max`, sampler.max)
    case "Constant":
      return Rules.check(Rules.unit, `${path}.value`, sampler.value)
    case "Folded":
      return validate(sampler.sampler, `${path}.sampler`)
    case "Schedule": {
      if (sampler.segments.length === 0)
        return new InvalidArgument({
          argument: `${path}.segments`,
          value: [],
          expected: "must not be empty",
        })
      for (const [i, segment] of sampler.segments.entries()) {
        const e =
          Rules.check(Rules.index, `${path}.segments[${i}].fromEpoch`, segment.fromEpoch) ??
          validate(segment.sampler, `${path}.segments[${i}].sampler`)
        if (e !== undefined) return e
      }
      return undefined
    }
  }
}

/** Log of a Gamma(shape, 1) variate (Marsaglia & Tsang 2000; shape < 1 via the U^(1/shape) boost). */
export const logGamma = (rng: Rng, shape: number): number => {
  const boost = shape < 1 ? log(rng.uniform() || Number.MIN_VALUE) / shape : 0
  const d = (shape < 1 ? shape + 1 : shape) - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    const x = rng.normal()
    const t = 1 + c * x
    if (t <= 0) continue
    const v = t * t * t
    const u = rng.uniform()
    const x2 = x * x
    if (u < 1 - 0.0331 * x2 * x2 || log(u) < 0.5 * x2 + d * (1 - v + log(v))) {
      return log(d * v) + boost
    }
  }
}

/** One Beta(a, b) draw as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), stable in log space. */
export const drawBeta = (rng: Rng, a: number, b: number): number => {
  const lx = logGamma(rng, a)
  const ly = logGamma(rng, b)
  return 1 / (1 + exp(ly - lx))
}

/** The segment in force at `epoch`: the latest `fromEpoch <= epoch`, whatever the array order. */
export const activeSegment = <S extends { readonly fromEpoch: number }>(
  segments: ReadonlyArray<S>,
  epoch: number,
): S | undefined => {
  let active: S | undefined
  for (const segment of segments)
    if (segment.fromEpoch <= epoch && (active === undefined || segment.fromEpoch >= active.fromEpoch))
      active = segment
  return active
}

// The sampler in force at `epoch` (schedules resolved), so hot loops do not re-walk segments.
const resolve = (sampler: Sampler, epoch: number): Sampler => {
  if (sampler._tag === "Schedule") {
    return resolve(activeSegment(sampler.segments, epoch)?.sampler ?? constant(1), epoch)
  }
  if (sampler._tag === "Folded") return folded(resolve(sampler.sampler, epoch))
  return sampler
}

const drawResolved = (sampler: Sampler, rng: Rng): number => {
  switch (sampler._tag) {
    case "Beta":
      return drawBeta(rng, sampler.a, sampler.b)
    case "Uniform":
      return rng.uniform() * sampler.max
    case "Constant":
      return sampler.value
    case "Folded": {
      const l = drawResolved(sampler.sampler, rng)
      return l < 0.5 ? 1 - l : l
    }
    case "Schedule":
      return drawResolved(resolve(sampler, 0), rng)
  }
}

/** One lambda at `epoch` (default 0). Throws `InvalidArgument` for an invalid sampler. */
export const sample = (sampler: Sampler, rng: Rng, epoch = 0): number => {
  const error = validate(sampler)
  if (error !== undefined) throw error
  return drawResolved(resolve(sampler, epoch), rng)
}

// The bulk path draws from a small fast generator (sfc32, in the WebAssembly kernels), seeded
// from the caller's `Rng` so that bulk sampling stays reproducible.
const TWO_POW_32 = 4294967296
const seedFast = (rng: Rng): Int32Array => {
  const state = new Int32Array(4)
  for (let k = 0; k < 4; k++) state[k] = Math.floor(rng.uniform() * TWO_POW_32) | 0
  return warmUp(state)
}

// sfc32 is discarded for its first 12 outputs; seeding does it, so the state handed on is warm.
const warmUp = (state: Int32Array): Int32Array => {
  for (let k = 0; k < 12; k++) {
    const t = (((state[0]! + state[1]!) | 0) + state[3]!) | 0
    state[3] = state[3]! + 1
    state[0] = state[1]! ^ (state[1]! >>> 9)
    state[1] = state[2]! + (state[2]! << 3)
    state[2] = ((state[2]! << 21) | (state[2]! >>> 11)) + t
  }
  return state
}

/**
 * Fill `out` with independent lambdas at `epoch`: the bulk path for per-example lambdas and
 * benchmarks. Reproducible for a given `rng` state, with the same bits on every engine: Beta
 * draws come from the WebAssembly kernels (Jöhnk's method when both shapes are below 1, the
 * Gamma ratio otherwise) after four draws from `rng` seed their generator, so the values differ
 * from repeated `sample` calls. Without WebAssembly it falls back to repeated `sample` calls.
 * Throws `InvalidArgument` for an invalid sampler.
 */
export const sampleInto = <A extends Float64Array | Float32Array>(
  sampler: Sampler,
  rng: Rng,
  out: A,
  epoch = 0,
): A => {
  const error = validate(sampler)
  if (error !== undefined) throw error
  const active = resolve(sampler, epoch)
  const n = out.length
  if (active._tag === "Beta" && Kernels.fillBeta(active.a, active.b, out, seedFast(rng))) return out
  if (active._tag === "Constant") out.fill(active.value)
  else for (let i = 0; i < n; i++) out[i] = drawResolved(active, rng)
  return out
}

/** True when `sampler` at `epoch` always gives lambda = 1, i.e. the mixer is switched off. */
export const isOff = (sampler: Sampler, epoch: number): boolean => {
  const active = resolve(sampler, epoch)
  return active._tag === "Constant" && active.value === 1
}
