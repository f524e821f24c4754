import assert from "node:assert/strict"
import { test } from "node:test"
import { Box, Random } from "@vicinal/core"
import * as fc from "fast-check"

test("box height scales with H and width with W; clipped to the image; kept fraction exact", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 40 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer(),
      (height, width, lambda, seed) => {
        const rng = Random.make(seed)
        const r = Math.sqrt(1 - lambda)
        const fullH = 2 * (Math.floor(height * r) >> 1)
        const fullW = 2 * (Math.floor(width * r) >> 1)
        let widest = 0
        let tallest = 0
        for (let k = 0; k < 2000; k++) {
          const b = Box.sample(lambda, height, width, rng)
          assert.ok(0 <= b.y0 && b.y0 <= b.y1 && b.y1 <= height && 0 <= b.x0 && b.x0 <= b.x1 && b.x1 <= width)
          tallest = Math.max(tallest, b.y1 - b.y0)
          widest = Math.max(widest, b.x1 - b.x0)
          const area = (b.y1 - b.y0) * (b.x1 - b.x0)
          assert.equal(Box.keptFraction(b, height, width), 1 - area / (height * width))
        }
        assert.ok(tallest <= fullH && widest <= fullW)
        // A centre far enough from the edges leaves the box unclipped, so the full sides show up.
        if (height >= 3 && width >= 3) {
          assert.equal(tallest, fullH, `height: ${tallest} vs ${fullH}`)
          assert.equal(widest, fullW, `width: ${widest} vs ${fullW}`)
        }
      },
    ),
    { numRuns: 100 },
  )
})

test("a lambda outside [0, 1] or an empty image is a tagged InvalidArgument naming the argument", () => {
  const rng = Random.make(1)
  for (const [call, argument] of [
    [() => Box.sample(1.5, 4, 4, rng), "lambda"],
    [() => Box.sample(Number.NaN, 4, 4, rng), "lambda"],
    [() => Box.sample(0.5, 0, 4, rng), "height"],
    [() => Box.sample(0.5, 4, 2.5, rng), "width"],
    [() => Box.sampleResized(0, 4, 4, rng), "scale"],
  ] as const)
    assert.throws(
      call,
      (e: { _tag?: string; argument?: string }) => e._tag === "InvalidArgument" && e.argument === argument,
    )
})
