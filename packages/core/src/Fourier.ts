/**
 * FMix masks (Harris et al., "FMix: Enhancing Mixed Sample Data Augmentation", 2020): a
 * low-frequency random image, thresholded so that a given fraction of its pixels is kept.
 *
 * The image is the real inverse DFT of a half-plane spectrum of complex Gaussian coefficients
 * scaled by 1 / max(f, 1 / max(H, W))^decay, as `numpy.fft.irfftn` computes it in the reference
 * code (columns 0 and W/2 counted once, the others twice; the common 1 / (H W) factor is left
 * out, as thresholding ignores it). It is computed separably, O(H W (H + W)), with twiddles from
 * `Portable.cos` / `sin`, and ties in the ranking are broken by pixel index, so a seed gives the
 * same mask on every engine.
 */
import { cos, exp, log, sin } from "./Portable.ts"
import type { Rng } from "./Random.ts"

/** |frequency| of DFT index k of a signal of length n (numpy's `fftfreq`). */
const frequency = (k: number, n: number): number => (k <= (n - 1) >> 1 ? k / n : (k - n) / n)

const twiddles = (n: number): { readonly re: Float64Array; readonly im: Float64Array } => {
  const re = new Float64Array(n)
  const im = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    re[k] = cos((2 * Math.PI * k) / n)
    im[k] = sin((2 * Math.PI * k) / n)
  }
  return { re, im }
}

/**
 * A `height` x `width` low-frequency image (row-major): larger `decay` gives smoother images.
 * Draws 2 H (W/2 + 1) normals from `rng`.
 */
export const lowFrequencyImage = (height: number, width: number, decay: number, rng: Rng): Float64Array => {
  const columns = (width >> 1) + 1
  const floor = 1 / Math.max(height, width)
  // Spectrum S[ky][kx] = scale(f) * (a + i b), a, b ~ N(0, 1).
  const sRe = new Float64Array(height * columns)
  const sIm = new Float64Array(height * columns)
  for (let ky = 0; ky < height; ky++) {
    const fy = frequency(ky, height)
    for (let kx = 0; kx < columns; kx++) {
      const fx = kx / width
      const f = Math.max(Math.sqrt(fx * fx + fy * fy), floor)
      const scale = exp(-decay * log(f))
      sRe[ky * columns + kx] = scale * rng.normal()
      sIm[ky * columns + kx] = scale * rng.normal()
    }
  }
  // Along the rows: T[y][kx] = sum over ky of S[ky][kx] e^(2 pi i ky y / H).
  const ty = twiddles(height)
  const tRe = new Float64Array(height * columns)
  const tIm = new Float64Array(height * columns)
  for (let y = 0; y < height; y++) {
    for (let ky = 0; ky < height; ky++) {
      const t = (ky * y) % height
      const c = ty.re[t]!
      const s = ty.im[t]!
      for (let kx = 0; kx < columns; kx++) {
        const a = sRe[ky * columns + kx]!
        const b = sIm[ky * columns + kx]!
        tRe[y * columns + kx] = tRe[y * columns + kx]! + (a * c - b * s)
        tIm[y * columns + kx] = tIm[y * columns + kx]! + (a * s + b * c)
      }
    }
  }
  // Along the columns, real part only: image[y][x] = sum over kx of w(kx) Re(T[y][kx] e^(2 pi i kx x / W)).
  const tx = twiddles(width)
  const image = new Float64Array(height * width)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0
      for (let kx = 0; kx < columns; kx++) {
        const t = (kx * x) % width
        const weight = kx === 0 || 2 * kx === width ? 1 : 2
        sum += weight * (tRe[y * columns + kx]! * tx.re[t]! - tIm[y * columns + kx]! * tx.im[t]!)
      }
      image[y * width + x] = sum
    }
  }
  return image
}

/**
 * The pixels an FMix example takes from its partner (1) or keeps (0): it keeps the
 * `round(lambda H W)` highest pixels of `image` (rounded up or down at random, as the reference
 * does). Returns the mask and the exact kept fraction.
 */
export const binarise = (
  image: Float64Array,
  lambda: number,
  rng: Rng,
): { readonly pasted: Uint8Array; readonly kept: number } => {
  const size = image.length
  const exact = lambda * size
  const keep = rng.uniform() > 0.5 ? Math.ceil(exact) : Math.floor(exact)
  const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => image[b]! - image[a]! || a - b)
  const pasted = new Uint8Array(size).fill(1)
  for (let r = 0; r < keep; r++) pasted[order[r]!] = 0
  return { pasted, kept: keep / size }
}

/** One FMix mask for mixing weight `lambda` on a `height` x `width` image. */
export const sampleMask = (
  lambda: number,
  height: number,
  width: number,
  decay: number,
  rng: Rng,
): { readonly pasted: Uint8Array; readonly kept: number } =>
  binarise(lowFrequencyImage(height, width, decay, rng), lambda, rng)

/** A complex `height` x `width` image, row-major: real and imaginary parts. */
export interface Complex2 {
  readonly re: Float64Array
  readonly im: Float64Array
}

// One 1-D DFT along `length` entries spaced `stride` apart, from `offset`; sign -1 forward, +1 inverse.
const dftLine = (
  source: Complex2,
  target: Complex2,
  offset: number,
  stride: number,
  length: number,
  turn: { readonly re: Float64Array; readonly im: Float64Array },
  sign: number,
): void => {
  for (let k = 0; k < length; k++) {
    let re = 0
    let im = 0
    for (let t = 0; t < length; t++) {
      const w = (k * t) % length
      const c = turn.re[w]!
      const s = sign * turn.im[w]!
      const a = source.re[offset + t * stride]!
      const b = source.im[offset + t * stride]!
      re += a * c - b * s
      im += a * s + b * c
    }
    target.re[offset + k * stride] = re
    target.im[offset + k * stride] = im
  }
}

/**
 * The 2-D discrete Fourier transform of a complex `height` x `width` image (numpy's `fft2`), or
 * with `inverse` its inverse (`ifft2`, scaled by 1 / (H W)). Computed separably in
 * O(H W (H + W)) with twiddles from `Portable.cos` / `sin`, so it gives the same bits on every
 * engine; meant for the small images of a batch (e.g. saliency maps), not as a fast FFT.
 */
export const dft2 = (image: Complex2, height: number, width: number, inverse = false): Complex2 => {
  const sign = inverse ? 1 : -1
  const rows: Complex2 = { re: new Float64Array(height * width), im: new Float64Array(height * width) }
  const rowTurn = twiddles(width)
  for (let y = 0; y < height; y++) dftLine(image, rows, y * width, 1, width, rowTurn, sign)
  const out: Complex2 = { re: new Float64Array(height * width), im: new Float64Array(height * width) }
  const columnTurn = twiddles(height)
  for (let x = 0; x < width; x++) dftLine(rows, out, x, width, height, columnTurn, sign)
  if (inverse) {
    const scale = 1 / (height * width)
    for (let p = 0; p < out.re.length; p++) {
      out.re[p] = out.re[p]! * scale
      out.im[p] = out.im[p]! * scale
    }
  }
  return out
}
