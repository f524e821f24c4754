/**
 * Run a `MixPlan` on tensors: synchronous tfjs inside `tf.tidy`, no randomness. Works on any
 * float tensor whose first dimension is the batch (inputs, or hidden activations for manifold
 * mixup). Throws `ShapeMismatch` (tagged) when the tensors do not fit the plan; it does not read
 * tensor values back, so target rows are validated by `Strategy.apply`, not here.
 */
import * as tf from "@tensorflow/tfjs-core"
import * as Box from "./Box.ts"
import { ShapeMismatch } from "./Errors.ts"
import { checkImage } from "./Image.ts"
import type { Batch, MixedBatch } from "./MixedBatch.ts"
import { type MixPlan, noise, type Step, summary } from "./Plan.ts"

const checkBatchDim = (argument: string, tensor: tf.Tensor, n: number, minRank: number): void => {
  if (tensor.rank < minRank || tensor.shape[0] !== n)
    throw new ShapeMismatch({
      argument,
      expected: `rank >= ${minRank} and batch size ${n} (the plan's)`,
      actual: tensor.shape,
    })
}

const allEqual = (values: Float32Array): boolean => {
  const first = values[0]
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return false
  return true
}

const complement = (lambda: Float32Array): Float32Array => {
  const out = new Float32Array(lambda.length)
  for (let i = 0; i < lambda.length; i++) out[i] = 1 - lambda[i]!
  return out
}

/** lambda * t + (1 - lambda) * t[partner], with a scalar lambda when the batch shares one. */
const interpolate = (t: tf.Tensor, partner: Int32Array, lambda: Float32Array): tf.Tensor => {
  const other = tf.gather(t, tf.tensor1d(partner, "int32"))
  if (allEqual(lambda)) {
    const l = lambda[0]!
    return tf.add(tf.mul(t, tf.scalar(l)), tf.mul(other, tf.scalar(Math.fround(1 - l))))
  }
  const shape = [t.shape[0], ...t.shape.slice(1).map(() => 1)]
  return tf.add(tf.mul(t, tf.tensor(lambda, shape)), tf.mul(other, tf.tensor(complement(lambda), shape)))
}

/** Boolean mask [n, H, W(, 1)]: true inside each example's box. */
const boxMask = (step: Extract<Step, { _tag: "Cut" }>, rank: number): tf.Tensor => {
  const { boxes, height, width } = step
  const n = step.partner.length
  const mask = new Uint8Array(n * height * width)
  for (let i = 0; i < n; i++) {
    const y0 = boxes[4 * i]!
    const y1 = boxes[4 * i + 1]!
    const x0 = boxes[4 * i + 2]!
    const x1 = boxes[4 * i + 3]!
    for (let r = y0; r < y1; r++) mask.fill(1, (i * height + r) * width + x0, (i * height + r) * width + x1)
  }
  return tf.tensor(mask, rank === 4 ? [n, height, width, 1] : [n, height, width], "bool")
}

/** Boolean mask [n, H, W(, 1)]: true where each example takes its partner's pixel (FMix). */
const pasteMask = (step: Extract<Step, { _tag: "Paste" }>, rank: number): tf.Tensor => {
  const { masks, owner, height, width } = step
  const plane = height * width
  const n = owner.length
  const mask = new Uint8Array(n * plane)
  for (let i = 0; i < n; i++) mask.set(masks.subarray(owner[i]! * plane, (owner[i]! + 1) * plane), i * plane)
  return tf.tensor(mask, rank === 4 ? [n, height, width, 1] : [n, height, width], "bool")
}

/** For each output pixel (example, row, column), the flat index of the pixel it takes. */
const resizeSources = (step: Extract<Step, { _tag: "Cut" }>): Int32Array => {
  const { boxes, height, width, partner } = step
  const plane = height * width
  const index = new Int32Array(partner.length * plane)
  for (let i = 0; i < partner.length; i++) {
    for (let p = 0; p < plane; p++) index[i * plane + p] = i * plane + p
    const y0 = boxes[4 * i]!
    const y1 = boxes[4 * i + 1]!
    const x0 = boxes[4 * i + 2]!
    const x1 = boxes[4 * i + 3]!
    for (let r = y0; r < y1; r++) {
      const sr = Box.resizedSource(r, y0, y1, height)
      for (let c = x0; c < x1; c++)
        index[i * plane + r * width + c] =
          partner[i]! * plane + sr * width + Box.resizedSource(c, x0, x1, width)
    }
  }
  return index
}

