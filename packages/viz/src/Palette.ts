/**
 * Colours: the Okabe-Ito palette, distinguishable under the common colour-vision
 * deficiencies, ordered so that the first two (blue, orange) — ERM vs mixup in most
 * pictures — contrast most.
 */

export type Rgb = readonly [number, number, number]

export const okabeIto: ReadonlyArray<string> = [
  "#0072B2", // blue
  "#E69F00", // orange
  "#009E73", // bluish green
  "#CC79A7", // reddish purple
  "#56B4E9", // sky blue
  "#D55E00", // vermillion
  "#F0E442", // yellow
  "#000000", // black
]

/** How many classes or series a picture can tell apart by colour. */
export const size = okabeIto.length

/** The colour of class or series `k` as `#rrggbb`. */
export const colour = (k: number): string => okabeIto[k % okabeIto.length]!

export const toRgb = (hex: string): Rgb => {
  const n = Number.parseInt(hex.slice(1), 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

/** `amount` = 0 gives white, 1 gives `rgb`; rounded to bytes. */
export const tint = (rgb: Rgb, amount: number): Rgb => [
  Math.round(255 + (rgb[0] - 255) * amount),
  Math.round(255 + (rgb[1] - 255) * amount),
  Math.round(255 + (rgb[2] - 255) * amount),
]
