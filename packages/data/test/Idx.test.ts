import assert from "node:assert/strict"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, test } from "node:test"
import { gzipSync } from "node:zlib"
import * as fc from "fast-check"
import { Idx } from "../src/index.ts"
import { failure, run, withTempDir } from "./helpers.ts"

/** IDX bytes as the format defines them: 0, 0, type 0x08, rank, big-endian dims, then the data. */
const idx = (dims: ReadonlyArray<number>, data: ArrayLike<number>): Uint8Array => {
  const header = new Uint8Array(4 + 4 * dims.length)
  const view = new DataView(header.buffer)
  header[2] = 0x08
  header[3] = dims.length
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false)
  })
  const out = new Uint8Array(header.length + data.length)
  out.set(header)
  out.set(Uint8Array.from(data), header.length)
  return out
}

const write = async (dir: string, name: string, bytes: Uint8Array): Promise<string> => {
  const file = join(dir, name)
  await writeFile(file, bytes)
  return file
}

describe("Idx.load", () => {
  test("reads images and labels, plain and gzip, as [N, rows, cols, 1] in [0, 1]", () =>
    fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.infiniteStream(fc.nat(255)),
        async (n, rows, cols, gz, bytes) => {
          const pixels = Array.from({ length: n * rows * cols }, () => bytes.next().value as number)
          const labels = Array.from({ length: n }, (_, i) => (pixels[i] ?? 0) % 10)
          await withTempDir(async (dir) => {
            const wrap = (b: Uint8Array) => (gz ? new Uint8Array(gzipSync(b)) : b)
            const images = await write(dir, "images", wrap(idx([n, rows, cols], pixels)))
            const labelFile = await write(dir, "labels", wrap(idx([n], labels)))
            const d = await run(Idx.load({ images, labels: labelFile }))
            assert.deepEqual(d.shape, [n, rows, cols, 1])
            assert.deepEqual([...d.labels], labels)
            assert.deepEqual(
              [...d.x],
              pixels.map((p) => Math.fround(p / 255)),
            )
          })
        },
      ),
      { numRuns: 15 },
    ))

  test("standard folder names, Fashion-MNIST class names", async () => {
    await withTempDir(async (dir) => {
      await write(
        dir,
        "t10k-images-idx3-ubyte.gz",
        new Uint8Array(gzipSync(idx([2, 2, 2], [0, 255, 1, 2, 3, 4, 5, 6]))),
      )
      await write(dir, "t10k-labels-idx1-ubyte.gz", new Uint8Array(gzipSync(idx([2], [9, 0]))))
      const d = await run(Idx.fashionMnist(dir, { split: "test" }))
      assert.equal(d.name, "fashion-mnist/test")
      assert.equal(d.classNames?.[9], "Ankle boot")
      assert.deepEqual([...d.labels], [9, 0])
    })
  })

  test("typed errors: missing, truncated, wrong magic, label out of range, count mismatch, trailing bytes", async () => {
    await withTempDir(async (dir) => {
      const images = await write(dir, "img", idx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]))
      const labels = await write(dir, "lab", idx([2], [1, 2]))

      const missing = await failure(Idx.load({ images: join(dir, "nope"), labels }))
      assert.equal(missing._tag, "FileNotFound")
      assert.match(missing.message, /nope/)

      const full = idx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])
      const truncated = await write(dir, "short", full.subarray(0, full.length - 3))
      const t = await failure(Idx.load({ images: truncated, labels }))
      assert.deepEqual({ ...t }, { _tag: "Truncated", file: truncated, expected: 24, actual: 21 })

      const swapped = await failure(Idx.load({ images: labels, labels: images }))
      assert.deepEqual({ ...swapped }, { _tag: "BadMagic", file: labels, expected: 0x803, actual: 0x801 })
      assert.match(swapped.message, /0x00000801.*0x00000803/)

      const badLabel = await write(dir, "bad", idx([2], [3, 10]))
      const range = await failure(Idx.load({ images, labels: badLabel }))
      assert.deepEqual(
        { ...range },
        { _tag: "LabelOutOfRange", file: badLabel, index: 1, label: 10, numClasses: 10 },
      )

      const three = await write(dir, "three", idx([3], [1, 2, 3]))
      const mismatch = await failure(Idx.load({ images, labels: three }))
      assert.equal(mismatch._tag, "Inconsistent")
      assert.match(mismatch.message, /3 labels for 2 images/)

      const trailing = await write(dir, "trail", idx([2], [1, 2, 0]))
      const extra = await failure(Idx.load({ images, labels: trailing }))
      assert.equal(extra._tag, "Inconsistent")

      const corrupt = await write(dir, "corrupt.gz", Uint8Array.of(0x1f, 0x8b, 1, 2, 3))
      const gz = await failure(Idx.load({ images: corrupt, labels }))
      assert.equal(gz._tag, "Inconsistent")
      assert.match(gz.message, /corrupt gzip/)
      // A download cut off half way: said to be truncated, naming the file.
      const whole = new Uint8Array(gzipSync(idx([2, 2, 2], [0, 255, 1, 2, 3, 4, 5, 6])))
      const cut = await write(dir, "cut.gz", whole.subarray(0, whole.length - 12))
      const cutOff = await failure(Idx.load({ images: cut, labels }))
      assert.equal(cutOff._tag, "Inconsistent")
      assert.match(cutOff.message, /cut\.gz.*truncated gzip data/)
    })
  })
})
