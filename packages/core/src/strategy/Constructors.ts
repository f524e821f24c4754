/** The smart constructors: leaves and combinators, normalised so the algebra's laws hold as values. */
import { dual } from "effect/Function"
import type * as Box from "../Box.ts"
import * as Lambda from "../Lambda.ts"
import * as Pairing from "../Pairing.ts"
import type { Granularity, Mixer, Mixers, Segment, Strategy, Weighted } from "./Algebra.ts"

export interface MixOptions {
  /** Symmetric Beta(alpha, alpha); ignored when `lambda` is given. Default 1. */
  readonly alpha?: number
  /** Any sampler, e.g. `Lambda.uniform(0.5)` or an alpha schedule. */
  readonly lambda?: Lambda.Sampler
  readonly pairing?: Pairing.Pairing
  readonly granularity?: Granularity
}

const samplerOf = (options: MixOptions): Lambda.Sampler =>
  options.lambda ?? Lambda.symmetricBeta(options.alpha ?? 1)

/** Empirical risk minimisation: the batch unchanged. */
export const erm: Strategy = { _tag: "Erm" }

/** mixup: x and y interpolated with lambda ~ Beta(alpha, alpha), partner by `pairing`. */
export const mixup = (options: MixOptions): Strategy => interpolation(options, "interpolate")

const interpolation = (options: MixOptions, labels: "interpolate" | "keepFirst"): Strategy => ({
  _tag: "Mixup",
  lambda: samplerOf(options),
  pairing: options.pairing ?? Pairing.randomPermutation,
  granularity: options.granularity ?? "batch",
  labels,
})

/** "Mixing images": inputs interpolated, the first example's label kept. */
export const mixImages = (options: MixOptions): Strategy => interpolation(options, "keepFirst")

/** How the image mixers read a batch: `layout` "NHWC" (the default, tfjs's) or "NCHW" (channels first). */
export interface ImageOptions {
  readonly layout?: Box.Layout | undefined
}

// Only a layout that was asked for is stored, so configs written before it decode and encode unchanged.
const layoutOf = (options: ImageOptions): { readonly layout?: Box.Layout } =>
  options.layout === undefined ? {} : { layout: options.layout }

export interface CutMixOptions extends MixOptions, ImageOptions {
  /** The label weight is the exact kept area of the clipped box (default), or the sampled lambda. */
  readonly correctLambda?: boolean
  /** timm's `cutmix_minmax`: box sides uniform in [min, max) of each side, independent of lambda. */
  readonly minMax?: readonly [min: number, max: number]
}

/**
 * CutMix: a box of the partner pasted in; by default the label weight is the exact kept area.
 * With `minMax` the box size is drawn independently of lambda and the label weight is its kept area.
 */
export const cutmix = (options: CutMixOptions): Strategy => ({
  _tag: "CutMix",
  lambda: samplerOf(options),
  pairing: options.pairing ?? Pairing.randomPermutation,
  granularity: options.granularity ?? "batch",
  correctLambda: options.correctLambda ?? true,
  ...(options.minMax === undefined ? {} : { minMax: options.minMax }),
  ...layoutOf(options),
})

/**
 * timm's `Mixup` with its per-batch, per-pair and per-element modes: for each lambda draw (one per
 * batch, pair or example by `granularity`), the mix is applied with probability `prob` (default
 * 1), and is CutMix with probability `switchProb` (default 0.5), mixup otherwise; lambda is drawn
 * from that method's sampler (`mixupAlpha`, `cutmixAlpha`, default 1, or `mixupLambda`,
 * `cutmixLambda`), and each example gets its own box. Both read the unmixed batch. Set
 * `pairing: Pairing.flip` for timm's partners.
 */
export const mixupCutmix = (
  options: Omit<CutMixOptions, "alpha" | "lambda"> & {
    readonly mixupAlpha?: number
    readonly cutmixAlpha?: number
    readonly mixupLambda?: Lambda.Sampler
    readonly cutmixLambda?: Lambda.Sampler
    readonly prob?: number
    readonly switchProb?: number
  } = {},
): Strategy => ({
  _tag: "MixupCutMix",
  mixupLambda: options.mixupLambda ?? Lambda.symmetricBeta(options.mixupAlpha ?? 1),
  cutmixLambda: options.cutmixLambda ?? Lambda.symmetricBeta(options.cutmixAlpha ?? 1),
  prob: options.prob ?? 1,
  switchProb: options.switchProb ?? 0.5,
  correctLambda: options.correctLambda ?? true,
  ...(options.minMax === undefined ? {} : { minMax: options.minMax }),
  pairing: options.pairing ?? Pairing.randomPermutation,
  granularity: options.granularity ?? "batch",
  ...layoutOf(options),
})

/**
 * ResizeMix: the whole partner image, shrunk (nearest neighbour) to a uniform `scale` in
 * [min, max] (default [0.1, 0.8]) of each side, pasted at a uniform place; the label weight is
 * the exact kept area.
 */
export const resizeMix = (
  options: {
    readonly scale?: readonly [min: number, max: number]
    readonly pairing?: Pairing.Pairing
    readonly granularity?: Granularity
    readonly layout?: Box.Layout | undefined
  } = {},
): Strategy => ({
  _tag: "ResizeMix",
  minScale: options.scale?.[0] ?? 0.1,
  maxScale: options.scale?.[1] ?? 0.8,
  pairing: options.pairing ?? Pairing.randomPermutation,
  granularity: options.granularity ?? "batch",
  ...layoutOf(options),
})

