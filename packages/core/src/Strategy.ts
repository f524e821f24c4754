/**
 * The VRM strategy algebra. A strategy is a plain, serialisable value; constructors build
 * leaves (ERM, mixup, CutMix, ResizeMix, FMix, mixing images, label smoothing, Gaussian noise) and combinators
 * (`withProbability`, `oneOf`, `chain`, `schedule`, `manifold`) take strategies and return one,
 * so users compose their own without new classes.
 *
 * `plan` draws every random choice as data, `execute` runs a plan on tensors (any tensor x,
 * e.g. hidden activations), `Host.execute` on typed arrays, and `apply` does both inside Effect
 * with the run's `Random` service. Constructors never throw: parameters are validated by
 * `validate`, which `plan` (throws the tagged error) and `apply` (error channel) call.
 */
import { Context, Effect, Exit, Schema, type SchemaIssue } from "effect"
import { dual } from "effect/Function"
import * as Box from "./Box.ts"
import {
  type CoreError,
  EmptyBatch,
  InvalidConfig,
  InvalidParameter,
  isCoreError,
  ShapeMismatch,
} from "./Errors.ts"
import * as Execute from "./Execute.ts"
import * as Fourier from "./Fourier.ts"
import * as Host from "./Host.ts"
import * as Lambda from "./Lambda.ts"
import type { Batch, MixedBatch } from "./MixedBatch.ts"
import * as Pairing from "./Pairing.ts"
import type { MixPlan, Step } from "./Plan.ts"
import * as Random from "./Random.ts"
import * as SchemaPath from "./SchemaPath.ts"
import * as Targets from "./Targets.ts"

/** One lambda per batch (the paper's), per pair (i, partner(i)), or per example. */
export type Granularity = "batch" | "pair" | "element"

export interface Weighted {
  readonly weight: number
  readonly strategy: Strategy
}

export interface Segment {
  readonly fromEpoch: number
  readonly strategy: Strategy
}

export type Strategy =
  | { readonly _tag: "Erm" }
  | {
      readonly _tag: "Mixup"
      readonly lambda: Lambda.Sampler
      readonly pairing: Pairing.Pairing
      readonly granularity: Granularity
      /** "interpolate": y mixed like x (mixup); "keepFirst": inputs only ("mixing images"). */
      readonly labels: "interpolate" | "keepFirst"
    }
  | {
      readonly _tag: "CutMix"
      readonly lambda: Lambda.Sampler
      readonly pairing: Pairing.Pairing
      readonly granularity: Granularity
      /** true: the label weight is the exact kept area of the clipped box; false: the sampled lambda. */
      readonly correctLambda: boolean
      /** timm's `cutmix_minmax`: box sides uniform in [min, max) of each side, lambda not drawn. */
      readonly minMax?: readonly [min: number, max: number]
      readonly layout?: Box.Layout
    }
  | {
      /** timm's `Mixup`: per lambda draw, applied with `prob`, CutMix with `switchProb`, else mixup. */
      readonly _tag: "MixupCutMix"
      readonly mixupLambda: Lambda.Sampler
      readonly cutmixLambda: Lambda.Sampler
      readonly prob: number
      readonly switchProb: number
      readonly correctLambda: boolean
      readonly minMax?: readonly [min: number, max: number]
      readonly pairing: Pairing.Pairing
      readonly granularity: Granularity
      readonly layout?: Box.Layout
    }
  | {
      readonly _tag: "ResizeMix"
      /** The pasted partner's side as a fraction of the image's, uniform in [minScale, maxScale]. */
      readonly minScale: number
      readonly maxScale: number
      readonly pairing: Pairing.Pairing
      readonly granularity: Granularity
      readonly layout?: Box.Layout
    }
  | {
      readonly _tag: "FMix"
      readonly lambda: Lambda.Sampler
      /** Spectrum decay power: larger gives smoother, blob-like masks (the reference's 3). */
      readonly decay: number
      readonly pairing: Pairing.Pairing
      readonly granularity: Granularity
      readonly layout?: Box.Layout
    }
  | { readonly _tag: "LabelSmoothing"; readonly epsilon: number }
  | { readonly _tag: "GaussianNoise"; readonly sigma: number }
  | { readonly _tag: "WithProbability"; readonly p: number; readonly strategy: Strategy }
  | { readonly _tag: "OneOf"; readonly options: ReadonlyArray<Weighted> }
  | { readonly _tag: "Chain"; readonly strategies: ReadonlyArray<Strategy> }
  | { readonly _tag: "Schedule"; readonly segments: ReadonlyArray<Segment> }
  | { readonly _tag: "Manifold"; readonly stages: ReadonlyArray<number>; readonly strategy: Strategy }
  /** A user-defined mixer, looked up by `name` among the registered `Mixers`; `params` is its JSON data. */
  | { readonly _tag: "Custom"; readonly name: string; readonly params: unknown }

