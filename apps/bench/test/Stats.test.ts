import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import * as Stats from "../src/Stats.ts"

const samples = fc.array(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 })
const close = (a: number, b: number, rel = 1e-9) =>
  Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b))

describe("Stats", () => {
  test("median is the middle of the sorted samples (mean of the two middles for even counts)", () => {
    fc.assert(
      fc.property(samples, (xs) => {
        const sorted = [...xs].sort((a, b) => a - b)
        const mid = Math.floor(sorted.length / 2)
        const expected = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
        assert.ok(close(Stats.median(xs), expected), `${Stats.median(xs)} vs ${expected}`)
      }),
    )
  })

  test("quantiles are order-invariant, monotone in q, and span min..max", () => {
    fc.assert(
      fc.property(
        samples,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, p, q) => {
          const reversed = [...xs].reverse()
          assert.equal(Stats.quantile(xs, p), Stats.quantile(reversed, p))
          const [lo, hi] = p <= q ? [p, q] : [q, p]
          assert.ok(Stats.quantile(xs, lo) <= Stats.quantile(xs, hi))
          assert.equal(Stats.quantile(xs, 0), Math.min(...xs))
          assert.equal(Stats.quantile(xs, 1), Math.max(...xs))
        },
      ),
    )
  })

  test("summaries scale with the samples; the relative spread does not", () => {
    fc.assert(
      fc.property(samples, fc.double({ min: 0.01, max: 100, noNaN: true }), (xs, c) => {
        const a = Stats.summarize(xs)
        const b = Stats.summarize(xs.map((x) => x * c))
        assert.ok(close(b.median, a.median * c, 1e-9))
        assert.ok(close(b.q3 - b.q1, (a.q3 - a.q1) * c, 1e-6) || a.q3 - a.q1 < 1e-9)
        assert.ok(Math.abs(b.relativeSpread - a.relativeSpread) < 1e-6)
        assert.equal(a.n, xs.length)
      }),
    )
  })

  test("the ratio of side-by-side samples is exact when one side is a multiple of the other, whatever the load", () => {
    fc.assert(
      fc.property(samples, fc.double({ min: 0.1, max: 10, noNaN: true }), (load, c) => {
        // Each pair shares a load level; side A costs c times side B within the pair.
        const b = load
        const a = load.map((x) => x * c)
        const r = Stats.ratio(a, b)
        assert.ok(close(r.median, c, 1e-9), `${r.median} vs ${c}`)
        assert.ok(r.relativeSpread < 1e-9)
      }),
    )
  })

  test("pairs beyond the shorter side are dropped; empty input gives NaN", () => {
    fc.assert(
      fc.property(samples, samples, (a, b) => {
        assert.equal(Stats.pairRatios(a, b).length, Math.min(a.length, b.length))
      }),
    )
    assert.ok(Number.isNaN(Stats.median([])))
    assert.ok(Number.isNaN(Stats.summarize([]).min))
  })

  test("perSecond converts a sample's milliseconds into items per second", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        (items, ms) => {
          assert.ok(close(Stats.perSecond(items, ms) * (ms / 1000), items, 1e-9))
        },
      ),
    )
  })
})
