/**
 * The valid input range, enforced after every attack step (the first one included).
 *
 * Bounds are scalars (e.g. pixels in [0, 1]) or one value per channel of the LAST axis
 * (e.g. per-channel normalised bounds `(0 - mean) / std`, `(1 - mean) / std`).
 */
import * as tf from "@tensorflow/tfjs-core"
import { InputOutOfRange, InvalidParameter, ShapeMismatch } from "./Errors.ts"

export type Bound = number | ReadonlyArray<number>

export interface InputRange {
  readonly min: Bound
  readonly max: Bound
}

/** Pixels in [0, 1]. */
export const unit: InputRange = { min: 0, max: 1 }

/** Per-channel bounds of `[lo, hi]` after normalising with `(v - mean) / std`. */
export const normalised = (
  mean: ReadonlyArray<number>,
  std: ReadonlyArray<number>,
  raw: { readonly min: number; readonly max: number } = { min: 0, max: 1 },
): InputRange => ({
  min: mean.map((m, c) => (raw.min - m) / (std[c] ?? Number.NaN)),
  max: mean.map((m, c) => (raw.max - m) / (std[c] ?? Number.NaN)),
})

const channels = (bound: Bound): number => (typeof bound === "number" ? 1 : bound.length)
const at = (bound: Bound, channel: number): number =>
  typeof bound === "number" ? bound : (bound[channel] ?? Number.NaN)

/** The range itself is well formed for inputs of `shape`: finite, min < max, per-channel lengths fit. */
export const check = (
  range: InputRange,
  shape: ReadonlyArray<number>,
): InvalidParameter | ShapeMismatch | undefined => {
  const last = shape[shape.length - 1] ?? 1
  for (const [name, bound] of [
    ["range.min", range.min],
    ["range.max", range.max],
  ] as const) {
    if (typeof bound !== "number" && bound.length !== last)
      return new ShapeMismatch({
        argument: name,
        expected: `shape [${last}] (the last axis of x)`,
        actual: [bound.length],
      })
  }
  const n = Math.max(channels(range.min), channels(range.max))
  for (let c = 0; c < n; c++) {
    const lo = at(range.min, c)
    const hi = at(range.max, c)
    if (!Number.isFinite(lo))
      return new InvalidParameter({ argument: "range.min", value: range.min, reason: "must be finite" })
    if (!Number.isFinite(hi))
      return new InvalidParameter({ argument: "range.max", value: range.max, reason: "must be finite" })
    if (!(lo < hi))
      return new InvalidParameter({
        argument: "range",
        value: { min: range.min, max: range.max },
        reason: "needs min < max",
      })
  }
  return undefined
}

/** The first value of `data` (row-major, last axis = channels) outside the range, if any. */
export const findOutside = (
  argument: string,
  data: ArrayLike<number>,
  shape: ReadonlyArray<number>,
  range: InputRange,
): InputOutOfRange | undefined => {
  const last = shape[shape.length - 1] ?? 1
  const perChannel = typeof range.min !== "number" || typeof range.max !== "number"
  for (let i = 0; i < data.length; i++) {
    const c = perChannel ? i % last : 0
    const v = data[i] as number
    const lo = at(range.min, c)
    const hi = at(range.max, c)
    // `!(v >= lo)` also catches NaN.
    if (!(v >= lo && v <= hi)) return new InputOutOfRange({ argument, index: i, value: v, min: lo, max: hi })
  }
  return undefined
}

const boundTensor = (bound: Bound): tf.Tensor =>
  typeof bound === "number" ? tf.scalar(bound) : tf.tensor1d([...bound])

/**
 * `x` clipped into the range (broadcast over the last axis for per-channel bounds).
 * minimum/maximum rather than clipByValue: the wasm backend's clamp fails silently when both
 * bounds round to the same float32.
 */
export const clip = (x: tf.Tensor, range: InputRange): tf.Tensor =>
  tf.tidy(() => tf.minimum(tf.maximum(x, boundTensor(range.min)), boundTensor(range.max)))
