/**
 * Standard image augmentation on host typed arrays, before upload: random crop with zero
 * padding, horizontal flip, per-channel normalisation. An augmentation is a plain function
 * `(batch, rng) => batch` that returns a new batch and never writes to its input; `compose`
 * chains them. Batches must be NHWC ([n, height, width, channels]).
 *
 * Errors: an augmentation is synchronous hot-path code, so a batch or option it cannot work
 * with makes it THROW a tagged `InvalidArgument`; `Batches.stream` turns that into the
 * stream's error channel, `Batches.iterate` lets it propagate.
 */
import type { Random } from "@vicinal/core"
import type { HostBatch } from "./Batches.ts"
import * as Check from "./Check.ts"
import { InvalidArgument } from "./Errors.ts"

type Rng = Random.Rng

export type Augmentation = (batch: HostBatch, rng: Rng) => HostBatch

interface Nhwc {
  readonly n: number
  readonly h: number
  readonly w: number
  readonly c: number
}

const nhwc = (batch: HostBatch, augmentation: string): Nhwc => {
  const [n, h, w, c] = batch.shape
  if (batch.shape.length !== 4 || n === undefined || h === undefined || w === undefined || c === undefined)
    throw new InvalidArgument({
      argument: `${augmentation}: batch.shape`,
      value: batch.shape,
      expected: "must be [n, height, width, channels]",
    })
  return { n, h, w, c }
}

const orThrow = (error: InvalidArgument | undefined): void => {
  if (error !== undefined) throw error
}

const withX = (batch: HostBatch, x: Float32Array): HostBatch => ({ ...batch, x })

export interface CropOptions {
  /** zero padding on each side; the crop offset is uniform in [0, 2 * padding] per axis */
  readonly padding: number
}

/** Pads each image with zeros and cuts a random window of the original size (one per example). */
export const randomCrop =
  (options: CropOptions): Augmentation =>
  (batch, rng) => {
    orThrow(Check.integerAtLeast("randomCrop: padding", options.padding, 0))
    const { n, h, w, c } = nhwc(batch, "randomCrop")
    const p = options.padding
    const out = new Float32Array(batch.x.length)
    const image = h * w * c
    for (let i = 0; i < n; i++) {
      const dy = rng.int(2 * p + 1) - p
      const dx = rng.int(2 * p + 1) - p
      // Rows and columns of the window that fall inside the image; the rest stays 0 (padding).
      const x0 = Math.max(0, -dx)
      const x1 = Math.min(w, w - dx)
      for (let y = Math.max(0, -dy); y < Math.min(h, h - dy); y++) {
        if (x1 <= x0) break
        const from = i * image + ((y + dy) * w + x0 + dx) * c
        out.set(batch.x.subarray(from, from + (x1 - x0) * c), i * image + (y * w + x0) * c)
      }
    }
    return withX(batch, out)
  }

export interface FlipOptions {
  /** probability of flipping each example (default 0.5) */
  readonly probability?: number
}

/** Mirrors each image left-right with the given probability. */
export const horizontalFlip =
  (options: FlipOptions = {}): Augmentation =>
  (batch, rng) => {
    const probability = options.probability ?? 0.5
    orThrow(Check.inRange("horizontalFlip: probability", probability, 0, 1))
    const { n, h, w, c } = nhwc(batch, "horizontalFlip")
    const out = batch.x.slice()
    const image = h * w * c
    for (let i = 0; i < n; i++) {
      if (rng.uniform() >= probability) continue
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const to = i * image + (y * w + x) * c
          const from = i * image + (y * w + (w - 1 - x)) * c
          for (let k = 0; k < c; k++) out[to + k] = batch.x[from + k]!
        }
    }
    return withX(batch, out)
  }

export interface NormaliseOptions {
  /** one mean per channel */
  readonly mean: ReadonlyArray<number>
  /** one standard deviation per channel, all > 0 */
  readonly std: ReadonlyArray<number>
}

/** (x - mean[c]) / std[c] per channel. Draws nothing from `rng`. */
export const normalise =
  (options: NormaliseOptions): Augmentation =>
  (batch) => {
    const { c } = nhwc(batch, "normalise")
    if (options.mean.length !== c)
      throw new InvalidArgument({
        argument: "normalise: mean",
        value: options.mean,
        expected: `must have ${c} entries, one per channel`,
      })
    if (options.std.length !== c || options.std.some((s) => !(s > 0)))
      throw new InvalidArgument({
        argument: "normalise: std",
        value: options.std,
        expected: `must have ${c} entries, one per channel, all > 0`,
      })
    const out = new Float32Array(batch.x.length)
    for (let i = 0; i < out.length; i++) {
      const k = i % c
      out[i] = (batch.x[i]! - options.mean[k]!) / options.std[k]!
    }
    return withX(batch, out)
  }

/** Applies augmentations left to right, sharing one generator. */
export const compose =
  (...augmentations: ReadonlyArray<Augmentation>): Augmentation =>
  (batch, rng) =>
    augmentations.reduce((b, augment) => augment(b, rng), batch)

/** The mixup paper's CIFAR channel statistics (reference code). */
export const cifar10Stats: NormaliseOptions = {
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.2023, 0.1994, 0.201],
}

/** The paper's CIFAR pipeline: random crop 32 with padding 4, horizontal flip, normalisation. */
export const cifarStandard: Augmentation = compose(
  randomCrop({ padding: 4 }),
  horizontalFlip(),
  normalise(cifar10Stats),
)
