/**
 * A grid of images (e.g. mixed training examples) with a caption under each, such as the
 * soft label "0.62·3 + 0.38·8".
 *
 * Raster-first: each image is upscaled by an integer factor (nearest neighbour) and
 * embedded as a PNG, so every source pixel becomes an exact `scale × scale` block in the
 * SVG and in the PNG (no resampling blur, checkable pixel by pixel); captions are SVG text,
 * which stays sharp and searchable.
 */
import { Effect } from "effect"
import { encode } from "fast-png"
import * as Check from "./Check.ts"
import type { InvalidArgument } from "./Errors.ts"
import { escapeXml, type Picture, pngDataUri } from "./Picture.ts"

export interface GridSpec {
  /** n images row-major, [n, h, w, c] with c = 1 (grey) or 3 (RGB); values in [0, 1] (clamped). */
  readonly images: Float32Array
  readonly shape: readonly [number, number, number, number]
  /** One caption per image (optional). */
  readonly captions?: ReadonlyArray<string>
  readonly columns: number
  /** Integer upscaling factor (default 2). */
  readonly scale?: number
  readonly title?: string
}

export interface Cell {
  /** Top-left corner of the image itself (not its caption), in picture pixels. */
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

export interface Layout {
  readonly width: number
  readonly height: number
  readonly cells: ReadonlyArray<Cell>
}

const margin = 10
const gap = 8
const titleHeight = 28
const captionSize = 11
const captionHeight = 16

// Without a canvas to measure text, assume the widest glyphs of DejaVu Sans at this size.
const estimateTextWidth = (text: string): number => Math.ceil(text.length * captionSize * 0.62)

/** Where each image lands (pure geometry; also what tests and overlays use). */
export const layout = (spec: GridSpec): Layout => {
  const [n, h, w] = spec.shape
  const scale = spec.scale ?? 2
  const columns = Math.min(spec.columns, n)
  const rows = Math.ceil(n / columns)
  const widestCaption = Math.max(0, ...(spec.captions ?? []).map(estimateTextWidth))
  const cellWidth = Math.max(w * scale, widestCaption)
  const cellHeight = h * scale + (spec.captions === undefined ? 0 : captionHeight)
  const top = margin + (spec.title === undefined ? 0 : titleHeight)
  const cells = Array.from({ length: n }, (_, k) => ({
    x: margin + (k % columns) * (cellWidth + gap) + Math.floor((cellWidth - w * scale) / 2),
    y: top + Math.floor(k / columns) * (cellHeight + gap),
    width: w * scale,
    height: h * scale,
  }))
  return {
    width: 2 * margin + columns * cellWidth + (columns - 1) * gap,
    height: top + rows * cellHeight + (rows - 1) * gap + margin,
    cells,
  }
}

const toByte = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 255)

/** Image `k` upscaled to RGB bytes, `scale` × `scale` per source pixel. */
const upscaled = (images: Float32Array, shape: GridSpec["shape"], k: number, scale: number): Uint8Array => {
  const [, h, w, c] = shape
  const out = new Uint8Array(h * scale * w * scale * 3)
  const base = k * h * w * c
  const rowStride = w * scale * 3
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) {
      const src = base + (i * w + j) * c
      const r = toByte(images[src]!)
      const g = c === 3 ? toByte(images[src + 1]!) : r
      const b = c === 3 ? toByte(images[src + 2]!) : r
      for (let di = 0; di < scale; di++)
        for (let dj = 0; dj < scale; dj++) {
          const dst = (i * scale + di) * rowStride + (j * scale + dj) * 3
          out[dst] = r
          out[dst + 1] = g
          out[dst + 2] = b
        }
    }
  return out
}

const checkGrid = (spec: GridSpec): Check.Check => {
  const [n, h, w, c] = spec.shape
  return Check.all([
    Check.length("shape", spec.shape, 4, "[n, height, width, channels]"),
    Check.integerInRange("shape[0] (number of images)", n, 1, 4096),
    Check.integerInRange("shape[1] (height)", h, 1, 4096),
    Check.integerInRange("shape[2] (width)", w, 1, 4096),
    Check.oneOf("shape[3] (channels)", c, [1, 3]),
    Check.length("images", spec.images, n * h * w * c, `n·h·w·c = ${n}·${h}·${w}·${c}`),
    Check.finite("images", spec.images),
    spec.captions === undefined ? Effect.void : Check.length("captions", spec.captions, n, "one per image"),
    Check.integerInRange("columns", spec.columns, 1),
    Check.integerInRange("scale", spec.scale ?? 2, 1, 64),
  ])
}