/** Per optimisation step: which epoch and step we are at (schedules read the epoch). */
export interface StepContext {
  readonly epoch: number
  readonly step: number
}

// ---------------------------------------------------------------------------------------------
// Constructors

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

// ---------------------------------------------------------------------------------------------
// User-defined strategies

/** What a user mixer's `plan` draws with: the step's epoch and the plan's generator. */
export interface Draw {
  readonly epoch: number
  readonly rng: Random.Rng
}

/**
 * A user-defined mixer, a small record of pure functions (like an Optax transformation):
 * `params` is the Effect Schema of its parameters (plain JSON data, decoded and checked before
 * every plan and by `fromConfig`), `plan` draws every random choice from `draw.rng` and returns
 * plan steps, either the built-in ones (`Interpolate`, `Cut`, `Paste`, `Smooth`, `Noise`) or a
 * `Custom` step carrying its own tensor and typed-array execution. `needs` says whether planning
 * reads class labels or the inputs (`PlanInput.labels` / `features`).
 */
export interface Mixer<P = unknown> {
  readonly params: Schema.Codec<P, unknown>
  readonly needs?: { readonly labels?: boolean; readonly features?: boolean }
  readonly plan: (params: P, input: PlanInput, draw: Draw) => ReadonlyArray<Step>
}

/** User mixers by name, so that a strategy stays plain, serialisable data (as `Pairing.Registry`). */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds mixers of different parameter types
export type Mixers = Readonly<Record<string, Mixer<any>>>

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

/**
 * The user mixers `apply` and `fromConfig` can use, as an Effect reference (empty by default):
 * `Effect.provideService(Strategy.CustomMixers, saliencyMix.mixers)`.
 */
export const CustomMixers = Context.Reference<Mixers>("@vicinal/core/Strategy/CustomMixers", {
  defaultValue: () => ({}),
})

const mixerOf = (strategy: { readonly name: string }, mixers: Mixers, argument: string): Mixer => {
  const mixer = Object.hasOwn(mixers, strategy.name) ? mixers[strategy.name] : undefined
  if (mixer === undefined)
    throw new InvalidParameter({
      argument,
      value: strategy.name,
      reason: `is not a registered mixer (known: ${Object.keys(mixers).join(", ") || "none"}); register it with Strategy.defineMixer`,
    })
  return mixer
}

/** The decoded parameters of a user strategy, or the first bad field as `InvalidParameter` (thrown). */
const customParams = (
  strategy: { readonly name: string; readonly params: unknown },
  mixer: Mixer,
  here: string,
) => {
  const decoded = Schema.decodeUnknownExit(mixer.params)(strategy.params)
  if (Exit.isSuccess(decoded)) return decoded.value
  const issue = Exit.findErrorOption(decoded)
  const first =
    issue._tag === "Some"
      ? SchemaPath.firstIssue(issue.value.issue, strategy.params)
      : { field: "", value: strategy.params, message: "invalid" }
  throw new InvalidParameter({
    argument: first.field === "" ? `${here}.params` : `${here}.params.${first.field}`,
    value: first.value,
    reason: first.message ?? "invalid",
  })
}

// ---------------------------------------------------------------------------------------------
// Validation

const invalid = (argument: string, value: unknown, reason: string) =>
  new InvalidParameter({ argument, value, reason })

const probability = (argument: string, p: number): InvalidParameter | undefined =>
  Number.isFinite(p) && p >= 0 && p <= 1 ? undefined : invalid(argument, p, "must be a probability in [0, 1]")

const firstOf = <A>(
  items: ReadonlyArray<A>,
  check: (a: A, i: number) => InvalidParameter | undefined,
): InvalidParameter | undefined => {
  for (let i = 0; i < items.length; i++) {
    const e = check(items[i]!, i)
    if (e !== undefined) return e
  }
  return undefined
}

const granularities: ReadonlyArray<string> = ["batch", "pair", "element"]

