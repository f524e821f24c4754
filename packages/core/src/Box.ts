/**
 * CutMix boxes. The side ratio is sqrt(1 - lambda), scaled by the image HEIGHT for the box
 * height and by the WIDTH for its width; the centre is uniform over the image and the box is
 * clipped to it. The kept fraction is then recomputed exactly from the clipped box.
 */
import { InvalidArgument } from "./Errors.ts"
import type { Rng } from "./Random.ts"

/** Half-open pixel rows [y0, y1) and columns [x0, x1) taken from the partner. */
export interface Box {
  readonly y0: number
  readonly y1: number
  readonly x0: number
  readonly x1: number
}

const clip = (v: number, hi: number): number => Math.max(0, Math.min(v, hi))

const checkImage = (height: number, width: number): void => {
  for (const [argument, value] of [
    ["height", height],
    ["width", width],
  ] as const)
    if (!(Number.isInteger(value) && value >= 1))
      throw new InvalidArgument({ argument, value, expected: "must be an integer >= 1" })
}

/** A box for mixing weight `lambda` on an `height` x `width` image (timm's `rand_bbox`, clipped). */
export const sample = (lambda: number, height: number, width: number, rng: Rng): Box => {
  checkImage(height, width)
  if (!(lambda >= 0 && lambda <= 1))
    throw new InvalidArgument({ argument: "lambda", value: lambda, expected: "must be in [0, 1]" })
  const { cutH, cutW } = sides(lambda, height, width)
  const cy = rng.int(height)
  const cx = rng.int(width)
  return around(cutH, cutW, cy, cx, height, width)
}

/** The side ratio sqrt(1 - lambda) of a CutMix box for mixing weight `lambda`, as whole pixels per side. */
export const sides = (
  lambda: number,
  height: number,
  width: number,
): { readonly cutH: number; readonly cutW: number } => {
  const ratio = Math.sqrt(1 - lambda)
  return { cutH: Math.floor(height * ratio), cutW: Math.floor(width * ratio) }
}

/**
 * A `cutH` x `cutW` box centred on pixel (`cy`, `cx`), clipped to the image (timm's `rand_bbox`
 * without its random centre; e.g. centred on a saliency peak).
 */
export const around = (
  cutH: number,
  cutW: number,
  cy: number,
  cx: number,
  height: number,
  width: number,
): Box => ({
  y0: clip(cy - (cutH >> 1), height),
  y1: clip(cy + (cutH >> 1), height),
  x0: clip(cx - (cutW >> 1), width),
  x1: clip(cx + (cutW >> 1), width),
})

/** Fraction of the image outside the box, i.e. the pixels the example keeps: 1 - area / (H * W). */
export const keptFraction = (box: Box, height: number, width: number): number =>
  1 - ((box.y1 - box.y0) * (box.x1 - box.x0)) / (height * width)

/** Where an image batch keeps its channels: last (`[n, H, W, C]`, tfjs's) or first (`[n, C, H, W]`, PyTorch's). */
export type Layout = "NHWC" | "NCHW"

/**
 * The spatial size of an image batch shape: [n, H, W] or [n, H, W, C] (NHWC, the default), or
 * [n, C, H, W] (NCHW, rank 4 only). The layout is said, never guessed: [n, 4, 4, 128] is a
 * legitimate NHWC activation, so no shape tells a channel axis from a spatial one.
 */
export const spatial = (
  shape: ReadonlyArray<number>,
  layout: Layout = "NHWC",
): { readonly height: number; readonly width: number } | undefined =>
  layout === "NCHW"
    ? shape.length === 4
      ? { height: shape[2]!, width: shape[3]! }
      : undefined
    : shape.length === 3 || shape.length === 4
      ? { height: shape[1]!, width: shape[2]! }
      : undefined

/**
 * A ResizeMix box: the partner image shrunk to `scale` of each side (at least one pixel),
 * placed uniformly inside the image (never clipped).
 */
export const sampleResized = (scale: number, height: number, width: number, rng: Rng): Box => {
  checkImage(height, width)
  if (!(scale > 0 && scale <= 1))
    throw new InvalidArgument({ argument: "scale", value: scale, expected: "must be in (0, 1]" })
  const h = Math.min(height, Math.max(1, Math.round(scale * height)))
  const w = Math.min(width, Math.max(1, Math.round(scale * width)))
  const y0 = rng.int(height - h + 1)
  const x0 = rng.int(width - w + 1)
  return { y0, y1: y0 + h, x0, x1: x0 + w }
}

/** Nearest-neighbour source coordinate of box pixel `at` (in [start, end)) for a side of `size`. */
export const resizedSource = (at: number, start: number, end: number, size: number): number =>
  Math.floor(((at - start) * size) / (end - start))

/**
 * A box whose sides are uniform whole fractions of the image in [min, max) of each side, drawn
 * independently of lambda, placed uniformly inside the image (timm's `rand_bbox_minmax`, for
 * `cutmix_minmax`); the label weight is then its kept area.
 */
export const sampleMinMax = (min: number, max: number, height: number, width: number, rng: Rng): Box => {
  checkImage(height, width)
  if (!(min >= 0 && min <= max && max <= 1))
    throw new InvalidArgument({
      argument: "minMax",
      value: [min, max],
      expected: "must satisfy 0 <= min <= max <= 1",
    })
  const side = (size: number) => {
    const lo = Math.floor(size * min)
    const hi = Math.floor(size * max)
    return lo + rng.int(Math.max(1, hi - lo))
  }
  const h = side(height)
  const w = side(width)
  const y0 = rng.int(height - h + 1)
  const x0 = rng.int(width - w + 1)
  return { y0, y1: y0 + h, x0, x1: x0 + w }
}