/**
 * FMix: a low-frequency Fourier mask keeps lambda of the example's pixels and takes the rest from
 * its partner; the label weight is the exact kept fraction. `decay` (default 3) is the spectrum's
 * decay power. See `Fourier` for the mask.
 */
export const fmix = (options: MixOptions & ImageOptions & { readonly decay?: number }): Strategy => ({
  _tag: "FMix",
  lambda: samplerOf(options),
  decay: options.decay ?? 3,
  pairing: options.pairing ?? Pairing.randomPermutation,
  granularity: options.granularity ?? "batch",
  ...layoutOf(options),
})

/** Label smoothing: y <- (1 - epsilon) y + epsilon / classes. */
export const labelSmoothing = (options: { readonly epsilon: number }): Strategy => ({
  _tag: "LabelSmoothing",
  epsilon: options.epsilon,
})

/** Gaussian input noise, the classical VRM vicinity: x <- x + N(0, sigma^2). */
export const gaussianNoise = (options: { readonly sigma: number }): Strategy => ({
  _tag: "GaussianNoise",
  sigma: options.sigma,
})

/**
 * Apply `strategy` with probability `p`, else leave the batch unchanged. Data-first or data-last.
 * `withProbability(s, 1)` is `s` itself (no coin is drawn), so it plans exactly as `s`.
 */
export const withProbability: {
  (p: number): (strategy: Strategy) => Strategy
  (strategy: Strategy, p: number): Strategy
} = dual(
  2,
  (strategy: Strategy, p: number): Strategy =>
    p === 1 ? strategy : { _tag: "WithProbability", p, strategy },
)

/**
 * Per batch, one of several strategies, drawn with the given weights (plain strategies weigh 1).
 * A single option of positive weight is that strategy itself (nothing to draw).
 */
export const oneOf = (options: ReadonlyArray<Strategy | Weighted>): Strategy => {
  const weighted = options.map((o) => ("_tag" in o ? { weight: 1, strategy: o } : o))
  const only = weighted.length === 1 ? weighted[0]! : undefined
  return only !== undefined && Number.isFinite(only.weight) && only.weight > 0
    ? only.strategy
    : { _tag: "OneOf", options: weighted }
}

// The steps of a chain, flattened, without ERM.
const chainSteps = (s: Strategy): ReadonlyArray<Strategy> =>
  s._tag === "Chain" ? s.strategies.flatMap(chainSteps) : s._tag === "Erm" ? [] : [s]

/**
 * Apply strategies in order, each to the previous one's result (e.g. mixup then smoothing).
 * Normalised: nested chains are flattened and ERM steps dropped (neither draws, so the plan is
 * the same), leaving ERM for none and the strategy itself for one; `chain` is therefore
 * associative with `erm` as its identity, as values and not only as plans.
 */
export const chain = (...strategies: ReadonlyArray<Strategy>): Strategy => {
  const flat = strategies.flatMap(chainSteps)
  return flat.length === 0 ? erm : flat.length === 1 ? flat[0]! : { _tag: "Chain", strategies: flat }
}

/** By epoch: each segment from its `fromEpoch` on; ERM before the first. */
export const schedule = (segments: ReadonlyArray<Segment>): Strategy => ({
  _tag: "Schedule",
  segments: [...segments].sort((l, r) => l.fromEpoch - r.fromEpoch),
})

/** `strategy` before `epoch`, ERM from `epoch` on ("off after epoch E" is `until(s, E + 1)`). */
export const until: {
  (epoch: number): (strategy: Strategy) => Strategy
  (strategy: Strategy, epoch: number): Strategy
} = dual(
  2,
  (strategy: Strategy, epoch: number): Strategy =>
    schedule([
      { fromEpoch: 0, strategy },
      { fromEpoch: epoch, strategy: erm },
    ]),
)

/**
 * Manifold mixup: the plan's `stage` is drawn uniformly from `stages` (0 = inputs, k = output of
 * model stage k); the mixing itself is `strategy` (default: mixup with `alpha`, default 2).
 */
export const manifold = (options: {
  readonly stages: ReadonlyArray<number>
  readonly strategy?: Strategy
  readonly alpha?: number
}): Strategy => ({
  _tag: "Manifold",
  stages: options.stages,
  strategy: options.strategy ?? mixup({ alpha: options.alpha ?? 2 }),
})

/** A user-defined strategy: the mixer registered as `name`, with `params` (its JSON data). */
export const custom = (name: string, params: unknown = {}): Strategy => ({ _tag: "Custom", name, params })

/**
 * Define a mixer: `make(params)` builds its strategy and `mixers` registers it, for `plan`
 * (`PlanInput.mixers`) or through the `CustomMixers` reference (`apply`, `fromConfig`).
 */
export const defineMixer = <P>(
  name: string,
  mixer: Mixer<P>,
): { readonly name: string; readonly mixers: Mixers; readonly make: (params: P) => Strategy } => ({
  name,
  mixers: { [name]: mixer },
  make: (params) => custom(name, params),
})
