/**
 * Mixing-weight samplers as plain, serialisable values, and fast seeded sampling.
 *
 * A sampler is data (`{ _tag: "Beta", a, b }`, ...); `sample` / `sampleInto` draw from it with
 * an explicit `Rng`. Beta uses the ratio of two Gamma variates (Marsaglia–Tsang), computed in
 * log space for shapes < 1 so that tiny alphas (alpha -> 0, i.e. ERM) never produce 0/0.
 */
import { dual } from "effect/Function"
import { InvalidParameter } from "./Errors.ts"
import type { Rng } from "./Random.ts"

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

const positiveFinite = (argument: string, value: number): InvalidParameter | undefined =>
  Number.isFinite(value) && value > 0
    ? undefined
    : new InvalidParameter({ argument, value, reason: "must be > 0 and finite" })

const inUnit = (argument: string, value: number): InvalidParameter | undefined =>
  Number.isFinite(value) && value >= 0 && value <= 1
    ? undefined
    : new InvalidParameter({ argument, value, reason: "must be in [0, 1]" })

/** The first invalid parameter of `sampler`, if any; `path` prefixes argument names. */
export const validate = (sampler: Sampler, path = "lambda"): InvalidParameter | undefined => {
  switch (sampler._tag) {
    case "Beta":
      // Symmetric Beta(alpha, alpha) is reported as `alpha`, the name users gave it.
      return Object.is(sampler.a, sampler.b)
        ? positiveFinite(`${path}.alpha`, sampler.a)
        : (positiveFinite(`${path}.a`, sampler.a) ?? positiveFinite(`${path}.b`, sampler.b))
    case "Uniform":
      return sampler.max > 0 && sampler.max <= 1
        ? undefined
        : new InvalidParameter({ argument: `${path}.max`, value: sampler.max, reason: "must be in (0, 1]" })
    case "Constant":
      return inUnit(`${path}.value`, sampler.value)
    case "Folded":
      return validate(sampler.sampler, `${path}.sampler`)
    case "Schedule": {
      if (sampler.segments.length === 0)
        return new InvalidParameter({
          argument: `${path}.segments`,
          value: [],
          reason: "must not be empty",
        })
      for (const [i, segment] of sampler.segments.entries()) {
        if (!Number.isInteger(segment.fromEpoch) || segment.fromEpoch < 0)
          return new InvalidParameter({
            argument: `${path}.segments[${i}].fromEpoch`,
            value: segment.fromEpoch,
            reason: "must be an integer >= 0",
          })
        const e = validate(segment.sampler, `${path}.segments[${i}].sampler`)
        if (e !== undefined) return e
      }
      return undefined
    }
  }
}

/** Log of a Gamma(shape, 1) variate (Marsaglia & Tsang 2000; shape < 1 via the U^(1/shape) boost). */
export const logGamma = (rng: Rng, shape: number): number => {
  const boost = shape < 1 ? Math.log(rng.uniform() || Number.MIN_VALUE) / shape : 0
  const d = (shape < 1 ? shape + 1 : shape) - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    const x = rng.normal()
    const t = 1 + c * x
    if (t <= 0) continue
    const v = t * t * t
    const u = rng.uniform()
    const x2 = x * x
    if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
      return Math.log(d * v) + boost
    }
  }
}

/** One Beta(a, b) draw as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), stable in log space. */
export const drawBeta = (rng: Rng, a: number, b: number): number => {
  const lx = logGamma(rng, a)
  const ly = logGamma(rng, b)
  return 1 / (1 + Math.exp(ly - lx))
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

/** One lambda at `epoch` (default 0). Assumes a valid sampler (see `validate`). */
export const sample = (sampler: Sampler, rng: Rng, epoch = 0): number =>
  drawResolved(resolve(sampler, epoch), rng)

// A small fast generator (sfc32) for bulk draws, seeded from the caller's `Rng` so bulk sampling
// stays reproducible while each draw costs a few integer ops instead of a generator call.
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

// A uniform in (0, 1) from `state` (copied into the closure; `state` itself is not advanced).
const makeUniform = (state: Int32Array): (() => number) => {
  let a = state[0]!
  let b = state[1]!
  let c = state[2]!
  let d = state[3]!
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    // Uniform in (0, 1): never exactly 0, so logs stay finite.
    return ((t >>> 0) + 0.5) / TWO_POW_32
  }
  return next
}

