/**
 * ImageNet-2012 (ILSVRC) in its standard folder layout, streamed from disk:
 *
 * - training: `train/<wnid>/*.JPEG`, one folder per class;
 * - validation: `val/<wnid>/*.JPEG` folders, or the images flat in `val/` with a label file:
 *   the devkit's `ILSVRC2012_validation_ground_truth.txt` (line i is the 1-based class of
 *   `ILSVRC2012_val_<i, 8 digits>.JPEG`, in the devkit's class order, which is NOT sorted wnid
 *   order: give that order as a file of wnids, one per line), or a `LOC_val_solution.csv`-style
 *   CSV (`ImageId,PredictionString`, the wnid first in the prediction string).
 *
 * Class index = position of the wnid in sorted order (torchvision's ImageFolder), taken from the
 * training folder and imposed on the validation set. A folder holds only file names; images are
 * read, decoded (jpeg-js, pure JavaScript) and transformed batch by batch, at most `prefetch`
 * batches ahead of the consumer, so memory stays bounded whatever the folder's size.
 */
import { access, readdir } from "node:fs/promises"
import { basename, join } from "node:path"
import type { Random } from "@vicinal/core"
import { Effect, Stream } from "effect"
import jpeg from "jpeg-js"
import { type HostBatch, prefetched } from "./Batches.ts"
import * as Check from "./Check.ts"
import { type DataError, FileNotFound, FileUnreadable, Inconsistent, InvalidArgument } from "./Errors.ts"
import { readBytes, readText } from "./Files.ts"
import { evalTransform, type RgbImage, trainTransform } from "./ImageTransforms.ts"
import { epochRng, permutation } from "./Shuffle.ts"

/** The images of one split: paths relative to `root`, and each one's class index. */
export interface ImageFolder {
  readonly name: string
  readonly root: string
  /** wnids in class-index order (sorted) */
  readonly classes: ReadonlyArray<string>
  readonly files: ReadonlyArray<string>
  readonly labels: Int32Array
}

const isJpegName = (name: string): boolean => /\.jpe?g$/i.test(name)

const reason = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

const code = (cause: unknown): unknown =>
  typeof cause === "object" && cause !== null && "code" in cause ? cause.code : undefined

interface Entry {
  readonly name: string
  readonly directory: boolean
}

const list = (dir: string): Effect.Effect<ReadonlyArray<Entry>, FileNotFound | FileUnreadable> =>
  Effect.tryPromise({
    try: () => readdir(dir, { withFileTypes: true }),
    catch: (cause) =>
      code(cause) === "ENOENT"
        ? new FileNotFound({ file: dir })
        : new FileUnreadable({ file: dir, reason: reason(cause) }),
  }).pipe(
    Effect.map((entries) =>
      entries
        .map((e) => ({ name: e.name, directory: e.isDirectory() }))
        // Code-unit order, as Python's sorted(): the class order must not depend on the locale.
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    ),
  )

/** Images of `root/<class>/` for each class folder, classes in sorted order. */
const classFolders = (root: string, name: string): Effect.Effect<ImageFolder, DataError> =>
  Effect.gen(function* () {
    const classes = (yield* list(root)).filter((e) => e.directory).map((e) => e.name)
    if (classes.length === 0)
      return yield* Effect.fail(
        new Inconsistent({
          file: root,
          reason: "no class folders: expected one folder per class (<wnid>/) holding its JPEG files",
        }),
      )
    const files: Array<string> = []
    const labels: Array<number> = []
    for (const [label, wnid] of classes.entries()) {
      const images = (yield* list(join(root, wnid))).filter((e) => !e.directory && isJpegName(e.name))
      if (images.length === 0)
        return yield* Effect.fail(
          new Inconsistent({ file: join(root, wnid), reason: "class folder holds no .JPEG/.jpg files" }),
        )
      for (const image of images) {
        files.push(`${wnid}/${image.name}`)
        labels.push(label)
      }
    }
    return { name, root, classes, files, labels: Int32Array.from(labels) }
  })

/** The training split: `dir` holds one folder per class (`train/<wnid>/*.JPEG`). */
export const trainFolder = (dir: string): Effect.Effect<ImageFolder, DataError> =>
  classFolders(dir, "imagenet/train")