// The lambda of a Cut step's blended examples; 1 (the example itself, exactly) for the boxed ones.
const blendLambda = (step: Extract<Step, { _tag: "Cut" }>, blend: Uint8Array): Float32Array =>
  Float32Array.from(blend, (b, i) => (b === 1 ? step.inputLambda[i]! : 1))

const cut = (step: Extract<Step, { _tag: "Cut" }>, x: tf.Tensor): tf.Tensor => {
  if (step.resize === true) {
    // One gather over pixels: identity outside the boxes, the partner's shrunk image inside.
    const pixels = tf.reshape(x, [step.partner.length * step.height * step.width, -1])
    return tf.reshape(tf.gather(pixels, tf.tensor1d(resizeSources(step), "int32")), x.shape)
  }
  const outside = step.blend === undefined ? x : interpolate(x, step.partner, blendLambda(step, step.blend))
  return tf.where(boxMask(step, x.rank), tf.gather(x, tf.tensor1d(step.partner, "int32")), outside)
}

// Checks the image size, then runs NCHW images through the NHWC code transposed (exact: a
// transpose moves values and computes none).
const onImage = (
  step: Extract<Step, { _tag: "Cut" | "Paste" }>,
  x: tf.Tensor,
  name: string,
  f: (x: tf.Tensor) => tf.Tensor,
): tf.Tensor => {
  checkImage(step, x.shape, name)
  return step.layout === "NCHW" ? tf.transpose(f(tf.transpose(x, [0, 2, 3, 1])), [0, 3, 1, 2]) : f(x)
}

const stepInputs = (step: Step, x: tf.Tensor): tf.Tensor => {
  switch (step._tag) {
    case "Interpolate":
      return interpolate(x, step.partner, step.inputLambda)
    case "Cut":
      return onImage(step, x, "CutMix", (image) => cut(step, image))
    case "Paste":
      return onImage(step, x, "FMix", (image) => {
        return tf.where(
          pasteMask(step, image.rank),
          tf.gather(image, tf.tensor1d(step.partner, "int32")),
          image,
        )
      })
    case "Noise":
      return tf.add(x, tf.tensor(noise(step.seed, step.sigma, x.size), x.shape))
    case "Custom":
      return step.tensor(x)
    case "Smooth":
      return x
  }
}

const stepTargets = (step: Step, y: tf.Tensor2D): tf.Tensor2D => {
  switch (step._tag) {
    case "Interpolate":
    case "Cut":
    case "Paste":
    case "Custom":
      return interpolate(y, step.partner, step.labelLambda) as tf.Tensor2D
    case "Smooth":
      return tf.add(tf.mul(y, tf.scalar(1 - step.epsilon)), tf.scalar(step.epsilon / y.shape[1]))
    case "Noise":
      return y
  }
}

/** The plan's input transformation of `x` (a new tensor the caller owns). */
export const inputs = (plan: MixPlan, x: tf.Tensor): tf.Tensor => {
  checkBatchDim("x", x, plan.n, 1)
  return tf.tidy(() => {
    let out: tf.Tensor = x.dtype === "float32" ? x : tf.cast(x, "float32")
    for (const step of plan.steps) out = stepInputs(step, out)
    return out === x ? tf.clone(x) : out
  })
}

/** The plan's target transformation of `y` (a new tensor the caller owns). */
export const targets = (plan: MixPlan, y: tf.Tensor2D): tf.Tensor2D => {
  checkBatchDim("y", y, plan.n, 2)
  if (y.rank !== 2)
    throw new ShapeMismatch({ argument: "y", expected: "rank 2 [n, classes]", actual: y.shape })
  return tf.tidy(() => {
    let out: tf.Tensor2D = y.dtype === "float32" ? y : tf.cast(y, "float32")
    for (const step of plan.steps) out = stepTargets(step, out)
    return out === y ? tf.clone(y) : out
  })
}

/** Run the whole plan on a batch. */
export const execute = (plan: MixPlan, batch: Batch): MixedBatch => {
  const y = targets(plan, batch.y)
  try {
    return { x: inputs(plan, batch.x), y, ...summary(plan) }
  } catch (error) {
    y.dispose()
    throw error
  }
}

/** Dispose the tensors of a mixed batch. */
export const dispose = (batch: MixedBatch): void => {
  batch.x.dispose()
  batch.y.dispose()
}
