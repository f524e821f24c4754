/**
 * Run a `MixPlan` on typed arrays, for data loaders that mix before upload (like timm's fast
 * collate). Same plans, same float32 arithmetic as `Execute`, so both paths agree bit for bit on
 * Float32Array inputs. Uint8Array inputs give Uint8Array outputs, rounded and clamped to
 * [0, 255] (noise sigma is then in pixel units). Allocates only the outputs (plus one scratch
 * copy per extra input-changing step of a chain). Throws `ShapeMismatch` (tagged) on bad sizes
 * and `NotADistribution` on a target row that is not a distribution.
 */
import * as Box from "./Box.ts"
import { ShapeMismatch } from "./Errors.ts"
import { channelsOf, checkImage, transpose } from "./Image.ts"
import type { HostBatch, MixedHostBatch } from "./MixedBatch.ts"
import { type MixPlan, mixes, noise, type Step, summary } from "./Plan.ts"
import * as Targets from "./Targets.ts"

const f = Math.fround

type Pixels = Float32Array | Uint8Array

// Float32 rows: the hot path. It and the byte version below are deliberately separate (not one
// function over both array types) so each stays monomorphic and engines compile it tightly. One
// flat loop per example row, unrolled by four (a measured ~1.5-2x on JavaScriptCore); Math.fround
// keeps float32 rounding of each product, as the tensor path's mul, mul, add does.
const interpolateFloat = (
  src: Float32Array,
  out: Float32Array,
  d: number,
  partner: Int32Array,
  lambda: Float32Array,
): void => {
  const tail = d & 3
  for (let i = 0; i < partner.length; i++) {
    const l = lambda[i]!
    const m = f(1 - l)
    let o = i * d
    let p = partner[i]! * d
    const stop = o + d - tail
    for (; o < stop; o += 4, p += 4) {
      out[o] = f(l * src[o]!) + f(m * src[p]!)
      out[o + 1] = f(l * src[o + 1]!) + f(m * src[p + 1]!)
      out[o + 2] = f(l * src[o + 2]!) + f(m * src[p + 2]!)
      out[o + 3] = f(l * src[o + 3]!) + f(m * src[p + 3]!)
    }
    for (; o < stop + tail; o++, p++) out[o] = f(l * src[o]!) + f(m * src[p]!)
  }
}

// Bytes: a convex combination of values in [0, 255] stays in range, so rounding half up is
// `(v + 0.5) | 0` (= Math.round for v >= 0) and no clamp is needed.
const interpolateBytes = (
  src: Uint8Array,
  out: Uint8Array,
  d: number,
  partner: Int32Array,
  lambda: Float32Array,
): void => {
  const tail = d & 3
  for (let i = 0; i < partner.length; i++) {
    const l = lambda[i]!
    const m = f(1 - l)
    let o = i * d
    let p = partner[i]! * d
    const stop = o + d - tail
    for (; o < stop; o += 4, p += 4) {
      out[o] = (f(f(l * src[o]!) + f(m * src[p]!)) + 0.5) | 0
      out[o + 1] = (f(f(l * src[o + 1]!) + f(m * src[p + 1]!)) + 0.5) | 0
      out[o + 2] = (f(f(l * src[o + 2]!) + f(m * src[p + 2]!)) + 0.5) | 0
      out[o + 3] = (f(f(l * src[o + 3]!) + f(m * src[p + 3]!)) + 0.5) | 0
    }
    for (; o < stop + tail; o++, p++) out[o] = (f(f(l * src[o]!) + f(m * src[p]!)) + 0.5) | 0
  }
}

const interpolateRows = (
  src: Pixels,
  out: Pixels,
  d: number,
  partner: Int32Array,
  lambda: Float32Array,
): void =>
  src instanceof Uint8Array
    ? interpolateBytes(src, out as Uint8Array, d, partner, lambda)
    : interpolateFloat(src, out as Float32Array, d, partner, lambda)

