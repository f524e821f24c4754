import assert from "node:assert/strict"
import { test } from "node:test"
import { Host, Random, Strategy } from "@vicinal/core"
import * as fc from "fast-check"
import { mixer } from "./arbitraries.ts"
import { oneHot } from "./helpers.ts"

test("Uint8Array inputs: outputs stay bytes between the two sources, the caller's data untouched", () => {
  fc.assert(
    fc.property(
      mixer,
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer(),
      (strategy, n, side, seed) => {
        const shape = [n, side, side, 3]
        const size = n * side * side * 3
        const rng = Random.make(seed)
        const x = Uint8Array.from({ length: size }, () => rng.int(256))
        const original = x.slice()
        const labels = Int32Array.from({ length: n }, (_, i) => i % 3)
        const y = oneHot([...labels], 3)
        const plan = Strategy.plan(strategy, { n, shape, labels, features: x }, { epoch: 0, step: 0 }, rng)
        const out = Host.execute(plan, { x, shape, y })
        assert.ok(out.x instanceof Uint8Array)
        assert.deepEqual(x, original)
        const d = size / n
        for (let i = 0; i < n; i++) {
          const j = out.partner[i]!
          for (let t = 0; t < d; t++) {
            const v = out.x[i * d + t]!
            const lo = Math.min(x[i * d + t]!, x[j * d + t]!)
            const hi = Math.max(x[i * d + t]!, x[j * d + t]!)
            assert.ok(v >= lo && v <= hi, `x[${i}][${t}] = ${v} not in [${lo}, ${hi}]`)
          }
          let sum = 0
          for (let k = 0; k < 3; k++) sum += out.y[i * 3 + k]!
          assert.ok(Math.abs(sum - 1) < 1e-5)
        }
      },
    ),
    { numRuns: 100 },
  )
})

test("mismatched host sizes are a tagged ShapeMismatch", () => {
  const plan = Strategy.plan(
    Strategy.mixup({ alpha: 1 }),
    { n: 2, shape: [2, 3] },
    { epoch: 0, step: 0 },
    Random.make(1),
  )
  assert.throws(
    () => Host.execute(plan, { x: new Float32Array(5), shape: [2, 3], y: oneHot([0, 1], 2) }),
    (e: { _tag?: string; message?: string }) =>
      e._tag === "ShapeMismatch" && /x must have batch size 2/.test(e.message ?? ""),
  )
})