export interface ValOptions {
  /** wnids in class-index order (from `trainFolder(...).classes`) */
  readonly classes: ReadonlyArray<string>
  /**
   * Label file for flat images: a `.csv` (`ImageId,PredictionString`) or the devkit's ground
   * truth (`.txt`, one 1-based class per line). Without it, `dir` must hold class folders.
   */
  readonly labels?: string
  /** The devkit's class order (one wnid per line), required with the devkit's ground truth. */
  readonly devkitClasses?: string
}

const lines = (text: string): ReadonlyArray<string> =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "")

const mismatch = (file: string, what: string) =>
  new Inconsistent({ file, reason: `does not match the images: ${what}` })

/** image id -> wnid, from a `LOC_val_solution.csv`-style file. */
const csvLabels = (file: string, text: string): Effect.Effect<ReadonlyMap<string, string>, Inconsistent> => {
  const rows = lines(text)
  const header = rows[0]?.toLowerCase().startsWith("imageid") === true ? 1 : 0
  const map = new Map<string, string>()
  for (const [i, row] of rows.slice(header).entries()) {
    const [id, prediction] = row.split(",")
    const wnid = prediction?.trim().split(/\s+/)[0]
    if (id === undefined || id === "" || wnid === undefined || wnid === "")
      return Effect.fail(
        new Inconsistent({
          file,
          reason: `line ${i + header + 1}: expected "ImageId,wnid ..." , got "${row}"`,
        }),
      )
    map.set(id.trim(), wnid)
  }
  return Effect.succeed(map)
}

const devkitImageId = (line: number): string => `ILSVRC2012_val_${String(line).padStart(8, "0")}`

/** image id -> wnid, from the devkit's ground truth and its class order. */
const devkitLabels = (
  file: string,
  text: string,
  order: ReadonlyArray<string>,
  orderFile: string,
  classes: ReadonlyArray<string>,
): Effect.Effect<ReadonlyMap<string, string>, Inconsistent> => {
  const sorted = [...order].sort()
  if (sorted.length !== classes.length || sorted.some((w, i) => w !== classes[i]))
    return Effect.fail(
      new Inconsistent({
        file: orderFile,
        reason: `lists ${order.length} wnids that are not the ${classes.length} training classes in some order`,
      }),
    )
  const map = new Map<string, string>()
  for (const [i, line] of lines(text).entries()) {
    const index = Number(line)
    if (!Number.isInteger(index) || index < 1 || index > order.length)
      return Effect.fail(
        new Inconsistent({
          file,
          reason: `line ${i + 1}: "${line}" is not a class number in 1..${order.length}`,
        }),
      )
    map.set(devkitImageId(i + 1), order[index - 1]!)
  }
  return Effect.succeed(map)
}

const stem = (name: string): string => name.replace(/\.[^.]*$/, "")

/** Flat images labelled by a map image id -> wnid; every image labelled, every label an image. */
const labelledFlat = (
  dir: string,
  file: string,
  byId: ReadonlyMap<string, string>,
  classes: ReadonlyArray<string>,
): Effect.Effect<ImageFolder, DataError> =>
  Effect.gen(function* () {
    const images = (yield* list(dir)).filter((e) => !e.directory && isJpegName(e.name)).map((e) => e.name)
    if (images.length === 0)
      return yield* Effect.fail(new Inconsistent({ file: dir, reason: "holds no .JPEG/.jpg files" }))
    const index = new Map(classes.map((w, i) => [w, i]))
    const labels = new Int32Array(images.length)
    for (const [i, image] of images.entries()) {
      const wnid = byId.get(stem(image))
      if (wnid === undefined) return yield* Effect.fail(mismatch(file, `no label for ${join(dir, image)}`))
      const label = index.get(wnid)
      if (label === undefined)
        return yield* Effect.fail(
          mismatch(file, `${image} is labelled ${wnid}, not one of the training classes`),
        )
      labels[i] = label
    }
    if (byId.size !== images.length) {
      const present = new Set(images.map(stem))
      const missing = [...byId.keys()].find((id) => !present.has(id))
      return yield* Effect.fail(
        mismatch(
          file,
          `it labels ${byId.size} images, the folder holds ${images.length} (${missing} is missing)`,
        ),
      )
    }
    return { name: "imagenet/val", root: dir, classes, files: images, labels }
  })

/**
 * The validation split: class folders under `dir` (their wnids must be training classes), or
 * flat images with `options.labels`.
 */