// Checks the image size, then runs `rows` on NHWC pixels: NCHW ones are moved to NHWC and back.
const onImage = (
  src: Pixels,
  out: Pixels,
  shape: ReadonlyArray<number>,
  step: Extract<Step, { _tag: "Cut" | "Paste" }>,
  name: string,
  rows: (src: Pixels, out: Pixels, channels: number) => void,
): void => {
  checkImage(step, shape, name, "shape")
  const channels = channelsOf(step, shape)
  if (step.layout !== "NCHW") {
    rows(src, out, channels)
    return
  }
  const n = step.partner.length
  const plane = step.height * step.width
  const last = transpose(src, n, channels, plane, true)
  const mixed = last.slice()
  rows(last, mixed, channels)
  out.set(transpose(mixed, n, channels, plane, false))
}

const cutRows = (src: Pixels, out: Pixels, channels: number, step: Extract<Step, { _tag: "Cut" }>) => {
  const { boxes, height, width, partner } = step
  const d = height * width * channels
  if (step.blend !== undefined) {
    // Blended examples interpolate; the boxed ones keep themselves exactly (lambda 1), as on tensors.
    const lambda = Float32Array.from(step.blend, (b, i) => (b === 1 ? step.inputLambda[i]! : 1))
    interpolateRows(src, out, d, partner, lambda)
  } else if (src !== out) out.set(src)
  for (let i = 0; i < partner.length; i++) {
    const [y0, y1, x0, x1] = [boxes[4 * i]!, boxes[4 * i + 1]!, boxes[4 * i + 2]!, boxes[4 * i + 3]!]
    const from = partner[i]! * d
    for (let r = y0; r < y1; r++) {
      const row = r * width * channels
      if (step.resize !== true) {
        out.set(
          src.subarray(from + row + x0 * channels, from + row + x1 * channels),
          i * d + row + x0 * channels,
        )
        continue
      }
      const sourceRow = Box.resizedSource(r, y0, y1, height) * width * channels
      for (let c = x0; c < x1; c++) {
        const at = from + sourceRow + Box.resizedSource(c, x0, x1, width) * channels
        out.set(src.subarray(at, at + channels), i * d + row + c * channels)
      }
    }
  }
}

// FMix: where example i's mask is set, its pixel (all channels) comes from the partner.
const pasteRows = (src: Pixels, out: Pixels, channels: number, step: Extract<Step, { _tag: "Paste" }>) => {
  const { masks, owner, height, width, partner } = step
  const plane = height * width
  const d = plane * channels
  if (src !== out) out.set(src)
  for (let i = 0; i < partner.length; i++) {
    const mask = owner[i]! * plane
    const from = partner[i]! * d
    for (let p = 0; p < plane; p++)
      if (masks[mask + p] === 1)
        out.set(src.subarray(from + p * channels, from + (p + 1) * channels), i * d + p * channels)
  }
}

const addNoise = (src: Pixels, out: Pixels, step: Extract<Step, { _tag: "Noise" }>, round: boolean): void => {
  const z = noise(step.seed, step.sigma, src.length)
  // Bytes are clamped to [0, 255] (a plain store into a Uint8Array would wrap -3 to 253).
  if (round)
    for (let t = 0; t < src.length; t++) out[t] = Math.min(255, Math.max(0, Math.round(f(src[t]! + z[t]!))))
  else for (let t = 0; t < src.length; t++) out[t] = src[t]! + z[t]!
}

// Whether two typed arrays share memory (then the input must be copied before writing the output).
const overlaps = (a: Pixels, b: Pixels): boolean =>
  a.buffer === b.buffer &&
  a.byteOffset < b.byteOffset + b.byteLength &&
  b.byteOffset < a.byteOffset + a.byteLength

const mixTargets = (
  y: Float32Array,
  classes: number,
  steps: ReadonlyArray<Step>,
  out: Float32Array,
): Float32Array => {
  let current = y
  for (const step of steps) {
    if (mixes(step)) {
      if (current === out) current = Float32Array.from(out)
      interpolateFloat(current, out, classes, step.partner, step.labelLambda)
      current = out
    } else if (step._tag === "Smooth") {
      const a = f(1 - step.epsilon)
      const b = f(step.epsilon / classes)
      for (let t = 0; t < out.length; t++) out[t] = f(f(a * current[t]!) + b)
      current = out
    }
  }
  if (current !== out) out.set(current)
  return out
}

