/**
 * Run a `MixPlan` on typed arrays, for data loaders that mix before upload (like timm's fast
 * collate). Same plans, same float32 arithmetic as `Execute`, so both paths agree bit for bit on
 * Float32Array inputs. Uint8Array inputs give Uint8Array outputs, rounded and clamped to
 * [0, 255] (noise sigma is then in pixel units). Allocates only the outputs (plus one scratch
 * copy per extra input-changing step of a chain). Throws `ShapeMismatch` (tagged) on bad sizes.
 */
import * as Box from "./Box.ts"
import { ShapeMismatch } from "./Errors.ts"
import type { HostBatch, MixedHostBatch } from "./MixedBatch.ts"
import { type MixPlan, noise, type Step, summary } from "./Plan.ts"

const f = Math.fround

type Pixels = Float32Array | Uint8Array

// Float32 rows: the hot path. It and the byte version below are deliberately separate (not one
// function over both array types) so each stays monomorphic and engines compile it tightly.
const interpolateFloat = (
  src: Float32Array,
  out: Float32Array,
  d: number,
  partner: Int32Array,
  lambda: Float32Array,
): void => {
  for (let i = 0; i < partner.length; i++) {
    const l = lambda[i]!
    const m = f(1 - l)
    const own = i * d
    const other = partner[i]! * d
    for (let t = 0; t < d; t++) out[own + t] = f(l * src[own + t]!) + f(m * src[other + t]!)
  }
}

const interpolateBytes = (
  src: Uint8Array,
  out: Uint8Array,
  d: number,
  partner: Int32Array,
  lambda: Float32Array,
): void => {
  for (let i = 0; i < partner.length; i++) {
    const l = lambda[i]!
    const m = f(1 - l)
    const own = i * d
    const other = partner[i]! * d
    for (let t = 0; t < d; t++) out[own + t] = Math.round(f(f(l * src[own + t]!) + f(m * src[other + t]!)))
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

const cutRows = (
  src: Pixels,
  out: Pixels,
  shape: ReadonlyArray<number>,
  step: Extract<Step, { _tag: "Cut" }>,
) => {
  const { boxes, height, width, partner } = step
  if ((shape.length !== 3 && shape.length !== 4) || shape[1] !== height || shape[2] !== width)
    throw new ShapeMismatch({
      argument: "shape (CutMix)",
      expected: `[n, ${height}, ${width}(, C)] (the plan's image size)`,
      actual: shape,
    })
  const channels = shape.length === 4 ? shape[3]! : 1
  const d = height * width * channels
  if (src !== out) out.set(src)
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

const addNoise = (src: Pixels, out: Pixels, step: Extract<Step, { _tag: "Noise" }>, round: boolean): void => {
  const z = noise(step.seed, step.sigma, src.length)
  if (round) for (let t = 0; t < src.length; t++) out[t] = Math.round(f(src[t]! + z[t]!))
  else for (let t = 0; t < src.length; t++) out[t] = src[t]! + z[t]!
}

const mixTargets = (y: Float32Array, classes: number, steps: ReadonlyArray<Step>): Float32Array => {
  let current = y
  let out = Float32Array.from(y)
  for (const step of steps) {
    if (step._tag === "Interpolate" || step._tag === "Cut") {
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
  if (current !== out) out = Float32Array.from(current)
  return out
}

/** Run the whole plan on a host batch; `batch` is never mutated. */
export const execute = <X extends Float32Array | Uint8Array>(
  plan: MixPlan,
  batch: HostBatch<X>,
): MixedHostBatch<X> => {
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
  const round = x instanceof Uint8Array
  const out = (round ? new Uint8Array(x.length) : new Float32Array(x.length)) as X
  let current: Pixels = x
  for (const step of plan.steps) {
    if (step._tag === "Smooth") continue
    // A later step must read the previous step's result, never its own half-written output.
    const src: Pixels = current === out ? out.slice() : current
    if (step._tag === "Interpolate") interpolateRows(src, out, d, step.partner, step.inputLambda)
    else if (step._tag === "Cut") cutRows(src, out, shape, step)
    else addNoise(src, out, step, round)
    current = out
  }
  if (current !== out) out.set(current)
  return { x: out, y: mixTargets(y, classes, plan.steps), ...summary(plan) }
}
