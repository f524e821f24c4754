import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import { Corruption, Dataset } from "../src/index.ts"
import { failure, indexed, run, snapshot } from "./helpers.ts"

/**
 * The central range holding all but 1e-9 of Binomial(n, q) in each tail, computed exactly
 * (log pmf by recurrence, summed from both ends). The seeds are random, so the test must hold
 * for nearly every seed: a normal approximation with k sigmas is too narrow when q is near 0
 * or 1 (the skewed tail failed for q = 0.995, n = 2000 at 4.1 sigma).
 */
const binomialRange = (n: number, q: number, tail = 1e-9): readonly [number, number] => {
  if (q <= 0) return [0, 0]
  if (q >= 1) return [n, n]
  const logPmf = new Float64Array(n + 1)
  logPmf[0] = n * Math.log1p(-q)
  for (let k = 0; k < n; k++) logPmf[k + 1] = logPmf[k]! + Math.log((n - k) / (k + 1)) + Math.log(q / (1 - q))
  const pmf = (k: number) => Math.exp(logPmf[k]!)
  // P(X < low) <= tail and P(X > high) <= tail, with the range as narrow as that allows.
  let low = 0
  for (let mass = 0; mass + pmf(low) <= tail; low++) mass += pmf(low)
  let high = n
  for (let mass = 0; mass + pmf(high) <= tail; high--) mass += pmf(high)
  return [low, high]
}

/** The number of changed labels is a plausible Binomial(n, q) draw. */
const withinBinomial = (changed: number, n: number, q: number) => {
  const [low, high] = binomialRange(n, q)
  assert.ok(changed >= low && changed <= high, `${changed} changed, expected ${n * q} in [${low}, ${high}]`)
}

// Uniform over [0, 1] in steps of 1/1000 (fc.double would mostly give tiny fractions).
const fraction = fc.integer({ min: 0, max: 1000 }).map((i) => i / 1000)

const changed = (d: Dataset.Dataset) => Corruption.mask(d).reduce((a, b) => a + b, 0)

describe("Corruption.corrupt", () => {
  test("changes about fraction*(K-1)/K of the labels (uniform class, may equal the true one)", () =>
    fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 10 }), fraction, fc.integer(), async (k, fraction, seed) => {
        const d = indexed(2000, [1], k)
        const before = snapshot(d)
        const c = await run(Corruption.corrupt(d, { fraction, seed }))
        withinBinomial(changed(c), 2000, (fraction * (k - 1)) / k)
        assert.deepEqual(c.trueLabels, d.trueLabels)
        assert.ok(c.labels.every((l) => l >= 0 && l < k))
        assert.deepEqual(snapshot(d), before)
      }),
      { numRuns: 40 },
    ))

  test("excludeTrue changes about `fraction` of the labels, always to another class", () =>
    fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 10 }), fraction, fc.integer(), async (k, fraction, seed) => {
        const d = indexed(2000, [1], k)
        const c = await run(Corruption.corrupt(d, { fraction, seed, excludeTrue: true }))
        withinBinomial(changed(c), 2000, fraction)
        assert.ok(c.labels.every((l) => l >= 0 && l < k))
      }),
      { numRuns: 40 },
    ))

  test("replacement classes are uniform", async () => {
    const k = 5
    const d = indexed(20000, [1], k)
    const c = await run(Corruption.corrupt({ fraction: 1, seed: 9 })(d))
    for (const count of Dataset.classCounts(c)) withinBinomial(count, 20000, 1 / k)
  })

  test("same seed, same corruption; corrupting twice keeps the original true labels", async () => {
    const d = indexed(500, [1], 4)
    const a = await run(Corruption.corrupt(d, { fraction: 0.5, seed: 1 }))
    const b = await run(Corruption.corrupt(d, { fraction: 0.5, seed: 1 }))
    assert.deepEqual(a.labels, b.labels)
    const twice = await run(Corruption.corrupt(a, { fraction: 0.5, seed: 2 }))
    assert.deepEqual(twice.trueLabels, d.trueLabels)
  })

  test("corruptTrain never touches the test half", () =>
    fc.assert(
      fc.asyncProperty(fraction, fc.integer(), async (fraction, seed) => {
        const train = indexed(300, [2], 3)
        const test = indexed(100, [2], 3)
        const before = snapshot(test)
        const split = await run(Corruption.corruptTrain({ train, test }, { fraction, seed }))
        assert.equal(split.test, test)
        assert.deepEqual(snapshot(split.test), before)
        assert.equal(changed(split.test), 0)
      }),
      { numRuns: 20 },
    ))

  test("bad options are typed errors", async () => {
    const e = await failure(Corruption.corrupt(indexed(5, [1], 2), { fraction: 1.5, seed: 1 }))
    assert.equal(e._tag, "InvalidArgument")
    assert.match(e.message, /fraction: .*got 1.5/)
    const one = await failure(
      Corruption.corrupt(indexed(5, [1], 1), { fraction: 0.5, seed: 1, excludeTrue: true }),
    )
    assert.match(one.message, /excludeTrue/)
  })
})