const pairingAndGranularity = (
  strategy: {
    readonly pairing: Pairing.Pairing
    readonly granularity: Granularity
    readonly layout?: Box.Layout
  },
  here: string,
): InvalidParameter | undefined =>
  Pairing.validate(strategy.pairing, `${here}.pairing`) ??
  (granularities.includes(strategy.granularity)
    ? undefined
    : invalid(`${here}.granularity`, strategy.granularity, 'must be "batch", "pair" or "element"')) ??
  (strategy.layout === undefined || strategy.layout === "NHWC" || strategy.layout === "NCHW"
    ? undefined
    : invalid(`${here}.layout`, strategy.layout, 'must be "NHWC" or "NCHW"'))

const boxRange = (
  minMax: readonly [number, number] | undefined,
  here: string,
): InvalidParameter | undefined =>
  minMax === undefined ||
  (minMax.length === 2 &&
    Number.isFinite(minMax[0]) &&
    minMax[0] >= 0 &&
    minMax[0] <= minMax[1] &&
    minMax[1] <= 1)
    ? undefined
    : invalid(`${here}.minMax`, minMax, "must be [min, max] with 0 <= min <= max <= 1")

/** The first invalid parameter of `strategy`, named by its path (e.g. `oneOf.options[1].mixup.lambda.alpha`). */
export const validate = (strategy: Strategy, path = ""): InvalidParameter | undefined => {
  const at = (name: string) => (path === "" ? name : `${path}.${name}`)
  switch (strategy._tag) {
    case "Erm":
      return undefined
    case "Mixup":
    case "CutMix": {
      const here = at(
        strategy._tag === "Mixup" ? (strategy.labels === "keepFirst" ? "mixImages" : "mixup") : "cutmix",
      )
      return (
        Lambda.validate(strategy.lambda, `${here}.lambda`) ??
        (strategy._tag === "CutMix" ? boxRange(strategy.minMax, here) : undefined) ??
        pairingAndGranularity(strategy, here)
      )
    }
    case "MixupCutMix": {
      const here = at("mixupCutmix")
      return (
        Lambda.validate(strategy.mixupLambda, `${here}.mixupLambda`) ??
        Lambda.validate(strategy.cutmixLambda, `${here}.cutmixLambda`) ??
        probability(`${here}.prob`, strategy.prob) ??
        probability(`${here}.switchProb`, strategy.switchProb) ??
        boxRange(strategy.minMax, here) ??
        pairingAndGranularity(strategy, here)
      )
    }
    case "FMix": {
      const here = at("fmix")
      return (
        Lambda.validate(strategy.lambda, `${here}.lambda`) ??
        (Number.isFinite(strategy.decay) && strategy.decay > 0
          ? undefined
          : invalid(`${here}.decay`, strategy.decay, "must be > 0 and finite")) ??
        pairingAndGranularity(strategy, here)
      )
    }
    case "ResizeMix": {
      const here = at("resizeMix")
      return (
        (Number.isFinite(strategy.minScale) && strategy.minScale > 0 && strategy.minScale <= strategy.maxScale
          ? undefined
          : invalid(`${here}.minScale`, strategy.minScale, "must be > 0 and <= maxScale")) ??
        (Number.isFinite(strategy.maxScale) && strategy.maxScale <= 1
          ? undefined
          : invalid(`${here}.maxScale`, strategy.maxScale, "must be <= 1")) ??
        pairingAndGranularity(strategy, here)
      )
    }
    case "LabelSmoothing":
      return probability(at("labelSmoothing.epsilon"), strategy.epsilon)
    case "GaussianNoise":
      return Number.isFinite(strategy.sigma) && strategy.sigma >= 0
        ? undefined
        : invalid(at("gaussianNoise.sigma"), strategy.sigma, "must be >= 0 and finite")
    case "WithProbability":
      return (
        probability(at("withProbability.p"), strategy.p) ?? validate(strategy.strategy, at("withProbability"))
      )
    case "OneOf": {
      const here = at("oneOf.options")
      if (strategy.options.length === 0) return invalid(here, [], "must not be empty")
      const bad = firstOf(strategy.options, (o, i) =>
        Number.isFinite(o.weight) && o.weight >= 0
          ? validate(o.strategy, `${here}[${i}]`)
          : invalid(`${here}[${i}].weight`, o.weight, "must be >= 0 and finite"),
      )
      if (bad !== undefined) return bad
      return strategy.options.some((o) => o.weight > 0)
        ? undefined
        : invalid(
            `${here}[*].weight`,
            strategy.options.map((o) => o.weight),
            "must not all be zero",
          )
    }
    case "Chain":
      return firstOf(strategy.strategies, (s, i) => validate(s, at(`chain[${i}]`)))
    case "Schedule":
      return firstOf(strategy.segments, (s, i) =>
        Number.isInteger(s.fromEpoch) && s.fromEpoch >= 0
          ? validate(s.strategy, at(`schedule[${i}]`))
          : invalid(at(`schedule[${i}].fromEpoch`), s.fromEpoch, "must be an integer >= 0"),
      )
    case "Custom":
      return typeof strategy.name === "string" && strategy.name !== ""
        ? undefined
        : invalid(at("custom.name"), strategy.name, "must be a non-empty string")
    case "Manifold": {
      const here = at("manifold")
      if (strategy.stages.length === 0) return invalid(`${here}.stages`, [], "must not be empty")
      return (
        firstOf(strategy.stages, (k, i) =>
          Number.isInteger(k) && k >= 0
            ? undefined
            : invalid(`${here}.stages[${i}]`, k, "must be an integer >= 0"),
        ) ?? validate(strategy.strategy, here)
      )
    }
  }
}

