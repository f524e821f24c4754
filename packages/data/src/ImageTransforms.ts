/**
 * The ImageNet transforms of the mixup paper's Table 1 (torchvision's standard pipeline), on one
 * decoded RGB image in host memory: training takes a random resized crop (scale 0.08-1 of the
 * area, aspect ratio 3/4-4/3, torchvision's 10 attempts and centre fallback) resized to 224, a
 * horizontal flip with probability 1/2 and per-channel normalisation; evaluation resizes the
 * shorter side to 256 and takes the centre 224 x 224. Rounding is Python's (half to even), as
 * torchvision's `int(round(...))`, and logs/exps are core's portable ones, so a seed gives the
 * same crop on every engine. Resizing is bilinear with half-pixel centres and no antialiasing
 * (PIL antialiases when shrinking; the difference is a slight softening, not a shift).
 */
import { Portable, type Random } from "@vicinal/core"
import { InvalidArgument } from "./Errors.ts"

/** An image as decoded: height x width x 3 bytes, row-major, RGB. */
export interface RgbImage {
  readonly width: number
  readonly height: number
  readonly data: Uint8Array
}

/** A crop window in pixels: top row, left column, height, width. */
export interface Window {
  readonly top: number
  readonly left: number
  readonly height: number
  readonly width: number
}

/** ImageNet's per-channel mean and std on [0, 1] pixels (torchvision's). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const

/** Python 3's round(): halves go to the even neighbour. */
export const roundHalfEven = (x: number): number => {
  const floor = Math.floor(x)
  const diff = x - floor
  if (diff > 0.5) return floor + 1
  if (diff < 0.5) return floor
  return floor % 2 === 0 ? floor : floor + 1
}

const check = (image: RgbImage): void => {
  const { width, height, data } = image
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    data.length !== width * height * 3
  )
    throw new InvalidArgument({
      argument: "image",
      value: { width, height, bytes: data.length },
      expected: "must have positive integer width and height and width * height * 3 RGB bytes",
    })
}

/** torchvision's RandomResizedCrop.get_params (scale 0.08-1, ratio 3/4-4/3). */
export const randomResizedWindow = (
  height: number,
  width: number,
  rng: Random.Rng,
  scale: readonly [number, number] = [0.08, 1],
  ratio: readonly [number, number] = [3 / 4, 4 / 3],
): Window => {
  const area = height * width
  const logRatio = [Portable.log(ratio[0]), Portable.log(ratio[1])] as const
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (scale[0] + (scale[1] - scale[0]) * rng.uniform())
    const aspect = Portable.exp(logRatio[0] + (logRatio[1] - logRatio[0]) * rng.uniform())
    const w = roundHalfEven(Math.sqrt(target * aspect))
    const h = roundHalfEven(Math.sqrt(target / aspect))
    if (w > 0 && w <= width && h > 0 && h <= height)
      return { top: rng.int(height - h + 1), left: rng.int(width - w + 1), height: h, width: w }
  }
  // Fallback: the whole image, trimmed to the ratio range, centred.
  const inRatio = width / height
  const [w, h] =
    inRatio < ratio[0]
      ? [width, roundHalfEven(width / ratio[0])]
      : inRatio > ratio[1]
        ? [roundHalfEven(height * ratio[1]), height]
        : [width, height]
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w }
}

/**
 * The window of `image` resized to outHeight x outWidth (bilinear, half-pixel centres), as floats
 * in [0, 255], HWC.
 */
export const resizeWindow = (
  image: RgbImage,
  window: Window,
  outHeight: number,
  outWidth: number,
): Float32Array => {
  check(image)
  const out = new Float32Array(outHeight * outWidth * 3)
  const sy = window.height / outHeight
  const sx = window.width / outWidth
  const at = (y: number, x: number, c: number) => image.data[(y * image.width + x) * 3 + c]!
  for (let oy = 0; oy < outHeight; oy++) {
    const fy = Math.min(Math.max((oy + 0.5) * sy - 0.5, 0), window.height - 1)
    const y0 = Math.floor(fy)
    const y1 = Math.min(y0 + 1, window.height - 1)
    const dy = fy - y0
    for (let ox = 0; ox < outWidth; ox++) {
      const fx = Math.min(Math.max((ox + 0.5) * sx - 0.5, 0), window.width - 1)
      const x0 = Math.floor(fx)
      const x1 = Math.min(x0 + 1, window.width - 1)
      const dx = fx - x0
      for (let c = 0; c < 3; c++) {
        const top =
          at(window.top + y0, window.left + x0, c) * (1 - dx) + at(window.top + y0, window.left + x1, c) * dx
        const bottom =
          at(window.top + y1, window.left + x0, c) * (1 - dx) + at(window.top + y1, window.left + x1, c) * dx
        out[(oy * outWidth + ox) * 3 + c] = top * (1 - dy) + bottom * dy
      }
    }
  }
  return out
}

/** HWC floats in [0, 255] to normalised ones ((x / 255 - mean) / std per channel), in place. */
export const normalise = (pixels: Float32Array): Float32Array => {
  for (let i = 0; i < pixels.length; i++) {
    const c = i % 3
    pixels[i] = (pixels[i]! / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!
  }
  return pixels
}

/** Mirror an HWC image of `width` columns left-right, in place. */
export const flipInPlace = (pixels: Float32Array, width: number): Float32Array => {
  const row = width * 3
  for (let start = 0; start < pixels.length; start += row)
    for (let x = 0; x < Math.floor(width / 2); x++)
      for (let c = 0; c < 3; c++) {
        const a = start + x * 3 + c
        const b = start + (width - 1 - x) * 3 + c
        const t = pixels[a]!
        pixels[a] = pixels[b]!
        pixels[b] = t
      }
  return pixels
}

/** Training transform: random resized crop to `size` (default 224), flip with probability 1/2, normalise. */
export const trainTransform = (image: RgbImage, rng: Random.Rng, size = 224): Float32Array => {
  check(image)
  const window = randomResizedWindow(image.height, image.width, rng)
  const pixels = resizeWindow(image, window, size, size)
  if (rng.uniform() < 0.5) flipInPlace(pixels, size)
  return normalise(pixels)
}

/**
 * Evaluation transform: shorter side resized to `resize` (default 256; the longer side scaled by
 * torchvision's truncation), then the centre `size` x `size` (default 224), normalised.
 */
export const evalTransform = (image: RgbImage, resize = 256, size = 224): Float32Array => {
  check(image)
  const [rh, rw] =
    image.height <= image.width
      ? [resize, Math.floor((resize * image.width) / image.height)]
      : [Math.floor((resize * image.height) / image.width), resize]
  const top = roundHalfEven((rh - size) / 2)
  const left = roundHalfEven((rw - size) / 2)
  const full = resizeWindow(image, { top: 0, left: 0, height: image.height, width: image.width }, rh, rw)
  const out = new Float32Array(size * size * 3)
  for (let y = 0; y < size; y++)
    out.set(full.subarray(((top + y) * rw + left) * 3, ((top + y) * rw + left + size) * 3), y * size * 3)
  return normalise(out)
}
