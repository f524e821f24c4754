/**
 * The valid input range, enforced after every attack step (the first one included).
 *
 * Bounds are scalars (e.g. pixels in [0, 1]) or one value per channel of the LAST axis
 * (e.g. per-channel normalised bounds `(0 - mean) / std`, `(1 - mean) / std`).
 *
 * Inputs are float32, so the bounds in force are the float32 roundings of the bounds given:
 * `clip` rounds them when it builds its tensors and `findOutside` compares against the same
 * values. A float64 bound such as `(0 - 0.4822) / 0.1994` would otherwise reject the float32
 * black pixel, which rounds just below it.
 */
import * as tf from "@tensorflow/tfjs-core"
import { InvalidArgument, ShapeMismatch } from "./Errors.ts"

export type Bound = number | ReadonlyArray<number>

export interface InputRange {
  readonly min: Bound
  readonly max: Bound
}

/** Pixels in [0, 1]. */
export const unit: InputRange = { min: 0, max: 1 }

/**
 * Per-channel bounds of `[lo, hi]` after normalising with `(v - mean) / std`, as float32: the
 * values `(lo - mean) / std` takes when stored in a Float32Array (as `@vicinal/data` does).
 */
export const normalised = (
  mean: ReadonlyArray<number>,
  std: ReadonlyArray<number>,
  raw: { readonly min: number; readonly max: number } = { min: 0, max: 1 },
): InputRange => ({
  min: mean.map((m, c) => Math.fround((raw.min - m) / (std[c] ?? Number.NaN))),
  max: mean.map((m, c) => Math.fround((raw.max - m) / (std[c] ?? Number.NaN))),
})

const channels = (bound: Bound): number => (typeof bound === "number" ? 1 : bound.length)
const at = (bound: Bound, channel: number): number =>
  typeof bound === "number" ? bound : (bound[channel] ?? Number.NaN)

/** The bound of `channel` as float32, the value `clip` enforces. */
const at32 = (bound: Bound, channel: number): number => Math.fround(at(bound, channel))

/** Whether the bounds are per channel (either of them an array). */
const perChannel = (range: InputRange): boolean =>
  typeof range.min !== "number" || typeof range.max !== "number"

/** The widest span `max - min` over the channels (float32 bounds); NaN if the range is malformed. */
export const widest = (range: InputRange): number => {
  const n = Math.max(channels(range.min), channels(range.max))
  let widest = Number.NEGATIVE_INFINITY
  for (let c = 0; c < n; c++) widest = Math.max(widest, at32(range.max, c) - at32(range.min, c))
  return widest
}

/**
 * The L2 distance between opposite corners of the range's box for one example of `shape`
 * (`[n, ...features]`, channels on the last axis): no two inputs in range are farther apart.
 */
export const diameter = (range: InputRange, shape: ReadonlyArray<number>): number => {
  const features = shape.slice(1).reduce((a, b) => a * b, 1)
  const n = perChannel(range) ? (shape[shape.length - 1] ?? 1) : 1
  let squared = 0
  for (let c = 0; c < n; c++) squared += (at32(range.max, c) - at32(range.min, c)) ** 2
  return Math.sqrt((squared * features) / n)
}

/** The range itself is well formed for inputs of `shape`: finite, min < max, per-channel lengths fit. */
export const check = (
  range: InputRange,
  shape: ReadonlyArray<number>,
): InvalidArgument | ShapeMismatch | undefined => {
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
      return new InvalidArgument({ argument: "range.min", value: range.min, expected: "must be finite" })
    if (!Number.isFinite(hi))
      return new InvalidArgument({ argument: "range.max", value: range.max, expected: "must be finite" })
    if (!(lo < hi))
      return new InvalidArgument({
        argument: "range",
        value: { min: range.min, max: range.max },
        expected: "must have min < max",
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
): InvalidArgument | undefined => {
  const last = shape[shape.length - 1] ?? 1
  const byChannel = perChannel(range)
  for (let i = 0; i < data.length; i++) {
    const c = byChannel ? i % last : 0
    const v = data[i] as number
    const lo = at32(range.min, c)
    const hi = at32(range.max, c)
    // `!(v >= lo)` also catches NaN.
    if (!(v >= lo && v <= hi))
      return new InvalidArgument({
        argument: `${argument}[${i}]`,
        value: v,
        expected: `must be in the declared range [${lo}, ${hi}]`,
      })
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