/** The strategies a combinator holds. */
export const children = (strategy: Strategy): ReadonlyArray<Strategy> => {
  switch (strategy._tag) {
    case "WithProbability":
    case "Manifold":
      return [strategy.strategy]
    case "OneOf":
      return strategy.options.map((o) => o.strategy)
    case "Chain":
      return strategy.strategies
    case "Schedule":
      return strategy.segments.map((g) => g.strategy)
    default:
      return []
  }
}

/** What a strategy's pairings read: class labels (SC) and/or host features (KNN), or custom. */
export const needs = (
  strategy: Strategy,
  mixers: Mixers = {},
): { readonly labels: boolean; readonly features: boolean } => {
  const acc = { labels: false, features: false }
  const visit = (s: Strategy): void => {
    if (s._tag === "Custom") {
      const need = Object.hasOwn(mixers, s.name) ? mixers[s.name]?.needs : undefined
      acc.labels ||= need?.labels === true
      acc.features ||= need?.features === true
    } else if ("pairing" in s) {
      const p = s.pairing
      if (p._tag === "SameClass" || (p._tag === "Knn" && p.sameClass) || p._tag === "Custom")
        acc.labels = true
      if (p._tag === "Knn" || p._tag === "Custom") acc.features = true
    } else children(s).forEach(visit)
  }
  visit(strategy)
  return acc
}

// ---------------------------------------------------------------------------------------------
// Planning

/** What planning may look at: batch size and shape, plus labels / features when `needs` says so. */
export interface PlanInput extends Pairing.PairingInput {
  /** [n, ...features] of the tensor the plan will be executed on (CutMix reads H and W). */
  readonly shape: ReadonlyArray<number>
  readonly pairings?: Pairing.Registry
  /** The user mixers `Strategy.custom` strategies name. */
  readonly mixers?: Mixers
}

// Which lambda draw each example uses: one for the batch, one per pair, or one each.
const lambdaOwners = (
  granularity: Granularity,
  partner: Int32Array,
): { owner: Int32Array; draws: number } => {
  const n = partner.length
  const owner = new Int32Array(n)
  if (granularity === "batch") return { owner, draws: 1 }
  if (granularity === "element") {
    for (let i = 0; i < n; i++) owner[i] = i
    return { owner, draws: n }
  }
  owner.fill(-1)
  let draws = 0
  for (let i = 0; i < n; i++) {
    if (owner[i] !== -1) continue
    owner[i] = draws
    const j = partner[i]!
    // An involutive pair (flip, SC of two) shares one lambda, like timm's "pair" mode.
    if (partner[j] === i && owner[j] === -1) owner[j] = draws
    draws++
  }
  return { owner, draws }
}

