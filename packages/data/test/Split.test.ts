import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import { Dataset, Split } from "../src/index.ts"
import { failure, indexed, run } from "./helpers.ts"

// Sizes drawn uniformly (fc.double would mostly give tiny fractions, i.e. empty test sets).
const caseArb = fc
  .record({
    k: fc.integer({ min: 1, max: 8 }),
    raw: fc.array(fc.nat(), { minLength: 1, maxLength: 300, size: "medium" }),
  })
  .chain(({ k, raw }) =>
    fc.record({
      k: fc.constant(k),
      labels: fc.constant(Int32Array.from(raw, (r) => r % k)),
      testSize: fc.integer({ min: 0, max: raw.length }),
    }),
  )

describe("Split.stratifiedIndices", () => {
  test("is a partition with the exact test size, stratified within 1 of proportional", () =>
    fc.assert(
      fc.property(caseArb, fc.integer(), ({ k, labels, testSize }, seed) => {
        const n = labels.length
        const { train, test } = Split.stratifiedIndices(labels, k, testSize, seed)
        assert.equal(test.length, testSize)
        const all = [...train, ...test].sort((a, b) => a - b)
        assert.deepEqual(
          all,
          Array.from({ length: n }, (_, i) => i),
        )
        const counts = new Array<number>(k).fill(0)
        const testCounts = new Array<number>(k).fill(0)
        for (const l of labels) counts[l]! += 1
        for (const i of test) testCounts[labels[i]!]! += 1
        counts.forEach((c, label) => {
          const proportional = (c * testSize) / n
          assert.ok(
            Math.abs(testCounts[label]! - proportional) < 1,
            `class ${label}: ${testCounts[label]} vs ${proportional}`,
          )
        })
      }),
    ))

  test("same seed, same split; another seed, another split", () => {
    const labels = Int32Array.from({ length: 100 }, (_, i) => i % 3)
    const a = Split.stratifiedIndices(labels, 3, 30, 5)
    assert.deepEqual(a, Split.stratifiedIndices(labels, 3, 30, 5))
    assert.notDeepEqual([...a.test], [...Split.stratifiedIndices(labels, 3, 30, 6).test])
  })
})

describe("Split.stratified", () => {
  test("rows follow their examples and names mark the halves", async () => {
    const d = indexed(50, [2], 5)
    const { train, test } = await run(Split.stratified(d, { seed: 1, testFraction: 0.2 }))
    assert.equal(Dataset.size(test), 10)
    assert.equal(Dataset.size(train), 40)
    assert.equal(test.name, "indexed/test")
    for (const half of [train, test])
      for (let i = 0; i < Dataset.size(half); i++) {
        const example = Math.round(half.x[2 * i]!)
        assert.equal(half.labels[i], d.labels[example])
      }
  })

  test("rejects a test size larger than the dataset", async () => {
    const e = await failure(Split.stratified(indexed(5, [1], 2), { seed: 1, testSize: 6 }))
    assert.equal(e._tag, "InvalidArgument")
    assert.match(e.message, /testSize: .*got 6/)
  })
})
