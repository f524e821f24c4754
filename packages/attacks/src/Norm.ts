/**
 * The threat model's norm: steepest-ascent direction, projection onto the epsilon ball,
 * per-example norms and uniform sampling inside the ball. All per example (axis 0 = batch).
 */

import * as tf from "@tensorflow/tfjs-core"
import type { Random } from "@vicinal/core"

export type Norm = "linf" | "l2"

export const norms: ReadonlyArray<Norm> = ["linf", "l2"]

// Guards the division by a zero gradient / zero perturbation (gives a zero step, not NaN).
const TINY = 1e-12

const flat = (t: tf.Tensor): tf.Tensor2D => tf.reshape(t, [t.shape[0] ?? 1, -1])

/** Per-example norm of `t` as a `[n]` tensor. */
export const perExample = (t: tf.Tensor, norm: Norm): tf.Tensor1D =>
  tf.tidy(() => {
    const rows = flat(t)
    return (norm === "linf" ? tf.max(tf.abs(rows), 1) : tf.sqrt(tf.sum(tf.square(rows), 1))) as tf.Tensor1D
  })

/** A `[n]` tensor reshaped to broadcast against `like` (`[n, 1, 1, ...]`). */
export const perRow = (values: tf.Tensor, like: tf.Tensor): tf.Tensor =>
  tf.reshape(values, [like.shape[0] ?? 1, ...like.shape.slice(1).map(() => 1)])

/** The unit-norm steepest-ascent direction for a gradient: sign(g) for L-inf, g / ||g||_2 for L2. */
export const direction = (gradient: tf.Tensor, norm: Norm): tf.Tensor =>
  tf.tidy(() =>
    norm === "linf"
      ? tf.sign(gradient)
      : tf.div(gradient, perRow(tf.maximum(perExample(gradient, "l2"), TINY), gradient)),
  )

/** `delta` projected onto the ball of radius `epsilon` (clipping for L-inf, rescaling for L2). */
export const project = (delta: tf.Tensor, norm: Norm, epsilon: number): tf.Tensor =>
  tf.tidy(() => {
    // minimum/maximum, not clipByValue: the wasm backend's clamp fails (and returns garbage)
    // when both bounds round to the same float32, e.g. a subnormal epsilon.
    if (norm === "linf") return tf.minimum(tf.maximum(delta, -epsilon), epsilon)
    const length = perExample(delta, "l2")
    const scale = tf.minimum(1, tf.div(epsilon, tf.maximum(length, TINY)))
    return tf.mul(delta, perRow(scale, delta))
  })

/**
 * `n` points drawn uniformly inside the ball of radius `epsilon` in `dimension` dimensions, row-major.
 * L-inf: each coordinate uniform in [-epsilon, epsilon]. L2: a normal direction scaled to radius
 * epsilon * u^(1/d), which is uniform in volume.
 */
export const sampleBall = (
  norm: Norm,
  epsilon: number,
  n: number,
  dimension: number,
  rng: Random.Rng,
): Float32Array => {
  const out = new Float32Array(n * dimension)
  if (norm === "linf") {
    for (let i = 0; i < out.length; i++) out[i] = epsilon * (2 * rng.uniform() - 1)
    return out
  }
  const row = new Float64Array(dimension)
  for (let r = 0; r < n; r++) {
    let squared = 0
    for (let j = 0; j < dimension; j++) {
      const v = rng.normal()
      row[j] = v
      squared += v * v
    }
    const radius = epsilon * rng.uniform() ** (1 / dimension)
    const scale = squared > 0 ? radius / Math.sqrt(squared) : 0
    for (let j = 0; j < dimension; j++) out[r * dimension + j] = (row[j] as number) * scale
  }
  return out
}