const planMix = (
  strategy: Extract<Strategy, { _tag: "Mixup" | "CutMix" | "ResizeMix" | "FMix" }>,
  info: PlanInput,
  epoch: number,
  rng: Random.Rng,
): ReadonlyArray<Step> => {
  if (strategy._tag !== "ResizeMix" && Lambda.isOff(strategy.lambda, epoch)) return []
  // ResizeMix draws the pasted side's scale where the others draw lambda; CutMix with a box
  // size range draws no lambda (the label weight is the box's kept area).
  const minMax = strategy._tag === "CutMix" ? strategy.minMax : undefined
  const draw =
    strategy._tag === "ResizeMix"
      ? () => strategy.minScale + rng.uniform() * (strategy.maxScale - strategy.minScale)
      : minMax !== undefined
        ? () => 1
        : () => Lambda.sample(strategy.lambda, rng, epoch)
  const n = info.n
  const partner = Pairing.partners(strategy.pairing, info, rng, info.pairings)
  const { owner, draws } = lambdaOwners(strategy.granularity, partner)
  const drawn = Float64Array.from({ length: draws }, draw)
  if (strategy._tag === "Mixup") {
    const inputLambda = new Float32Array(n)
    for (let i = 0; i < n; i++) inputLambda[i] = drawn[owner[i]!]!
    const labelLambda =
      strategy.labels === "keepFirst" ? new Float32Array(n).fill(1) : Float32Array.from(inputLambda)
    return [{ _tag: "Interpolate", partner, inputLambda, labelLambda }]
  }
  const { height, width } = imageSize(strategy, info)
  const layout = layoutField(strategy)
  if (strategy._tag === "FMix") {
    const drawnMasks = Array.from({ length: draws }, (_, k) =>
      Fourier.sampleMask(drawn[k]!, height, width, strategy.decay, rng),
    )
    const masks = new Uint8Array(draws * height * width)
    drawnMasks.forEach((m, k) => {
      masks.set(m.pasted, k * height * width)
    })
    const inputLambda = Float32Array.from(owner, (k) => drawnMasks[k]!.kept)
    return [
      {
        _tag: "Paste",
        partner,
        masks,
        owner,
        height,
        width,
        inputLambda,
        labelLambda: inputLambda.slice(),
        ...layout,
      },
    ]
  }
  const resize = strategy._tag === "ResizeMix"
  const perDraw = Array.from({ length: draws }, (_, k) =>
    resize
      ? Box.sampleResized(drawn[k]!, height, width, rng)
      : minMax !== undefined
        ? Box.sampleMinMax(minMax[0], minMax[1], height, width, rng)
        : Box.sample(drawn[k]!, height, width, rng),
  )
  const boxes = new Int32Array(4 * n)
  const inputLambda = new Float32Array(n)
  const labelLambda = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const box = perDraw[owner[i]!]!
    boxes.set([box.y0, box.y1, box.x0, box.x1], 4 * i)
    inputLambda[i] = Box.keptFraction(box, height, width)
    labelLambda[i] =
      strategy._tag === "CutMix" && !strategy.correctLambda && minMax === undefined
        ? drawn[owner[i]!]!
        : inputLambda[i]!
  }
  return [
    {
      _tag: "Cut",
      partner,
      boxes,
      ...(resize ? { resize } : {}),
      height,
      width,
      inputLambda,
      labelLambda,
      ...layout,
    },
  ]
}

type ImageMixer = Extract<Strategy, { _tag: "CutMix" | "ResizeMix" | "FMix" | "MixupCutMix" }>

const imageSize = (strategy: ImageMixer, info: PlanInput) => {
  const size = Box.spatial(info.shape, strategy.layout)
  if (size === undefined)
    throw new ShapeMismatch({
      argument: `x (${strategy._tag})`,
      expected:
        strategy.layout === "NCHW"
          ? "rank 4 [n, C, H, W] (layout NCHW)"
          : 'rank 3 or 4 [n, H, W(, C)] (layout NHWC; say layout: "NCHW" for channels first)',
      actual: info.shape,
    })
  return size
}

const layoutField = (strategy: ImageMixer): { readonly layout?: "NCHW" } =>
  strategy.layout === "NCHW" ? { layout: "NCHW" } : {}

