/**
 * MNIST / Fashion-MNIST IDX files (plain or gzip): big-endian header with magic
 * 0x00000803 for images [N, rows, cols] and 0x00000801 for labels [N], unsigned bytes.
 */
import { Effect } from "effect"
import * as Check from "./Check.ts"
import { type Dataset, labelError, make } from "./Dataset.ts"
import { BadMagic, type DataError, Inconsistent, Truncated } from "./Errors.ts"
import { readMaybeGzip } from "./Files.ts"

export const IMAGES_MAGIC = 0x00000803
export const LABELS_MAGIC = 0x00000801

export interface IdxArray {
  readonly dims: ReadonlyArray<number>
  /** the unsigned bytes after the header */
  readonly data: Uint8Array
}

/** Parses an unsigned-byte IDX array whose magic must be `magic` (rank = its low byte). */
export const parse = (
  bytes: Uint8Array,
  file: string,
  magic: number,
): Effect.Effect<IdxArray, BadMagic | Truncated | Inconsistent> =>
  Effect.suspend((): Effect.Effect<IdxArray, BadMagic | Truncated | Inconsistent> => {
    if (bytes.length < 4) return Effect.fail(new Truncated({ file, expected: 4, actual: bytes.length }))
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const actual = view.getUint32(0, false)
    if (actual !== magic) return Effect.fail(new BadMagic({ file, expected: magic, actual }))
    const rank = magic & 0xff
    const headerSize = 4 + 4 * rank
    if (bytes.length < headerSize)
      return Effect.fail(new Truncated({ file, expected: headerSize, actual: bytes.length }))
    const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false))
    const expected = headerSize + dims.reduce((a, b) => a * b, 1)
    if (bytes.length < expected) return Effect.fail(new Truncated({ file, expected, actual: bytes.length }))
    if (bytes.length > expected)
      return Effect.fail(
        new Inconsistent({
          file,
          reason: `${bytes.length - expected} bytes after the ${expected} the header announces`,
        }),
      )
    return Effect.succeed({ dims, data: bytes.subarray(headerSize, expected) })
  })

export interface LoadOptions {
  /** path of the images file, e.g. train-images-idx3-ubyte(.gz) */
  readonly images: string
  /** path of the labels file, e.g. train-labels-idx1-ubyte(.gz) */
  readonly labels: string
  readonly name?: string
  readonly numClasses?: number
  readonly classNames?: ReadonlyArray<string>
}

/** Images as [N, rows, cols, 1] floats in [0, 1] (pixel / 255) with their labels. */
export const load = (options: LoadOptions): Effect.Effect<Dataset, DataError> =>
  Effect.gen(function* () {
    const numClasses = options.numClasses ?? 10
    const classError = Check.integerAtLeast("numClasses", numClasses, 1)
    if (classError !== undefined) return yield* classError
    const images = yield* Effect.flatMap(readMaybeGzip(options.images), (b) =>
      parse(b, options.images, IMAGES_MAGIC),
    )
    const labels = yield* Effect.flatMap(readMaybeGzip(options.labels), (b) =>
      parse(b, options.labels, LABELS_MAGIC),
    )
    const [n = 0, rows = 0, cols = 0] = images.dims
    if (labels.dims[0] !== n)
      return yield* new Inconsistent({
        file: options.labels,
        reason: `${labels.dims[0]} labels for ${n} images in ${options.images}`,
      })
    const labelArray = Int32Array.from(labels.data)
    const outOfRange = labelError(options.labels, labelArray, numClasses)
    if (outOfRange !== undefined) return yield* outOfRange
    const x = Float32Array.from(images.data, (v) => v / 255)
    return yield* make({
      name: options.name ?? options.images,
      x,
      shape: [n, rows, cols, 1],
      labels: labelArray,
      numClasses,
      ...(options.classNames === undefined ? {} : { classNames: options.classNames }),
    })
  })

export const fashionClassNames = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
] as const

const splitFiles = (dir: string, split: "train" | "test", gz: boolean) => {
  const prefix = split === "train" ? "train" : "t10k"
  const ext = gz ? ".gz" : ""
  return {
    images: `${dir}/${prefix}-images-idx3-ubyte${ext}`,
    labels: `${dir}/${prefix}-labels-idx1-ubyte${ext}`,
  }
}

export interface DirectoryOptions {
  readonly split: "train" | "test"
  /** the files carry the .gz suffix (default true, as downloaded) */
  readonly gzip?: boolean
}

/** MNIST from a folder with the standard file names (train-/t10k-{images-idx3,labels-idx1}-ubyte[.gz]). */
export const mnist = (dir: string, options: DirectoryOptions): Effect.Effect<Dataset, DataError> =>
  load({ ...splitFiles(dir, options.split, options.gzip ?? true), name: `mnist/${options.split}` })

/** Fashion-MNIST from a folder with the standard file names, with its class names. */
export const fashionMnist = (dir: string, options: DirectoryOptions): Effect.Effect<Dataset, DataError> =>
  load({
    ...splitFiles(dir, options.split, options.gzip ?? true),
    name: `fashion-mnist/${options.split}`,
    classNames: fashionClassNames,
  })