export const valFolder = (dir: string, options: ValOptions): Effect.Effect<ImageFolder, DataError> =>
  Effect.gen(function* () {
    const { classes } = options
    if (options.labels === undefined) {
      const folder = yield* classFolders(dir, "imagenet/val")
      const index = new Map(classes.map((w, i) => [w, i]))
      const unknown = folder.classes.find((w) => !index.has(w))
      if (unknown !== undefined)
        return yield* Effect.fail(
          new Inconsistent({ file: join(dir, unknown), reason: "is not one of the training classes" }),
        )
      const labels = folder.labels.map((l) => index.get(folder.classes[l]!)!)
      return { ...folder, classes, labels }
    }
    const file = options.labels
    const text = yield* readText(file)
    if (file.toLowerCase().endsWith(".csv"))
      return yield* labelledFlat(dir, file, yield* csvLabels(file, text), classes)
    if (options.devkitClasses === undefined)
      return yield* Effect.fail(
        new InvalidArgument({
          argument: "devkitClasses",
          value: undefined,
          expected: `must be given: ${basename(file)} numbers classes in the devkit's order`,
          fix: "give a file of wnids, one per line, in ILSVRC2012_ID order 1..1000",
        }),
      )
    const order = lines(yield* readText(options.devkitClasses)).map((l) => l.split(/\s+/)[0]!)
    return yield* labelledFlat(
      dir,
      file,
      yield* devkitLabels(file, text, order, options.devkitClasses, classes),
      classes,
    )
  })

/** Decodes JPEG bytes to RGB; a file that is not a decodable JPEG fails naming it. */
export const decodeJpeg = (bytes: Uint8Array, file: string): Effect.Effect<RgbImage, Inconsistent> =>
  Effect.try({
    try: () => {
      const image = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        // A cut-off or damaged file must fail, not decode to grey.
        tolerantDecoding: false,
        maxMemoryUsageInMB: 1024,
      })
      return { width: image.width, height: image.height, data: image.data }
    },
    catch: (cause) => new Inconsistent({ file, reason: `not a decodable JPEG (${reason(cause)})` }),
  })

export interface StreamOptions {
  readonly batchSize: number
  /** "train": random resized crop + flip + normalisation; "eval": resize + centre crop + normalisation */
  readonly transform: "train" | "eval"
  /** output side (default 224) */
  readonly size?: number
  /** eval: shorter side before the centre crop (default size * 256 / 224, i.e. 256 for 224) */
  readonly resize?: number
  /** seed of the run: an epoch's order and augmentation depend only on (seed, epoch) */
  readonly seed?: number
  readonly epoch?: number
  /** default: true for "train", false for "eval" */
  readonly shuffle?: boolean
  /** drop the last short batch (default false) */
  readonly dropLast?: boolean
  /** batches decoded ahead of the consumer (default 2; 0 = none) */
  readonly prefetch?: number
  /** called after each image is decoded (e.g. to count images in memory) */
  readonly onDecoded?: (file: string) => void
}

const checkStream = (options: StreamOptions): InvalidArgument | undefined => {
  const shuffle = options.shuffle ?? options.transform === "train"
  return Check.first(
    Check.integerAtLeast("batchSize", options.batchSize, 1),
    Check.integerAtLeast("size", options.size ?? 224, 1),
    Check.integerAtLeast("resize", options.resize ?? options.size ?? 224, options.size ?? 224),
    Check.integerAtLeast("epoch", options.epoch ?? 0, 0),
    Check.integerAtLeast("prefetch", options.prefetch ?? 2, 0),
    options.seed === undefined ? undefined : Check.seed("seed", options.seed),
    options.seed === undefined && (shuffle || options.transform === "train")
      ? new InvalidArgument({
          argument: "seed",
          value: undefined,
          expected: "must be given: shuffling and the training transform draw random numbers",
          fix: "give a seed",
        })
      : undefined,
  )
}

/** The examples' order in one epoch (a seeded permutation, or the folder's order). */
export const epochOrder = (folder: ImageFolder, options: StreamOptions): Int32Array => {
  const n = folder.files.length
  const shuffle = options.shuffle ?? options.transform === "train"
  return shuffle && options.seed !== undefined
    ? permutation(n, epochRng(options.seed, options.epoch ?? 0))
    : Int32Array.from({ length: n }, (_, i) => i)
}

const transformOne = (image: RgbImage, options: StreamOptions, rng: Random.Rng | undefined): Float32Array => {
  const size = options.size ?? 224
  return options.transform === "train" && rng !== undefined
    ? trainTransform(image, rng, size)
    : evalTransform(image, options.resize ?? Math.floor((size * 256) / 224), size)
}