// timm's Mixup: per lambda draw, a coin for `prob`, a coin for CutMix (`switchProb`), then that
// method's lambda and, for CutMix, a box. Mixed examples interpolate, switched ones take a box,
// both from the unmixed batch (one Cut step with `blend`).
const planSwitch = (
  strategy: Extract<Strategy, { _tag: "MixupCutMix" }>,
  info: PlanInput,
  epoch: number,
  rng: Random.Rng,
): ReadonlyArray<Step> => {
  const { height, width } = imageSize(strategy, info)
  const n = info.n
  const partner = Pairing.partners(strategy.pairing, info, rng, info.pairings)
  const { owner, draws } = lambdaOwners(strategy.granularity, partner)
  const perDraw = Array.from({ length: draws }, () => {
    const applied = rng.uniform() < strategy.prob
    const switched = rng.uniform() < strategy.switchProb
    const sampler = switched ? strategy.cutmixLambda : strategy.mixupLambda
    // Not applied, or the chosen method switched off by its schedule: the example is kept (lambda 1).
    if (!applied || Lambda.isOff(sampler, epoch)) return { lambda: 1, box: undefined, applied: false }
    const lambda = Lambda.sample(sampler, rng, epoch)
    const { minMax } = strategy
    const box = !switched
      ? undefined
      : minMax === undefined
        ? Box.sample(lambda, height, width, rng)
        : Box.sampleMinMax(minMax[0], minMax[1], height, width, rng)
    return { lambda, box, applied: true }
  })
  if (!perDraw.some((d) => d.applied)) return []
  const boxes = new Int32Array(4 * n)
  const blend = new Uint8Array(n)
  const inputLambda = new Float32Array(n)
  const labelLambda = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const { lambda, box } = perDraw[owner[i]!]!
    if (box === undefined) {
      blend[i] = 1
      inputLambda[i] = lambda
      labelLambda[i] = lambda
      continue
    }
    boxes.set([box.y0, box.y1, box.x0, box.x1], 4 * i)
    inputLambda[i] = Box.keptFraction(box, height, width)
    labelLambda[i] = strategy.correctLambda || strategy.minMax !== undefined ? inputLambda[i]! : lambda
  }
  return [
    {
      _tag: "Cut",
      partner,
      boxes,
      ...(blend.includes(1) ? { blend } : {}),
      height,
      width,
      inputLambda,
      labelLambda,
      ...layoutField(strategy),
    },
  ]
}

const pickWeighted = (weights: ReadonlyArray<number>, rng: Random.Rng): number => {
  const total = weights.reduce((a, b) => a + b, 0)
  let u = rng.uniform() * total
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!
    if (u < 0 && weights[i]! > 0) return i
  }
  // Rounding left u >= 0: the last option with positive weight.
  return weights.findLastIndex((w) => w > 0)
}

interface Planned {
  readonly steps: Array<Step>
  stage: number | undefined
}

const planInto = (
  strategy: Strategy,
  info: PlanInput,
  epoch: number,
  rng: Random.Rng,
  out: Planned,
): void => {
  switch (strategy._tag) {
    case "Erm":
      return
    case "Mixup":
    case "CutMix":
    case "ResizeMix":
    case "FMix":
      out.steps.push(...planMix(strategy, info, epoch, rng))
      return
    case "MixupCutMix":
      out.steps.push(...planSwitch(strategy, info, epoch, rng))
      return
    case "LabelSmoothing":
      out.steps.push({ _tag: "Smooth", epsilon: strategy.epsilon })
      return
    case "GaussianNoise":
      out.steps.push({ _tag: "Noise", sigma: strategy.sigma, seed: rng.int(2147483647) })
      return
    case "WithProbability":
      if (rng.uniform() < strategy.p) planInto(strategy.strategy, info, epoch, rng, out)
      return
    case "OneOf": {
      const i = pickWeighted(
        strategy.options.map((o) => o.weight),
        rng,
      )
      planInto(strategy.options[i]!.strategy, info, epoch, rng, out)
      return
    }
    case "Chain":
      for (const s of strategy.strategies) planInto(s, info, epoch, rng, out)
      return
    case "Schedule": {
      planInto(Lambda.activeSegment(strategy.segments, epoch)?.strategy ?? erm, info, epoch, rng, out)
      return
    }
    case "Manifold":
      out.stage = strategy.stages[rng.int(strategy.stages.length)]!
      planInto(strategy.strategy, info, epoch, rng, out)
      return
    case "Custom": {
      const here = `custom(${strategy.name})`
      const mixer = mixerOf(strategy, info.mixers ?? {}, `${here}.name`)
      out.steps.push(...mixer.plan(customParams(strategy, mixer, here), info, { epoch, rng }))
      return
    }
  }
}

/**
 * Draw every random choice of one application of `strategy` as a `MixPlan`. Synchronous;
 * throws the tagged `InvalidParameter` / `ShapeMismatch` / `EmptyBatch` on bad input.
 */
