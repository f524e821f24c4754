/**
 * Image batches for the steps that cut or paste (CutMix, ResizeMix, FMix): the plan's image size
 * checked against a batch, and NCHW pixels moved to NHWC and back on the host.
 */
import { ShapeMismatch } from "./Errors.ts"

interface Sized {
  readonly height: number
  readonly width: number
  readonly layout?: "NCHW"
}

/** Throws `ShapeMismatch` unless `shape` is an image batch of the plan's size in the step's layout. */
export const checkImage = (step: Sized, shape: ReadonlyArray<number>, name: string, argument = "x"): void => {
  const { height, width } = step
  const ok =
    step.layout === "NCHW"
      ? shape.length === 4 && shape[2] === height && shape[3] === width
      : (shape.length === 3 || shape.length === 4) && shape[1] === height && shape[2] === width
  if (!ok)
    throw new ShapeMismatch({
      argument: `${argument} (${name})`,
      expected:
        step.layout === "NCHW"
          ? `shape [n, C, ${height}, ${width}] (the plan's image size, channels first)`
          : `shape [n, ${height}, ${width}(, C)] (the plan's image size)`,
      actual: shape,
    })
}

/** The channels of an image batch already checked by `checkImage`. */
export const channelsOf = (step: Sized, shape: ReadonlyArray<number>): number =>
  step.layout === "NCHW" ? shape[1]! : shape.length === 4 ? shape[3]! : 1

/**
 * `[n, C, H, W]` pixels reordered to `[n, H, W, C]` (`toLast`) or back, into a new array of the
 * same type (values moved, never computed).
 */
export const transpose = <X extends Float32Array | Uint8Array>(
  src: X,
  n: number,
  channels: number,
  plane: number,
  toLast: boolean,
): X => {
  const out = (src instanceof Uint8Array ? new Uint8Array(src.length) : new Float32Array(src.length)) as X
  for (let i = 0; i < n; i++)
    for (let c = 0; c < channels; c++)
      for (let p = 0; p < plane; p++) {
        const first = (i * channels + c) * plane + p
        const last = (i * plane + p) * channels + c
        if (toLast) out[last] = src[first]!
        else out[first] = src[last]!
      }
  return out
}
