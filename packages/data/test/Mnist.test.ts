import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Dataset, Mnist, Split } from "../src/index.ts"
import { failure, run, sameArray } from "./helpers.ts"

// Loading parses ~22 MB of JSON: do it once for the file.
const all = run(Mnist.load())

/** A per-image fingerprint, to compare sets of images across splits. */
const fingerprints = (d: Dataset.Dataset): Array<string> => {
  const size = 28 * 28
  return Array.from({ length: Dataset.size(d) }, (_, i) => {
    let h = 0
    for (let j = 0; j < size; j++) h = (h * 31 + Math.round(d.x[i * size + j]! * 1000)) % 2147483647
    return `${d.trueLabels[i]}:${h}`
  }).sort()
}

describe("Mnist (bundled digits)", () => {
  test("10,000 real digits, 28x28x1 in [0, 1], about 1,000 per class", async () => {
    const d = await all
    assert.deepEqual(d.shape, [10000, 28, 28, 1])
    const info = Dataset.describe(d)
    assert.equal(info.min, 0)
    assert.equal(info.max, 1)
    for (const count of info.classCounts) assert.ok(count > 800 && count < 1200, `class count ${count}`)
    // Real digits, not noise: most pixels are background and a digit covers a blob of ink.
    const first = d.x.subarray(0, 784)
    const ink = first.filter((v) => v > 0.5).length
    assert.ok(ink > 30 && ink < 400, `ink ${ink}`)
  })

  test("split: 8,000 / 2,000, stratified, a partition of the digits, deterministic by seed", async () => {
    const d = await all
    const { train, test } = await run(Mnist.split({ seed: 3 }))
    assert.equal(Dataset.size(train), 8000)
    assert.equal(Dataset.size(test), 2000)
    const counts = Dataset.classCounts(d)
    const testCounts = Dataset.classCounts(test)
    counts.forEach((c, k) => {
      assert.ok(Math.abs(testCounts[k]! - c / 5) < 1, `class ${k}`)
    })
    assert.deepEqual(fingerprints(d), [...fingerprints(train), ...fingerprints(test)].sort())
    const again = await run(Mnist.split({ seed: 3 }))
    assert.ok(sameArray(again.test.labels, test.labels))
    assert.ok(sameArray(again.test.x, test.x))
    assert.ok(sameArray(again.train.x, train.x))
    const other = await run(Mnist.split({ seed: 4 }))
    assert.ok(!sameArray(other.test.labels, test.labels))
    const viaSplit = await run(Split.stratified(d, { seed: 3, testSize: 2000 }))
    assert.ok(sameArray(viaSplit.test.x, test.x))
  })

  test("each load hands out its own arrays", async () => {
    const a = await run(Mnist.load())
    a.x.fill(0.5)
    a.labels.fill(0)
    const b = await run(Mnist.load())
    assert.equal(Dataset.describe(b).max, 1)
    assert.equal(Dataset.classCounts(b)[9]! > 0, true)
  })

  test("rejects a non-integer seed", async () => {
    const e = await failure(Mnist.split({ seed: 0.5 }))
    assert.equal(e._tag, "InvalidArgument")
  })
})