export const plan = (strategy: Strategy, info: PlanInput, context: StepContext, rng: Random.Rng): MixPlan => {
  const error = validate(strategy)
  if (error !== undefined) throw error
  if (!Number.isInteger(info.n) || info.n < 1) throw new EmptyBatch({ argument: "batch" })
  if (info.shape[0] !== info.n)
    throw new ShapeMismatch({ argument: "shape", expected: `batch size ${info.n} first`, actual: info.shape })
  const out: Planned = { steps: [], stage: undefined }
  planInto(strategy, info, context.epoch, rng, out)
  return out.stage === undefined
    ? { n: info.n, steps: out.steps }
    : { n: info.n, stage: out.stage, steps: out.steps }
}

/** Run a plan on a batch of tensors (synchronous tfjs, no randomness; see `Execute`). */
export const execute: (plan: MixPlan, batch: Batch) => MixedBatch = Execute.execute

/** Run a plan on typed arrays (the data-loader fast path; see `Host`). */
export const executeHost = Host.execute

// ---------------------------------------------------------------------------------------------
// Batch validation and apply

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
) => CoreError | undefined = Targets.validate

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
        throw new InvalidParameter({
          argument: "strategy (manifold)",
          value: drawn.stage,
          reason:
            "drew a hidden stage, which apply cannot reach: plan it and mix that stage's activation with Execute.inputs (as @vicinal/train does)",
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

// ---------------------------------------------------------------------------------------------
// Config: the Effect Schema of strategies (JSON round trip)

const finite = Schema.Number.check(Schema.isFinite())
const positive = finite.check(Schema.isGreaterThan(0, { message: "must be > 0 and finite" }))
const unit = finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }, { message: "must be in [0, 1]" }))
const nonNegative = finite.check(Schema.isGreaterThanOrEqualTo(0, { message: "must be >= 0 and finite" }))
const epochIndex = Schema.Number.check(
  Schema.isInt(),
  Schema.isGreaterThanOrEqualTo(0, { message: "must be >= 0" }),
)

export const SamplerConfig: Schema.Codec<Lambda.Sampler> = Schema.Union([
  Schema.TaggedStruct("Beta", { a: positive, b: positive }),
  Schema.TaggedStruct("Uniform", {
    max: finite.check(
      Schema.isGreaterThan(0),
      Schema.isLessThanOrEqualTo(1, { message: "must be in (0, 1]" }),
    ),
  }),
  Schema.TaggedStruct("Constant", { value: unit }),
  Schema.TaggedStruct("Folded", { sampler: Schema.suspend(() => SamplerConfig) }),
  Schema.TaggedStruct("Schedule", {
    segments: Schema.Array(
      Schema.Struct({ fromEpoch: epochIndex, sampler: Schema.suspend(() => SamplerConfig) }),
    ),
  }),
])

export const PairingConfig: Schema.Codec<Pairing.Pairing> = Schema.Union([
  Schema.TaggedStruct("RandomPermutation", {}),
  Schema.TaggedStruct("Flip", {}),
  Schema.TaggedStruct("Roll", { shift: Schema.Number.check(Schema.isInt()) }),
  Schema.TaggedStruct("SameClass", {}),
  Schema.TaggedStruct("Knn", {
    k: Schema.Number.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(1, { message: "must be >= 1" })),
    sameClass: Schema.Boolean,
  }),
  Schema.TaggedStruct("Custom", { name: Schema.String }),
])

const GranularityConfig = Schema.Literals(["batch", "pair", "element"])
const LayoutConfig = Schema.optionalKey(Schema.Literals(["NHWC", "NCHW"]))
const BoxRangeConfig = Schema.optionalKey(Schema.Tuple([unit, unit]))

