import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Effect } from "effect"
import * as fc from "fast-check"
import { Dataset, Synthetic } from "../src/index.ts"
import { failure, run } from "./helpers.ts"

const points = (d: Dataset.Dataset) =>
  Array.from({ length: Dataset.size(d) }, (_, i) => ({
    x: d.x[2 * i]!,
    y: d.x[2 * i + 1]!,
    label: d.labels[i]!,
  }))

const close = (a: number, b: number, tolerance = 1e-5) =>
  assert.ok(Math.abs(a - b) < tolerance, `${a} vs ${b}`)

describe("Synthetic 2-D datasets", () => {
  test("every generator: shape [n, 2], balanced classes, same seed same data", () =>
    fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.integer(), async (n, seed) => {
        const sets = await run(
          Effect.all([
            Synthetic.twoMoons({ n, seed }),
            Synthetic.circles({ n, seed }),
            Synthetic.spirals({ n, seed, arms: 3 }),
            Synthetic.gaussianRing({ n, seed }),
            Synthetic.gaussianGrid({ n, seed }),
          ]),
        )
        for (const d of sets) {
          assert.deepEqual(d.shape, [n, 2])
          const counts = [...Dataset.classCounts(d)]
          assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${d.name}: ${counts}`)
          assert.ok(d.x.every(Number.isFinite))
        }
        assert.deepEqual(
          sets.map((d) => d.numClasses),
          [2, 2, 3, 8, 25],
        )
        const again = await run(Synthetic.twoMoons({ n, seed }))
        assert.deepEqual(again.x, sets[0]!.x)
      }),
      { numRuns: 30 },
    ))

  test("without noise the points lie on their curves", async () => {
    const seed = 11
    for (const p of points(await run(Synthetic.twoMoons({ n: 200, seed, noise: 0 }))))
      close(p.label === 0 ? Math.hypot(p.x, p.y) : Math.hypot(p.x - 1, p.y - 0.5), 1)
    for (const p of points(await run(Synthetic.circles({ n: 200, seed, noise: 0, factor: 0.3 }))))
      close(Math.hypot(p.x, p.y), p.label === 0 ? 1 : 0.3)
    for (const p of points(
      await run(Synthetic.gaussianRing({ n: 80, seed, noise: 0, modes: 8, radius: 2 })),
    )) {
      close(p.x, 2 * Math.cos((2 * Math.PI * p.label) / 8))
      close(p.y, 2 * Math.sin((2 * Math.PI * p.label) / 8))
    }
    const grid = points(await run(Synthetic.gaussianGrid({ n: 250, seed, noise: 0 })))
    for (const p of grid) {
      close(p.x, ((p.label % 5) - 2) * 2)
      close(p.y, (Math.floor(p.label / 5) - 2) * 2)
    }
    for (const p of points(await run(Synthetic.spirals({ n: 100, seed, noise: 0, arms: 2, turns: 1 })))) {
      const r = Math.hypot(p.x, p.y)
      if (r < 1e-3) continue
      // Angle of arm k at radius r is 2*pi*(r + k/2) modulo 2*pi.
      const expected = 2 * Math.PI * (r + p.label / 2)
      close(Math.cos(expected) * r, p.x, 1e-4)
    }
  })

  test("noise spreads points by about the given standard deviation", async () => {
    const d = await run(Synthetic.gaussianRing({ n: 4000, seed: 2, noise: 0.1, modes: 1, radius: 0 }))
    const std = Math.sqrt(d.x.reduce((s, v) => s + v * v, 0) / d.x.length)
    close(std, 0.1, 0.01)
  })

  test("bad options are typed errors naming the argument", async () => {
    const e = await failure(Synthetic.spirals({ n: 10, seed: 1, arms: 0 }))
    assert.equal(e._tag, "InvalidArgument")
    assert.match(e.message, /arms: .*got 0/)
    assert.match((await failure(Synthetic.twoMoons({ n: 0, seed: 1 }))).message, /n: .*got 0/)
    assert.match((await failure(Synthetic.circles({ n: 5, seed: 1, noise: -1 }))).message, /noise: .*got -1/)
  })
})
