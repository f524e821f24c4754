import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import * as Harness from "../src/Harness.ts"

// These tests count calls and check order; they never assert on how long anything took.
describe("Harness", () => {
  test("samples two workloads interleaved, alternating which goes first, with equal counts", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 3 }),
        async (rounds, warmup) => {
          const calls: Array<string> = []
          const options = { warmup, minSamples: rounds, maxSamples: rounds, budgetMs: 1e9, minSampleMs: 0 }
          const c = await Harness.compare(
            () => calls.push("a"),
            () => calls.push("b"),
            options,
          )
          assert.equal(c.a.iterations, 1)
          assert.equal(c.a.samples.length, rounds)
          assert.equal(c.b.samples.length, rounds)
          assert.equal(c.ratio.n, rounds)
          assert.ok(c.a.complete && c.b.complete)
          const sampled = calls.slice(2 * Math.max(1, warmup)).join("")
          const expected = Array.from({ length: rounds }, (_, i) => (i % 2 === 0 ? "ab" : "ba")).join("")
          assert.equal(sampled, expected)
        },
      ),
      { numRuns: 20 },
    )
  })

  test("takes maxSamples while within budget; past twice the budget it stops and says it is incomplete", async () => {
    const full = await Harness.measure(() => undefined, {
      warmup: 1,
      minSamples: 3,
      maxSamples: 4,
      budgetMs: 1e9,
      minSampleMs: 0,
    })
    assert.equal(full.samples.length, 4)
    assert.ok(full.complete)
    assert.ok(full.samples.every((s) => Number.isFinite(s) && s >= 0))
    assert.equal(full.summary.n, full.samples.length)
    const cut = await Harness.measure(() => undefined, {
      warmup: 1,
      minSamples: 3,
      maxSamples: 4,
      budgetMs: 0,
      minSampleMs: 0,
    })
    assert.equal(cut.samples.length, 1)
    assert.equal(cut.complete, false)
  })

  test("repeats cheap work within a sample so that one sample lasts at least minSampleMs", async () => {
    let calls = 0
    const m = await Harness.measure(
      () => {
        calls += 1
      },
      { warmup: 1, minSamples: 2, maxSamples: 2, budgetMs: 1e9, minSampleMs: 5 },
    )
    assert.ok(m.iterations > 1, `${m.iterations}`)
    assert.equal(calls, 1 + 2 * m.iterations)
  })

  test("awaits async work before timing the next call", async () => {
    let running = 0
    let overlapped = false
    const work = async () => {
      running += 1
      if (running > 1) overlapped = true
      await new Promise((resolve) => setTimeout(resolve, 0))
      running -= 1
    }
    await Harness.measure(work, { warmup: 1, minSamples: 3, maxSamples: 3, minSampleMs: 0 })
    assert.equal(overlapped, false)
  })
})
