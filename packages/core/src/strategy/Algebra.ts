/** The strategy algebra's types: strategies as plain data, what planning sees, user mixers. */
import type { Schema } from "effect"
import type * as Box from "../Box.ts"
import type * as Lambda from "../Lambda.ts"
import type * as Pairing from "../Pairing.ts"
import type { Step } from "../Plan.ts"
import type * as Random from "../Random.ts"

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

/** What planning may look at: batch size and shape, plus labels / features when `needs` says so. */
export interface PlanInput extends Pairing.PairingInput {
  /** [n, ...features] of the tensor the plan will be executed on (CutMix reads H and W). */
  readonly shape: ReadonlyArray<number>
  readonly pairings?: Pairing.Registry
  /** The user mixers `Strategy.custom` strategies name. */
  readonly mixers?: Mixers
}

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