// Jöhnk's algorithm, in log space: exact for any shapes and fast when both are below 1 (acceptance
// Γ(a+1)Γ(b+1)/Γ(a+b+1) >= π/4), which is where mixup's small alphas live. This is the hot loop of
// bulk sampling, so sfc32 is inlined on local variables (the same stream as `makeUniform`).
const fillJohnk = (a: number, b: number, out: Float32Array | Float64Array, state: Int32Array): void => {
  const ia = 1 / a
  const ib = 1 / b
  const symmetric = a === b
  // For a = b the larger uniform w gives max = log(w) / a, and w <= e^(-0.7 a) means max <= -0.7.
  const sure = Math.exp(-0.7 * a)
  let s0 = state[0]!
  let s1 = state[1]!
  let s2 = state[2]!
  let s3 = state[3]!
  let t = 0
  const n = out.length
  for (let i = 0; i < n; ) {
    // Two sfc32 steps written out (u, then v): a call or closure per draw costs more than the rest.
    t = (((s0 + s1) | 0) + s3) | 0
    s3 = (s3 + 1) | 0
    s0 = s1 ^ (s1 >>> 9)
    s1 = (s2 + (s2 << 3)) | 0
    s2 = (s2 << 21) | (s2 >>> 11)
    s2 = (s2 + t) | 0
    const u = ((t >>> 0) + 0.5) / TWO_POW_32
    t = (((s0 + s1) | 0) + s3) | 0
    s3 = (s3 + 1) | 0
    s0 = s1 ^ (s1 >>> 9)
    s1 = (s2 + (s2 << 3)) | 0
    s2 = (s2 << 21) | (s2 >>> 11)
    s2 = (s2 + t) | 0
    const v = ((t >>> 0) + 0.5) / TWO_POW_32
    if (symmetric) {
      // a = b: X / (X + Y) = 1 / (1 + r) with r = (min / max)^(1/a), one log and one exp.
      const big = u > v
      const w = big ? u : v
      const r = Math.exp(Math.log(big ? v / u : u / v) * ia)
      if (w <= sure || Math.log(w) * ia + Math.log1p(r) <= 0) out[i++] = big ? 1 / (1 + r) : r / (1 + r)
      continue
    }
    const lx = Math.log(u) * ia
    const ly = Math.log(v) * ib
    // Accept when X + Y <= 1, i.e. max + log1p(e^(min - max)) <= 0. As 0 <= log1p(r) <= ln 2, a
    // max below -0.7 always passes, so log1p is only evaluated near the boundary.
    const big = lx > ly
    const max = big ? lx : ly
    const r = Math.exp(big ? ly - lx : lx - ly)
    if (max <= -0.7 || max + Math.log1p(r) <= 0) out[i++] = big ? 1 / (1 + r) : r / (1 + r)
  }
}

// Marsaglia–Tsang Gamma ratio with the fast uniform and the polar method's both normals.
const fillGammaRatio = (
  a: number,
  b: number,
  out: Float32Array | Float64Array,
  uniform: () => number,
): void => {
  let spare = 0
  let hasSpare = false
  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false
      return spare
    }
    for (;;) {
      const u = 2 * uniform() - 1
      const v = 2 * uniform() - 1
      const s = u * u + v * v
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s)
        spare = v * f
        hasSpare = true
        return u * f
      }
    }
  }
  const logGammaFast = (shape: number): number => {
    const boost = shape < 1 ? Math.log(uniform()) / shape : 0
    const d = (shape < 1 ? shape + 1 : shape) - 1 / 3
    const c = 1 / Math.sqrt(9 * d)
    for (;;) {
      const x = normal()
      const t = 1 + c * x
      if (t <= 0) continue
      const v = t * t * t
      const u = uniform()
      const x2 = x * x
      if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
        return Math.log(d * v) + boost
      }
    }
  }
  for (let i = 0; i < out.length; i++) {
    const lx = logGammaFast(a)
    const ly = logGammaFast(b)
    out[i] = 1 / (1 + Math.exp(ly - lx))
  }
}

/**
 * Fill `out` with independent lambdas at `epoch`: the bulk path for per-example lambdas and
 * benchmarks. Reproducible for a given `rng` state (it takes four draws from `rng` to seed a
 * fast generator, so its values differ from repeated `sample` calls). Beta uses Jöhnk's method
 * when both shapes are below 1 and the Gamma ratio otherwise. Throws `InvalidParameter` for an
 * invalid sampler.
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
  if (active._tag === "Beta") {
    const state = seedFast(rng)
    if (active.a < 1 && active.b < 1) fillJohnk(active.a, active.b, out, state)
    else fillGammaRatio(active.a, active.b, out, makeUniform(state))
  } else if (active._tag === "Constant") {
    out.fill(active.value)
  } else {
    for (let i = 0; i < n; i++) out[i] = drawResolved(active, rng)
  }
  return out
}

/** True when `sampler` at `epoch` always gives lambda = 1, i.e. the mixer is switched off. */
export const isOff = (sampler: Sampler, epoch: number): boolean => {
  const active = resolve(sampler, epoch)
  return active._tag === "Constant" && active.value === 1
}
