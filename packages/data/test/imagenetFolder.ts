/**
 * Tiny ImageNet-layout folders of real JPEG files, written by tests: `train/<wnid>/*.JPEG` and
 * flat `val/` images with both label-file forms (LOC_val_solution.csv, and the devkit's ground
 * truth with its class order). Each image is a pattern whose pixels the tests can predict.
 */
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import jpeg from "jpeg-js"
import { encodeProgressive } from "./progressiveJpeg.ts"

/** A smooth pattern of class `label` and example `index`: red rises left to right, green down. */
export const pattern = (width: number, height: number, label: number, index: number): Uint8Array => {
  const rgb = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3
      rgb[i] = Math.round((255 * x) / Math.max(1, width - 1))
      rgb[i + 1] = Math.round((255 * y) / Math.max(1, height - 1))
      rgb[i + 2] = 40 + 80 * label + 5 * index
    }
  return rgb
}

/** Baseline JPEG bytes (jpeg-js's encoder, quality 95) of RGB pixels. */
export const encodeBaseline = (width: number, height: number, rgb: Uint8Array): Uint8Array => {
  const rgba = new Uint8Array(width * height * 4)
  for (let i = 0; i < width * height; i++) {
    rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4)
    rgba[i * 4 + 3] = 255
  }
  const { data } = jpeg.encode({ width, height, data: rgba }, 95)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

export interface TinyFolder {
  /** wnids in sorted order (class index order) */
  readonly classes: ReadonlyArray<string>
  /** train images per class */
  readonly perClass: number
  /** val image ids (file name without .JPEG) and their wnid, in devkit numbering */
  readonly val: ReadonlyArray<{ readonly id: string; readonly wnid: string }>
  /** the devkit's class order written to devkit_classes.txt (not sorted) */
  readonly devkitOrder: ReadonlyArray<string>
}

/**
 * Writes `root/train/<wnid>/` (created in unsorted order; the second class's first image is a
 * progressive 4:2:0 JPEG, the others baseline, of varying sizes), `root/val/` flat with
 * `LOC_val_solution.csv`, `ILSVRC2012_validation_ground_truth.txt` and `devkit_classes.txt` in `root`.
 */
export const writeTinyImageNet = async (
  root: string,
  options: { readonly perClass?: number; readonly valPerClass?: number; readonly labelFiles?: boolean } = {},
): Promise<TinyFolder> => {
  const classes = ["n01440764", "n02102040", "n03000134"]
  const devkitOrder = ["n03000134", "n01440764", "n02102040"]
  const perClass = options.perClass ?? 4
  const valPerClass = options.valPerClass ?? 2
  for (const wnid of [...classes].reverse()) await mkdir(join(root, "train", wnid), { recursive: true })
  for (const [label, wnid] of classes.entries())
    for (let i = 0; i < perClass; i++) {
      const [w, h] = label === 1 && i === 0 ? [48, 32] : [24 + 8 * i, 20 + 4 * label]
      const rgb = pattern(w, h, label, i)
      const bytes = label === 1 && i === 0 ? encodeProgressive(w, h, rgb) : encodeBaseline(w, h, rgb)
      await writeFile(join(root, "train", wnid, `${wnid}_${i}.JPEG`), bytes)
    }
  await writeFile(join(root, "train", classes[0]!, "notes.txt"), "not an image")
  await mkdir(join(root, "val"), { recursive: true })
  const val = Array.from({ length: classes.length * valPerClass }, (_, i) => ({
    id: `ILSVRC2012_val_${String(i + 1).padStart(8, "0")}`,
    wnid: classes[(i * 2) % classes.length]!,
  }))
  for (const [i, v] of val.entries())
    await writeFile(
      join(root, "val", `${v.id}.JPEG`),
      encodeBaseline(32, 24, pattern(32, 24, classes.indexOf(v.wnid), i)),
    )
  if (options.labelFiles !== false) {
    await writeFile(
      join(root, "LOC_val_solution.csv"),
      `ImageId,PredictionString\n${val.map((v) => `${v.id},${v.wnid} 1 2 30 20 ${v.wnid} 3 4 20 10`).join("\n")}\n`,
    )
    await writeFile(
      join(root, "ILSVRC2012_validation_ground_truth.txt"),
      `${val.map((v) => devkitOrder.indexOf(v.wnid) + 1).join("\n")}\n`,
    )
    await writeFile(join(root, "devkit_classes.txt"), `${devkitOrder.join("\n")}\n`)
  }
  return { classes, perClass, val, devkitOrder }
}