/** The grid as a picture (SVG with embedded PNG cells and text captions). */
export const grid = (spec: GridSpec): Effect.Effect<Picture, InvalidArgument> =>
  Effect.andThen(
    checkGrid(spec),
    Effect.sync(() => {
      const scale = spec.scale ?? 2
      const { width, height, cells } = layout(spec)
      const parts: Array<string> = [`<rect width="${width}" height="${height}" fill="white"/>`]
      if (spec.title !== undefined)
        parts.push(
          `<text x="${width / 2}" y="${margin + 16}" text-anchor="middle" font-family="sans-serif" font-size="15" fill="#222">${escapeXml(spec.title)}</text>`,
        )
      cells.forEach((cell, k) => {
        const png = encode({
          width: cell.width,
          height: cell.height,
          data: upscaled(spec.images, spec.shape, k, scale),
          channels: 3,
        })
        // A hairline frame just outside the image, so white images stay visible on white.
        parts.push(
          `<rect x="${cell.x - 0.5}" y="${cell.y - 0.5}" width="${cell.width + 1}" height="${cell.height + 1}" fill="none" stroke="#bbb" stroke-width="1"/>`,
          `<image x="${cell.x}" y="${cell.y}" width="${cell.width}" height="${cell.height}" preserveAspectRatio="none" style="image-rendering:pixelated" href="${pngDataUri(png)}"/>`,
        )
        const caption = spec.captions?.[k]
        if (caption !== undefined)
          parts.push(
            `<text x="${cell.x + cell.width / 2}" y="${cell.y + cell.height + captionHeight - 4}" text-anchor="middle" font-family="sans-serif" font-size="${captionSize}" fill="#222">${escapeXml(caption)}</text>`,
          )
      })
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join("")}</svg>`
      return { svg, width, height }
    }),
  )

export interface CaptionOptions {
  /** Names instead of class indices, e.g. CIFAR-10's "cat". */
  readonly classNames?: ReadonlyArray<string>
  /** Classes with a weight below this are left out (default 0.005). */
  readonly threshold?: number
  /** Decimals of each weight (default 2). */
  readonly digits?: number
}

/**
 * A soft label as text, largest weight first: [0, 0, 0, 0.62, 0, 0, 0, 0, 0.38, 0] gives
 * "0.62·3 + 0.38·8"; a one-hot row gives just "3".
 */
export const softLabel = (row: ArrayLike<number>, options?: CaptionOptions): string => {
  const threshold = options?.threshold ?? 0.005
  const digits = options?.digits ?? 2
  const name = (k: number): string => options?.classNames?.[k] ?? String(k)
  const terms = Array.from(row, (weight, k) => ({ weight, k }))
    .filter((t) => t.weight >= threshold)
    .sort((a, b) => b.weight - a.weight || a.k - b.k)
  if (terms.length === 1 && terms[0]!.weight >= 1 - threshold) return name(terms[0]!.k)
  return terms.map((t) => `${t.weight.toFixed(digits)}·${name(t.k)}`).join(" + ")
}

/** One caption per row of n × numClasses soft labels (row-major), e.g. a MixedBatch's y. */
export const softLabels = (
  y: Float32Array,
  numClasses: number,
  options?: CaptionOptions,
): Effect.Effect<ReadonlyArray<string>, InvalidArgument> =>
  Effect.andThen(
    Check.all([
      Check.integerInRange("numClasses", numClasses, 1),
      y.length % numClasses === 0
        ? Effect.void
        : Check.length("y", y, Math.ceil(y.length / numClasses) * numClasses, "a multiple of numClasses"),
      Check.finite("y", y),
    ]),
    Effect.sync(() =>
      Array.from({ length: y.length / numClasses }, (_, i) =>
        softLabel(y.subarray(i * numClasses, (i + 1) * numClasses), options),
      ),
    ),
  )
