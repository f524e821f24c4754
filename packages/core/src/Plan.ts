/**
 * A mix plan: every random choice of one strategy application (partners, lambdas, boxes,
 * noise seed, hidden stage), drawn up front as plain data. Executing a plan draws nothing,
 * so the same plan gives the same result on tensors (`Execute`) and on typed arrays (`Host`),
 * and on inputs or on hidden activations (manifold mixup).
 */
import type * as tf from "@tensorflow/tfjs-core"
import { log } from "./Portable.ts"
import { make } from "./Random.ts"

/** One transformation of the batch, applied in order. */
export type Step =
  /** x <- l_in * x + (1 - l_in) * x[partner]; y <- l_y * y + (1 - l_y) * y[partner]. */
  | {
      readonly _tag: "Interpolate"
      readonly partner: Int32Array
      readonly inputLambda: Float32Array
      readonly labelLambda: Float32Array
    }
  /**
   * Pixels inside box i (y0, y1, x0, x1 at 4i..4i+3) come from the partner: its pixels at the same
   * place (CutMix), or with `resize` its whole image shrunk into the box by nearest neighbour
   * (ResizeMix). Labels as above. With `blend`, example i where `blend[i]` is 1 is interpolated
   * with its partner by `inputLambda[i]` instead (its box is empty): timm's per-element switch
   * between mixup and CutMix, both read from the unmixed batch. `layout: "NCHW"`: channels first.
   */
  | {
      readonly _tag: "Cut"
      readonly partner: Int32Array
      readonly boxes: Int32Array
      readonly resize?: boolean
      readonly blend?: Uint8Array
      readonly layout?: "NCHW"
      readonly height: number
      readonly width: number
      readonly inputLambda: Float32Array
      readonly labelLambda: Float32Array
    }
  /**
   * Pixels where example i's mask is set come from the partner at the same place (FMix): the
   * masks are `height * width` bytes each, `masks` holds one per draw and `owner[i]` says which
   * example i uses (a batch-level draw shares one). Labels as above. `layout` as for `Cut`.
   */
  | {
      readonly _tag: "Paste"
      readonly layout?: "NCHW"
      readonly partner: Int32Array
      readonly masks: Uint8Array
      readonly owner: Int32Array
      readonly height: number
      readonly width: number
      readonly inputLambda: Float32Array
      readonly labelLambda: Float32Array
    }
  /**
   * A user-defined input transformation (see `Strategy.defineMixer`): `tensor` on the device and
   * `host` on typed arrays must compute the same pixels; labels are interpolated as above. Both
   * are pure and draw nothing (everything random was drawn into the step when it was planned).
   */
  | {
      readonly _tag: "Custom"
      readonly name: string
      readonly partner: Int32Array
      readonly inputLambda: Float32Array
      readonly labelLambda: Float32Array
      /** The mixed inputs (inside the caller's `tf.tidy`); `x` is float32 of the batch's shape. */
      readonly tensor: (x: tf.Tensor) => tf.Tensor
      /** Writes the mixed inputs of `src` (never aliased with `out`) into `out`; `shape` is [n, ...]. */
      readonly host: (
        src: Float32Array | Uint8Array,
        out: Float32Array | Uint8Array,
        shape: ReadonlyArray<number>,
      ) => void
    }
  /** y <- (1 - epsilon) * y + epsilon / classes. */
  | { readonly _tag: "Smooth"; readonly epsilon: number }
  /** x <- x + N(0, sigma^2), the noise generated on the host from `seed` (identical on every backend). */
  | { readonly _tag: "Noise"; readonly sigma: number; readonly seed: number }

export interface MixPlan {
  /** Batch size the plan was drawn for. */
  readonly n: number
  /** undefined or 0: mix the inputs; k >= 1: mix the output of model stage k (manifold mixup). */
  readonly stage?: number
  readonly steps: ReadonlyArray<Step>
}

/** The plan that changes nothing (ERM). */
export const identity = (n: number): MixPlan => ({ n, steps: [] })

/** The steps that mix an example with a partner (their labels by `labelLambda`). */
export type Mixing = Extract<Step, { _tag: "Interpolate" | "Cut" | "Paste" | "Custom" }>

export const mixes = (step: Step): step is Mixing =>
  step._tag === "Interpolate" || step._tag === "Cut" || step._tag === "Paste" || step._tag === "Custom"

/**
 * The per-example lambda, input lambda and partner a plan reports (those of its last mixing
 * step), how many steps mix, and how many change the targets (mixes and label smoothing).
 */
export const summary = (
  plan: MixPlan,
): {
  readonly lambda: Float32Array
  readonly inputLambda: Float32Array
  readonly partner: Int32Array
  readonly mixingSteps: number
  readonly labelSteps: number
} => {
  const mixing = plan.steps.filter(mixes)
  const labelSteps = mixing.length + plan.steps.filter((s) => s._tag === "Smooth").length
  const last = mixing.at(-1)
  if (last !== undefined)
    return {
      lambda: Float32Array.from(last.labelLambda),
      inputLambda: Float32Array.from(last.inputLambda),
      partner: Int32Array.from(last.partner),
      mixingSteps: mixing.length,
      labelSteps,
    }
  const partner = new Int32Array(plan.n)
  for (let i = 0; i < plan.n; i++) partner[i] = i
  return {
    lambda: new Float32Array(plan.n).fill(1),
    inputLambda: new Float32Array(plan.n).fill(1),
    partner,
    mixingSteps: 0,
    labelSteps,
  }
}

/** Whether the plan needs the host-side normal noise stream. */
export const hasNoise = (plan: MixPlan): boolean => plan.steps.some((s) => s._tag === "Noise")

/**
 * The Gaussian noise of a `Noise` step: `length` draws of N(0, sigma^2) from a generator
 * seeded with `seed` (Marsaglia's polar method, both values of each pair used).
 */
export const noise = (seed: number, sigma: number, length: number): Float32Array => {
  const rng = make(seed)
  const out = new Float32Array(length)
  let i = 0
  while (i < length) {
    const u = 2 * rng.uniform() - 1
    const v = 2 * rng.uniform() - 1
    const s = u * u + v * v
    if (s <= 0 || s >= 1) continue
    const f = sigma * Math.sqrt((-2 * log(s)) / s)
    out[i++] = u * f
    if (i < length) out[i++] = v * f
  }
  return out
}
