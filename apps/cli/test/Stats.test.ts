import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import * as Stats from "../src/Stats.ts"

const values = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 30 })

describe("Stats.summarise", () => {
  test("the mean lies between the smallest and largest value, the spread is >= 0", () => {
    fc.assert(
      fc.property(values, (xs) => {
        const s = Stats.summarise(xs)
        assert.ok(s.mean >= Math.min(...xs) - 1e-9 && s.mean <= Math.max(...xs) + 1e-9)
        assert.ok(s.std >= 0)
        assert.equal(s.n, xs.length)
      }),
    )
  })

  test("shifting every value shifts the mean and keeps the spread", () => {
    fc.assert(
      fc.property(values, fc.double({ min: -100, max: 100, noNaN: true }), (xs, c) => {
        const a = Stats.summarise(xs)
        const b = Stats.summarise(xs.map((x) => x + c))
        assert.ok(Math.abs(b.mean - (a.mean + c)) < 1e-6)
        assert.ok(Math.abs(b.std - a.std) < 1e-6)
      }),
    )
  })

  test("the sample standard deviation of [1, 2, 3, 4] is sqrt(5/3); non-finite values are left out", () => {
    const s = Stats.summarise([1, 2, Number.NaN, 3, 4])
    assert.equal(s.mean, 2.5)
    assert.ok(Math.abs(s.std - Math.sqrt(5 / 3)) < 1e-12)
    assert.equal(s.n, 4)
    assert.equal(Stats.percentSummary(Stats.summarise([0.1, 0.3])), "20.0 ± 14.1")
    assert.equal(Stats.percentSummary(Stats.summarise([0.123])), "12.3")
    assert.equal(Stats.percentSummary(Stats.summarise([])), "–")
  })
})
