/**
 * CIFAR-10 and CIFAR-100 binary batches. A CIFAR-10 record is 1 label byte + 3072 pixel
 * bytes (1024 red, 1024 green, 1024 blue, i.e. CHW); a CIFAR-100 record has 2 label bytes
 * (coarse, fine) before the pixels. Images come out as [N, 32, 32, 3] (HWC) floats in [0, 1].
 */
import { Effect } from "effect"
import { type Dataset, make } from "./Dataset.ts"
import { type DataError, LabelOutOfRange, Truncated } from "./Errors.ts"
import { readBytes } from "./Files.ts"

const side = 32
const channels = 3
const pixelBytes = side * side * channels

export const imageShape = [side, side, channels] as const

export const cifar10ClassNames = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
] as const

interface Layout {
  /** label bytes before the pixels of each record */
  readonly labelBytes: number
  /** which of them is the label (CIFAR-100: 0 = coarse, 1 = fine) */
  readonly labelOffset: number
  readonly numClasses: number
}

interface Records {
  readonly x: Float32Array
  readonly labels: Int32Array
}

/** Decodes whole records (CHW bytes to HWC floats); a partial record is an error. */
export const decode = (bytes: Uint8Array, file: string, layout: Layout): Effect.Effect<Records, DataError> =>
  Effect.suspend((): Effect.Effect<Records, DataError> => {
    const recordSize = layout.labelBytes + pixelBytes
    const n = Math.floor(bytes.length / recordSize)
    if (bytes.length === 0 || bytes.length % recordSize !== 0)
      return Effect.fail(new Truncated({ file, expected: (n + 1) * recordSize, actual: bytes.length }))
    const x = new Float32Array(n * pixelBytes)
    const labels = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      const record = i * recordSize
      const label = bytes[record + layout.labelOffset]!
      if (label >= layout.numClasses)
        return Effect.fail(new LabelOutOfRange({ file, index: i, label, numClasses: layout.numClasses }))
      labels[i] = label
      const pixels = record + layout.labelBytes
      const out = i * pixelBytes
      for (let c = 0; c < channels; c++)
        for (let p = 0; p < side * side; p++)
          x[out + p * channels + c] = bytes[pixels + c * side * side + p]! / 255
    }
    return Effect.succeed({ x, labels })
  })

const loadRecords = (
  files: ReadonlyArray<string>,
  layout: Layout,
  name: string,
  classNames: ReadonlyArray<string> | undefined,
): Effect.Effect<Dataset, DataError> =>
  Effect.gen(function* () {
    const parts = yield* Effect.forEach(files, (file) =>
      Effect.flatMap(readBytes(file), (bytes) => decode(bytes, file, layout)),
    )
    const n = parts.reduce((sum, p) => sum + p.labels.length, 0)
    const x = new Float32Array(n * pixelBytes)
    const labels = new Int32Array(n)
    let offset = 0
    for (const part of parts) {
      x.set(part.x, offset * pixelBytes)
      labels.set(part.labels, offset)
      offset += part.labels.length
    }
    return yield* make({
      name,
      x,
      shape: [n, ...imageShape],
      labels,
      numClasses: layout.numClasses,
      ...(classNames === undefined ? {} : { classNames }),
    })
  })

/** CIFAR-10 from binary batch files (concatenated in the order given). */
export const load10 = (files: ReadonlyArray<string>, name = "cifar10"): Effect.Effect<Dataset, DataError> =>
  loadRecords(files, { labelBytes: 1, labelOffset: 0, numClasses: 10 }, name, cifar10ClassNames)

export interface Cifar100Options {
  /** "fine" (100 classes, default) or "coarse" (20 superclasses) */
  readonly labels?: "fine" | "coarse"
  readonly name?: string
  readonly classNames?: ReadonlyArray<string>
}

/** CIFAR-100 from binary files (train.bin / test.bin). */
export const load100 = (
  files: ReadonlyArray<string>,
  options: Cifar100Options = {},
): Effect.Effect<Dataset, DataError> => {
  const fine = (options.labels ?? "fine") === "fine"
  return loadRecords(
    files,
    { labelBytes: 2, labelOffset: fine ? 1 : 0, numClasses: fine ? 100 : 20 },
    options.name ?? (fine ? "cifar100" : "cifar100-coarse"),
    options.classNames,
  )
}

/** The standard CIFAR-10 folder (cifar-10-batches-bin): data_batch_1..5.bin or test_batch.bin. */
export const cifar10 = (dir: string, split: "train" | "test"): Effect.Effect<Dataset, DataError> =>
  load10(
    split === "train" ? [1, 2, 3, 4, 5].map((i) => `${dir}/data_batch_${i}.bin`) : [`${dir}/test_batch.bin`],
    `cifar10/${split}`,
  )

/** The standard CIFAR-100 folder (cifar-100-binary): train.bin or test.bin. */
export const cifar100 = (
  dir: string,
  split: "train" | "test",
  options: Omit<Cifar100Options, "name"> = {},
): Effect.Effect<Dataset, DataError> =>
  load100([`${dir}/${split}.bin`], { ...options, name: `cifar100/${split}` })
