import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import * as Verdicts from "../src/Verdicts.ts"

const seeds = (values: ReadonlyArray<number>): Verdicts.PerSeed =>
  values.map((value, seed) => ({ seed, value }))

const lower: Verdicts.ClaimSpec = {
  claim: "mixup lowers clean test error",
  paper: "5.6 -> 4.2",
  direction: "lower",
}

describe("Verdicts.judge", () => {
  test("a claim holds when mixup wins on every seed, and the line says so with means, spreads and seeds", () => {
    const v = Verdicts.judge(lower, seeds([0.062, 0.065, 0.059]), seeds([0.055, 0.057, 0.053]))
    assert.equal(v.holds, "yes")
    assert.equal(v.ours, "mixup 5.5 ± 0.2 vs ERM 6.2 ± 0.3 (3 of 3 seeds)")
    assert.equal(
      Verdicts.line(v),
      "holds: mixup lowers clean test error: mixup 5.5 ± 0.2 vs ERM 6.2 ± 0.3 (3 of 3 seeds)",
    )
  })

  test("a claim that fails on some seeds holds partly and says why; on no seed it does not hold", () => {
    const partly = Verdicts.judge(lower, seeds([0.06, 0.06, 0.06]), seeds([0.05, 0.07, 0.05]))
    assert.equal(partly.holds, "partly")
    assert.match(
      Verdicts.line(partly),
      /^holds partly: .*\(2 of 3 seeds\) \(mixup is lower on 2 of 3 seeds only\)$/,
    )
    const not = Verdicts.judge(lower, seeds([0.05, 0.05]), seeds([0.06, 0.07]))
    assert.equal(not.holds, "no")
    assert.match(Verdicts.line(not), /^does NOT hold: /)
  })

  test("a minimum gap and bounds on the means are part of the claim", () => {
    const far = { ...lower, minGap: 5 }
    assert.equal(Verdicts.judge(far, seeds([0.3, 0.31]), seeds([0.2, 0.21])).holds, "yes")
    const near = Verdicts.judge(far, seeds([0.3, 0.31]), seeds([0.28, 0.29]))
    assert.equal(near.holds, "partly")
    assert.match(near.shortfalls.join(), /the gap, 2\.0 points, is not over 5/)
    const memorises: Verdicts.ClaimSpec = {
      claim: "ERM memorises, mixup does not",
      paper: "0.64 vs 85.71",
      direction: "higher",
      bounds: { ermBelow: 0.1, mixupAbove: 0.5 },
    }
    assert.equal(Verdicts.judge(memorises, seeds([0.02, 0.03]), seeds([0.8, 0.85])).holds, "yes")
    const weak = Verdicts.judge(memorises, seeds([0.2, 0.3]), seeds([0.8, 0.85]))
    assert.equal(weak.holds, "partly")
    assert.deepEqual(weak.shortfalls, ["ERM's mean is not below 10.0"])
  })

  test("seeds pair by seed number; unmatched or unmeasured seeds are left out", () => {
    const v = Verdicts.judge(
      lower,
      [
        { seed: 4, value: 0.1 },
        { seed: 2, value: 0.1 },
        { seed: 9, value: Number.NaN },
      ],
      [
        { seed: 2, value: 0.05 },
        { seed: 4, value: 0.2 },
        { seed: 7, value: 0.01 },
      ],
    )
    assert.equal(v.seeds, 2)
    assert.equal(v.agree, 1)
  })

  test("swapping ERM and mixup turns a 'lower' claim into the matching 'higher' one", () => {
    const rate = fc.double({ min: 0, max: 1, noNaN: true })
    fc.assert(
      fc.property(fc.array(fc.tuple(rate, rate), { minLength: 1, maxLength: 6 }), (pairs) => {
        const erm = seeds(pairs.map(([e]) => e))
        const mixup = seeds(pairs.map(([, m]) => m))
        const a = Verdicts.judge(lower, erm, mixup)
        const b = Verdicts.judge({ ...lower, direction: "higher" }, mixup, erm)
        assert.equal(a.holds, b.holds)
        assert.equal(a.agree, b.agree)
        assert.ok(a.agree <= a.seeds)
      }),
    )
  })
})

test("Verdicts.table lists claim, paper, ours and whether it holds", () => {
  const v = Verdicts.judge(lower, seeds([0.06]), seeds([0.05]))
  const text = Verdicts.table([v])
  assert.match(text, /^\| Claim +\| Paper +\| Ours +\| Holds\? \|/)
  assert.match(
    text,
    /\| mixup lowers clean test error \| 5\.6 -> 4\.2 \| mixup 5\.0 vs ERM 6\.0 \(1 of 1 seed\) \| yes +\|/,
  )
})