/** The Effect Schema of a strategy: decoding checks every parameter and names the field on failure. */
export const Config: Schema.Codec<Strategy> = Schema.Union([
  Schema.TaggedStruct("Erm", {}),
  Schema.TaggedStruct("Mixup", {
    lambda: SamplerConfig,
    pairing: PairingConfig,
    granularity: GranularityConfig,
    labels: Schema.Literals(["interpolate", "keepFirst"]),
  }),
  Schema.TaggedStruct("CutMix", {
    lambda: SamplerConfig,
    pairing: PairingConfig,
    granularity: GranularityConfig,
    correctLambda: Schema.Boolean,
    minMax: BoxRangeConfig,
    layout: LayoutConfig,
  }),
  Schema.TaggedStruct("MixupCutMix", {
    mixupLambda: SamplerConfig,
    cutmixLambda: SamplerConfig,
    prob: unit,
    switchProb: unit,
    correctLambda: Schema.Boolean,
    minMax: BoxRangeConfig,
    pairing: PairingConfig,
    granularity: GranularityConfig,
    layout: LayoutConfig,
  }),
  Schema.TaggedStruct("ResizeMix", {
    minScale: positive,
    maxScale: unit,
    pairing: PairingConfig,
    granularity: GranularityConfig,
    layout: LayoutConfig,
  }),
  Schema.TaggedStruct("FMix", {
    lambda: SamplerConfig,
    decay: positive,
    pairing: PairingConfig,
    granularity: GranularityConfig,
    layout: LayoutConfig,
  }),
  Schema.TaggedStruct("LabelSmoothing", { epsilon: unit }),
  Schema.TaggedStruct("GaussianNoise", { sigma: nonNegative }),
  Schema.TaggedStruct("WithProbability", { p: unit, strategy: Schema.suspend(() => Config) }),
  Schema.TaggedStruct("OneOf", {
    options: Schema.Array(Schema.Struct({ weight: nonNegative, strategy: Schema.suspend(() => Config) })),
  }),
  Schema.TaggedStruct("Chain", { strategies: Schema.Array(Schema.suspend(() => Config)) }),
  Schema.TaggedStruct("Schedule", {
    segments: Schema.Array(Schema.Struct({ fromEpoch: epochIndex, strategy: Schema.suspend(() => Config) })),
  }),
  Schema.TaggedStruct("Manifold", {
    stages: Schema.Array(epochIndex),
    strategy: Schema.suspend(() => Config),
  }),
  Schema.TaggedStruct("Custom", { name: Schema.String, params: Schema.Unknown }),
])

const toInvalidConfig = (input: unknown, issue: SchemaIssue.Issue): InvalidConfig => {
  const first = SchemaPath.firstIssue(issue, input)
  return new InvalidConfig({ path: first.field, value: first.value, reason: first.message ?? "invalid" })
}

/**
 * Decode a strategy from JSON data (e.g. `JSON.parse` of a config file). Fails with
 * `InvalidConfig` naming the field path, e.g. `options[1].strategy.lambda.a`; a config that
 * decodes but breaks a cross-field rule (all oneOf weights zero, an empty list) fails with
 * `InvalidParameter` from `validate`.
 */
export const fromConfig = (json: unknown): Effect.Effect<Strategy, InvalidConfig | InvalidParameter> =>
  Schema.decodeUnknownEffect(Config)(json).pipe(
    Effect.mapError((e) => toInvalidConfig(json, e.issue)),
    Effect.flatMap((strategy) =>
      Effect.gen(function* () {
        const error = validate(strategy) ?? unknownMixer(strategy, "", yield* Effect.service(CustomMixers))
        return error === undefined ? strategy : yield* Effect.fail(error)
      }),
    ),
  )

// Where each child sits in the JSON data of its combinator (the path `InvalidConfig` reports).
const childFields = (strategy: Strategy): ReadonlyArray<readonly [string, Strategy]> => {
  switch (strategy._tag) {
    case "WithProbability":
    case "Manifold":
      return [["strategy", strategy.strategy]]
    case "OneOf":
      return strategy.options.map((o, i) => [`options[${i}].strategy`, o.strategy] as const)
    case "Chain":
      return strategy.strategies.map((s, i) => [`strategies[${i}]`, s] as const)
    case "Schedule":
      return strategy.segments.map((g, i) => [`segments[${i}].strategy`, g.strategy] as const)
    default:
      return []
  }
}

// A user strategy whose mixer is not registered, or whose params its Schema rejects.
const unknownMixer = (strategy: Strategy, path: string, mixers: Mixers): InvalidConfig | undefined => {
  const at = (field: string) => (path === "" ? field : `${path}.${field}`)
  if (strategy._tag !== "Custom") {
    for (const [field, child] of childFields(strategy)) {
      const error = unknownMixer(child, at(field), mixers)
      if (error !== undefined) return error
    }
    return undefined
  }
  try {
    customParams(strategy, mixerOf(strategy, mixers, at("name")), at("custom"))
    return undefined
  } catch (error) {
    if (!(error instanceof InvalidParameter)) throw error
    const field = error.argument.startsWith(at("custom."))
      ? at(error.argument.slice(at("custom.").length))
      : error.argument
    return new InvalidConfig({ path: field, value: error.value, reason: error.reason })
  }
}

/** The JSON data of a strategy (plain objects, numbers and strings); `fromConfig` reads it back. */
export const toConfig = (strategy: Strategy): unknown => JSON.parse(JSON.stringify(strategy))
