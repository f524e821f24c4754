import assert from "node:assert/strict"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import { Cifar } from "../src/index.ts"
import { failure, run, withTempDir } from "./helpers.ts"

const plane = 32 * 32

/** CIFAR binary records: label byte(s), then 1024 red, 1024 green, 1024 blue bytes (CHW). */
const records = (
  labels: ReadonlyArray<ReadonlyArray<number>>,
  pixel: (i: number, c: number, p: number) => number,
) => {
  const size = (labels[0]?.length ?? 1) + 3 * plane
  const out = new Uint8Array(labels.length * size)
  labels.forEach((label, i) => {
    out.set(label, i * size)
    for (let c = 0; c < 3; c++)
      for (let p = 0; p < plane; p++) out[i * size + label.length + c * plane + p] = pixel(i, c, p)
  })
  return out
}

const pattern = (seed: number) => (i: number, c: number, p: number) =>
  (seed * 7 + i * 31 + c * 101 + p * 13) % 256

describe("Cifar.load10", () => {
  test("CHW records become HWC floats in [0, 1]; batches concatenate in order", () =>
    fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(9), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(9), { minLength: 1, maxLength: 3 }),
        fc.nat(1000),
        async (labelsA, labelsB, seed) => {
          await withTempDir(async (dir) => {
            const a = join(dir, "data_batch_a.bin")
            const b = join(dir, "data_batch_b.bin")
            await writeFile(
              a,
              records(
                labelsA.map((l) => [l]),
                pattern(seed),
              ),
            )
            await writeFile(
              b,
              records(
                labelsB.map((l) => [l]),
                pattern(seed + 1),
              ),
            )
            const d = await run(Cifar.load10([a, b]))
            const n = labelsA.length + labelsB.length
            assert.deepEqual(d.shape, [n, 32, 32, 3])
            assert.deepEqual([...d.labels], [...labelsA, ...labelsB])
            for (let i = 0; i < n; i++) {
              const [local, s] = i < labelsA.length ? [i, seed] : [i - labelsA.length, seed + 1]
              for (const p of [0, 1, 33, 1023])
                for (let c = 0; c < 3; c++)
                  assert.equal(d.x[(i * plane + p) * 3 + c], Math.fround(pattern(s)(local, c, p) / 255))
            }
            assert.equal(d.classNames?.[0], "airplane")
          })
        },
      ),
      { numRuns: 10 },
    ))

  test("typed errors: missing batch, truncated record, label out of range", async () => {
    await withTempDir(async (dir) => {
      const good = records([[1], [2]], pattern(0))
      await writeFile(join(dir, "data_batch_1.bin"), good)
      const missing = await failure(Cifar.cifar10(dir, "train"))
      assert.deepEqual({ ...missing }, { _tag: "FileNotFound", file: `${dir}/data_batch_2.bin` })

      const short = join(dir, "short.bin")
      await writeFile(short, good.subarray(0, good.length - 1))
      const t = await failure(Cifar.load10([short]))
      assert.deepEqual({ ...t }, { _tag: "Truncated", file: short, expected: 2 * 3073, actual: 2 * 3073 - 1 })

      const empty = join(dir, "empty.bin")
      await writeFile(empty, new Uint8Array(0))
      assert.equal((await failure(Cifar.load10([empty])))._tag, "Truncated")

      const bad = join(dir, "bad.bin")
      await writeFile(bad, records([[3], [10]], pattern(0)))
      const range = await failure(Cifar.load10([bad]))
      assert.deepEqual(
        { ...range },
        { _tag: "LabelOutOfRange", file: bad, index: 1, label: 10, numClasses: 10 },
      )
    })
  })
})

describe("Cifar.load100", () => {
  test("fine and coarse labels from the two label bytes", async () => {
    await withTempDir(async (dir) => {
      await writeFile(
        join(dir, "test.bin"),
        records(
          [
            [19, 99],
            [0, 42],
          ],
          pattern(2),
        ),
      )
      const fine = await run(Cifar.cifar100(dir, "test"))
      assert.deepEqual([...fine.labels], [99, 42])
      assert.equal(fine.numClasses, 100)
      const coarse = await run(Cifar.cifar100(dir, "test", { labels: "coarse" }))
      assert.deepEqual([...coarse.labels], [19, 0])
      assert.equal(coarse.numClasses, 20)
      assert.equal(coarse.x[3 * 5 + 2], Math.fround(pattern(2)(0, 2, 5) / 255))
    })
  })

  test("a coarse label >= 20 is out of range; truncation counts 3074-byte records", async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, "train.bin")
      await writeFile(file, records([[20, 5]], pattern(0)))
      const e = await failure(Cifar.load100([file], { labels: "coarse" }))
      assert.deepEqual({ ...e }, { _tag: "LabelOutOfRange", file, index: 0, label: 20, numClasses: 20 })
      await writeFile(file, records([[1, 5]], pattern(0)).subarray(0, 3073))
      const t = await failure(Cifar.load100([file]))
      assert.deepEqual({ ...t }, { _tag: "Truncated", file, expected: 3074, actual: 3073 })
    })
  })
})
