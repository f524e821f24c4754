import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import { Dataset } from "../src/index.ts"
import { failure, indexed, run, snapshot } from "./helpers.ts"

describe("Dataset.make", () => {
  test("accepts consistent parts and fills trueLabels from labels", async () => {
    const d = await run(
      Dataset.make({
        name: "t",
        x: new Float32Array(6),
        shape: [3, 2],
        labels: Int32Array.of(0, 1, 1),
        numClasses: 2,
      }),
    )
    assert.deepEqual([...d.trueLabels], [0, 1, 1])
    assert.notEqual(d.trueLabels, d.labels)
  })

  test("rejects a label outside [0, numClasses) naming the example", async () => {
    const e = await failure(
      Dataset.make({
        name: "t",
        x: new Float32Array(6),
        shape: [3, 2],
        labels: Int32Array.of(0, 2, 1),
        numClasses: 2,
      }),
    )
    assert.equal(e._tag, "LabelOutOfRange")
    assert.deepEqual({ ...e }, { _tag: "LabelOutOfRange", file: "t", index: 1, label: 2, numClasses: 2 })
  })

  test("rejects x whose length does not match the shape", async () => {
    const e = await failure(
      Dataset.make({
        name: "t",
        x: new Float32Array(5),
        shape: [3, 2],
        labels: Int32Array.of(0, 1, 1),
        numClasses: 2,
      }),
    )
    assert.equal(e._tag, "InvalidArgument")
    assert.match(e.message, /x\.length: .*got 5/)
  })
})

describe("Dataset.subset", () => {
  test("copies the chosen rows in order and never writes the source", () =>
    fc.assert(
      fc.asyncProperty(fc.array(fc.nat(19), { maxLength: 30 }), async (indices) => {
        const d = indexed(20, [3], 4)
        const before = snapshot(d)
        const s = await run(Dataset.subset(d, indices))
        assert.equal(Dataset.size(s), indices.length)
        indices.forEach((index, i) => {
          assert.deepEqual([...s.x.subarray(i * 3, i * 3 + 3)], [...d.x.subarray(index * 3, index * 3 + 3)])
          assert.equal(s.labels[i], d.labels[index])
        })
        s.x.fill(-1)
        s.labels.fill(0)
        assert.deepEqual(snapshot(d), before)
      }),
    ))

  test("data-last form and index errors", async () => {
    const d = indexed(5, [2], 2)
    const s = await run(Dataset.subset([4, 0])(d))
    assert.deepEqual([...s.labels], [0, 0])
    const e = await failure(Dataset.subset(d, [1, 5]))
    assert.equal(e._tag, "InvalidArgument")
    assert.match(e.message, /indices\[1\]: .*got 5/)
  })
})

describe("Dataset statistics", () => {
  test("describe counts classes and corrupted labels", () => {
    const d = indexed(10, [2], 3)
    const corrupted = { ...d, labels: Int32Array.from(d.labels, (l, i) => (i < 2 ? (l + 1) % 3 : l)) }
    const info = Dataset.describe(corrupted)
    assert.deepEqual(info.classCounts, [...Dataset.classCounts(corrupted)])
    assert.equal(
      info.classCounts.reduce((a, b) => a + b, 0),
      10,
    )
    assert.equal(info.corrupted, 2)
    assert.deepEqual(info.featureShape, [2])
  })

  test("standardise by a split's own stats gives mean 0 and std 1 per feature", () =>
    fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.double({ min: -100, max: 100, noNaN: true }),
            fc.double({ min: 0, max: 5, noNaN: true }),
          ),
          {
            minLength: 2,
            maxLength: 40,
          },
        ),
        async (rows) => {
          const x = Float32Array.from(rows.flat())
          const d = await run(
            Dataset.make({
              name: "r",
              x,
              shape: [rows.length, 2],
              labels: new Int32Array(rows.length),
              numClasses: 1,
            }),
          )
          const stats = Dataset.featureStats(d)
          const s = await run(Dataset.standardise(d, stats))
          const after = Dataset.featureStats(s)
          for (let j = 0; j < 2; j++) {
            assert.ok(Math.abs(after.mean[j]!) < 1e-3, `mean ${after.mean[j]}`)
            if (stats.std[j]! > 1e-3) assert.ok(Math.abs(after.std[j]! - 1) < 1e-3, `std ${after.std[j]}`)
          }
          assert.deepEqual([...d.x], [...x])
        },
      ),
    ))

  test("standardise rejects stats of the wrong width", async () => {
    const d = indexed(4, [3], 2)
    const e = await failure(Dataset.standardise(d, { mean: new Float64Array(2), std: new Float64Array(2) }))
    assert.equal(e._tag, "InvalidArgument")
  })

  test("oneHot rows sum to 1 at the label", () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (k, raw) => {
        const labels = raw.map((r) => r % k)
        const y = Dataset.oneHot(labels, k)
        labels.forEach((label, i) => {
          const row = [...y.subarray(i * k, (i + 1) * k)]
          assert.equal(
            row.reduce((a, b) => a + b, 0),
            1,
          )
          assert.equal(row[label], 1)
        })
      }),
    ))
})