const featureSize = (plan: MixPlan, batch: HostBatch): { d: number; classes: number } => {
  const { x, shape, y } = batch
  const n = plan.n
  const d = shape.slice(1).reduce((a, b) => a * b, 1)
  if (shape[0] !== n || x.length !== n * d)
    throw new ShapeMismatch({
      argument: "x",
      expected: `batch size ${n} (the plan's) and ${n * d} values`,
      actual: [x.length],
    })
  if (y.length % n !== 0 || y.length === 0)
    throw new ShapeMismatch({
      argument: "y",
      expected: `n * classes values with n = ${n}`,
      actual: [y.length],
    })
  const classes = y.length / n
  const notADistribution = Targets.validate(y, classes)
  if (notADistribution !== undefined) throw notADistribution
  return { d, classes }
}

/** Caller-owned output buffers for `executeInto`: x of the input's type and length, y of y's length. */
export interface Into<X extends Float32Array | Uint8Array = Float32Array | Uint8Array> {
  readonly x: X
  readonly y: Float32Array
}

/**
 * Run the whole plan writing into the caller's buffers `into` (reused across batches, so a data
 * loader allocates nothing per batch but the small per-example summaries); returns them as a
 * `MixedHostBatch`. `into` may even be the batch's own arrays (the input is then copied first).
 * Throws `ShapeMismatch` (tagged) on bad sizes or output buffers of the wrong type or length.
 */
export const executeInto = <X extends Float32Array | Uint8Array>(
  plan: MixPlan,
  batch: HostBatch<X>,
  into: Into<X>,
): MixedHostBatch<X> => {
  const { d, classes } = featureSize(plan, batch)
  const round = batch.x instanceof Uint8Array
  if (into.x.length !== batch.x.length || into.x instanceof Uint8Array !== round)
    throw new ShapeMismatch({
      argument: "into.x",
      expected: `a ${round ? "Uint8Array" : "Float32Array"} of ${batch.x.length} values (x's)`,
      actual: [into.x.length],
    })
  if (into.y.length !== batch.y.length)
    throw new ShapeMismatch({
      argument: "into.y",
      expected: `${batch.y.length} values (y's)`,
      actual: [into.y.length],
    })
  const out: Pixels = into.x
  let current: Pixels = overlaps(batch.x, out) ? batch.x.slice() : batch.x
  for (const step of plan.steps) {
    if (step._tag === "Smooth") continue
    // A later step must read the previous step's result, never its own half-written output.
    const src: Pixels = current === out ? out.slice() : current
    if (step._tag === "Interpolate") interpolateRows(src, out, d, step.partner, step.inputLambda)
    else if (step._tag === "Cut")
      onImage(src, out, batch.shape, step, "CutMix", (from, to, channels) =>
        cutRows(from, to, channels, step),
      )
    else if (step._tag === "Paste")
      onImage(src, out, batch.shape, step, "FMix", (from, to, channels) =>
        pasteRows(from, to, channels, step),
      )
    else if (step._tag === "Custom") step.host(src, out, batch.shape)
    else addNoise(src, out, step, round)
    current = out
  }
  if (current !== out) out.set(current)
  const y = overlaps(batch.y, into.y) ? batch.y.slice() : batch.y
  return { x: into.x, y: mixTargets(y, classes, plan.steps, into.y), ...summary(plan) }
}

/** Run the whole plan on a host batch into fresh outputs; `batch` is never mutated. */
export const execute = <X extends Float32Array | Uint8Array>(
  plan: MixPlan,
  batch: HostBatch<X>,
): MixedHostBatch<X> => {
  const { x, y } = batch
  featureSize(plan, batch)
  const out = (x instanceof Uint8Array ? new Uint8Array(x.length) : new Float32Array(x.length)) as X
  return executeInto(plan, batch, { x: out, y: new Float32Array(y.length) })
}