/** Reads, decodes and transforms the images at `indices` into one batch. */
const loadBatch = (
  folder: ImageFolder,
  indices: Int32Array,
  options: StreamOptions,
  rng: Random.Rng | undefined,
): Effect.Effect<HostBatch, DataError> =>
  Effect.gen(function* () {
    const size = options.size ?? 224
    const d = size * size * 3
    const x = new Float32Array(indices.length * d)
    for (const [row, i] of indices.entries()) {
      const file = join(folder.root, folder.files[i]!)
      const image = yield* decodeJpeg(yield* readBytes(file), file)
      options.onDecoded?.(file)
      const pixels = yield* Effect.try({
        try: () => transformOne(image, options, rng),
        catch: (cause) => new Inconsistent({ file, reason: `cannot transform the image (${reason(cause)})` }),
      })
      x.set(pixels, row * d)
    }
    const labels = Int32Array.from(indices, (i) => folder.labels[i]!)
    return {
      x,
      shape: [indices.length, size, size, 3],
      labels,
      trueLabels: labels.slice(),
      indices,
      numClasses: folder.classes.length,
    }
  })

/** Batches in one epoch of `folder`. */
export const numBatches = (
  folder: ImageFolder,
  options: Pick<StreamOptions, "batchSize" | "dropLast">,
): number =>
  options.dropLast === true
    ? Math.floor(folder.files.length / options.batchSize)
    : Math.ceil(folder.files.length / options.batchSize)

/**
 * One epoch as a Stream of host batches `[n, size, size, 3]` (normalised, HWC), ready for
 * `Batches.toBatch`. Nothing is read until the stream runs; batch b's augmentation draws from a
 * generator of (seed, epoch, b), so the batches do not depend on timing or prefetch.
 */
export const stream = (folder: ImageFolder, options: StreamOptions): Stream.Stream<HostBatch, DataError> => {
  const batches = Stream.suspend(() => {
    const error = checkStream(options)
    if (error !== undefined) return Stream.fail(error)
    const order = epochOrder(folder, options)
    const count = numBatches(folder, options)
    const augmentSeed =
      options.seed === undefined
        ? undefined
        : epochRng(options.seed, options.epoch ?? 0)
            .split()
            .int(2 ** 31 - 1)
    return Stream.unfold(0, (b) =>
      b >= count
        ? Effect.succeed(undefined)
        : Effect.map(
            loadBatch(
              folder,
              order.slice(b * options.batchSize, (b + 1) * options.batchSize),
              options,
              augmentSeed === undefined ? undefined : epochRng(augmentSeed, b),
            ),
            (batch) => [batch, b + 1] as const,
          ),
    )
  })
  return prefetched(batches, options.prefetch)
}

export interface Splits {
  readonly train: ImageFolder
  readonly val: ImageFolder
}

const exists = (file: string): Effect.Effect<boolean> =>
  Effect.promise(() =>
    access(file).then(
      () => true,
      () => false,
    ),
  )

/**
 * Both splits of an ImageNet folder `root` (`train/`, `val/`). The validation labels are found
 * as: class folders in `val/`, else `LOC_val_solution.csv`, else the devkit's ground truth with
 * `devkitClasses` (each looked for in `root` and in `val/`), unless `labels` names the file.
 */
export const load = (
  root: string,
  options: Omit<ValOptions, "classes"> = {},
): Effect.Effect<Splits, DataError> =>
  Effect.gen(function* () {
    const train = yield* trainFolder(join(root, "train"))
    const valDir = join(root, "val")
    const entries = yield* list(valDir)
    if (options.labels !== undefined || !entries.some((e) => e.directory)) {
      const candidates = ["LOC_val_solution.csv", "ILSVRC2012_validation_ground_truth.txt"].flatMap((f) => [
        join(root, f),
        join(valDir, f),
      ])
      let labels = options.labels
      for (const candidate of candidates)
        if (labels === undefined && (yield* exists(candidate))) labels = candidate
      if (labels === undefined)
        return yield* Effect.fail(
          new Inconsistent({
            file: valDir,
            reason:
              "holds no class folders and no label file was found (LOC_val_solution.csv or ILSVRC2012_validation_ground_truth.txt, in the root or in val/)",
          }),
        )
      const val = yield* valFolder(valDir, { ...options, classes: train.classes, labels })
      return { train, val }
    }
    return { train, val: yield* valFolder(valDir, { classes: train.classes }) }
  })
