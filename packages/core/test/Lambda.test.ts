import assert from "node:assert/strict"
import { describe, test } from "node:test"
import cdf from "@stdlib/stats-base-dists-beta-cdf"
import { Lambda, Random } from "@vicinal/core"
import * as fc from "fast-check"

const N = 5000
// Kolmogorov–Smirnov critical value at the 1% level.
const KS_CRITICAL = 1.63 / Math.sqrt(N)

const ksStatistic = (draws: Float64Array, a: number, b: number): number => {
  const sorted = Float64Array.from(draws).sort()
  let d = 0
  for (let i = 0; i < sorted.length; i++) {
    const f = cdf(sorted[i]!, a, b)
    d = Math.max(d, (i + 1) / sorted.length - f, f - i / sorted.length)
  }
  return d
}

describe("Beta sampler", () => {
  for (const alpha of [0.1, 0.2, 0.4, 1, 2, 8, 32]) {
    test(`Beta(${alpha}, ${alpha}) passes KS and matches mean and variance (bulk and single draws)`, () => {
      const bulk = Lambda.sampleInto(Lambda.symmetricBeta(alpha), Random.make(1234), new Float64Array(N))
      const rng = Random.make(4321)
      const single = Float64Array.from({ length: N }, () => Lambda.sample(Lambda.symmetricBeta(alpha), rng))
      for (const draws of [bulk, single]) checkBeta(draws, alpha)
    })
  }

  const checkBeta = (draws: Float64Array, alpha: number): void => {
    {
      const d = ksStatistic(draws, alpha, alpha)
      assert.ok(d < KS_CRITICAL, `KS statistic ${d} >= ${KS_CRITICAL}`)
      const mean = draws.reduce((s, v) => s + v, 0) / N
      const variance = draws.reduce((s, v) => s + (v - mean) ** 2, 0) / (N - 1)
      const trueVariance = 1 / (4 * (2 * alpha + 1))
      // Standard error of the mean is sqrt(var / N); allow 4 of them.
      assert.ok(Math.abs(mean - 0.5) < 4 * Math.sqrt(trueVariance / N), `mean ${mean}`)
      assert.ok(
        Math.abs(variance - trueVariance) / trueVariance < 0.1,
        `variance ${variance} vs ${trueVariance}`,
      )
      for (const v of draws) assert.ok(v >= 0 && v <= 1 && !Number.isNaN(v))
    }
  }

  test("asymmetric Beta(a, b) passes KS", () => {
    for (const [a, b] of [
      [0.3, 2],
      [5, 0.7],
      [0.3, 0.8],
    ] as const) {
      const draws = Lambda.sampleInto(Lambda.beta(a, b), Random.make(99), new Float64Array(N))
      assert.ok(ksStatistic(draws, a, b) < KS_CRITICAL, `Beta(${a}, ${b})`)
      const rng = Random.make(98)
      const single = Float64Array.from({ length: N }, () => Lambda.sample(Lambda.beta(a, b), rng))
      assert.ok(ksStatistic(single, a, b) < KS_CRITICAL, `Beta(${a}, ${b}), single draws`)
    }
  })

  test("a tiny alpha (-> ERM) gives lambdas at the ends, never NaN", () => {
    const draws = Lambda.sampleInto(Lambda.symmetricBeta(1e-4), Random.make(5), new Float64Array(1000))
    for (const v of draws) assert.ok(v <= 1e-3 || v >= 1 - 1e-3, `${v}`)
    const rng = Random.make(6)
    for (let i = 0; i < 1000; i++) {
      const v = Lambda.sample(Lambda.symmetricBeta(1e-4), rng)
      assert.ok(v <= 1e-3 || v >= 1 - 1e-3, `${v}`)
    }
  })
})

describe("other samplers", () => {
  test("uniform(m) stays in [0, m]; constant is constant; folded is >= 0.5", () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0.01, max: 1, noNaN: true }), (seed, m) => {
        const rng = Random.make(seed)
        for (let i = 0; i < 20; i++) {
          const u = Lambda.sample(Lambda.uniform(m), rng)
          assert.ok(u >= 0 && u <= m)
          assert.ok(Lambda.sample(Lambda.folded(Lambda.symmetricBeta(0.3)), rng) >= 0.5)
        }
        assert.equal(Lambda.sample(Lambda.constant(m), rng), m)
      }),
      { numRuns: 50 },
    )
  })

  test("alpha schedules switch mixing off from the given epoch", () => {
    const s = Lambda.alphaSchedule([
      [0, 1],
      [10, 0.4],
      [180, 0],
    ])
    assert.equal(Lambda.isOff(s, 0), false)
    assert.equal(Lambda.isOff(s, 179), false)
    assert.equal(Lambda.isOff(s, 180), true)
    assert.equal(Lambda.sample(s, Random.make(1), 200), 1)
    assert.deepEqual(Lambda.until(Lambda.symmetricBeta(1), 5), Lambda.until(5)(Lambda.symmetricBeta(1)))
    assert.equal(Lambda.isOff(Lambda.until(Lambda.symmetricBeta(1), 5), 5), true)
    assert.equal(Lambda.isOff(Lambda.until(Lambda.symmetricBeta(1), 5), 4), false)
  })

  test("same seed, same lambdas", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = Lambda.sampleInto(Lambda.symmetricBeta(0.2), Random.make(seed), new Float64Array(16))
        const b = Lambda.sampleInto(Lambda.symmetricBeta(0.2), Random.make(seed), new Float64Array(16))
        assert.deepEqual(a, b)
      }),
      { numRuns: 30 },
    )
  })
})

describe("validation", () => {
  test("alpha <= 0, NaN or Infinity is an InvalidArgument naming alpha and the value", () => {
    for (const alpha of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const e = Lambda.validate(Lambda.symmetricBeta(alpha))
      assert.equal(e?._tag, "InvalidArgument")
      assert.match(e?.message ?? "", /alpha: must be > 0 and finite, got (0|-1|NaN|Infinity)/)
      assert.throws(
        () => Lambda.sampleInto(Lambda.symmetricBeta(alpha), Random.make(1), new Float64Array(1)),
        (t: { _tag?: string }) => t._tag === "InvalidArgument",
      )
      assert.throws(
        () => Lambda.sample(Lambda.symmetricBeta(alpha), Random.make(1)),
        (t: { _tag?: string; message?: string }) =>
          t._tag === "InvalidArgument" && /lambda\.alpha: must be > 0/.test(t.message ?? ""),
      )
    }
    assert.equal(Lambda.validate(Lambda.constant(1.5))?._tag, "InvalidArgument")
    assert.equal(Lambda.validate(Lambda.uniform(0))?._tag, "InvalidArgument")
    assert.equal(Lambda.validate(Lambda.folded(Lambda.beta(1, -2)))?.argument, "lambda.sampler.b")
  })
})
