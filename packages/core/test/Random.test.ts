import assert from "node:assert/strict"
import { test } from "node:test"
import { Random } from "@vicinal/core"
import { Effect } from "effect"
import * as fc from "fast-check"

test("same seed, same sequence; state round-trips; the service uses the seed", () => {
  fc.assert(
    fc.property(fc.integer(), (seed) => {
      const a = Random.make(seed)
      const b = Random.make(seed)
      const xs = [a.uniform(), a.normal(), a.int(10)]
      assert.deepEqual(xs, [b.uniform(), b.normal(), b.int(10)])
      const saved = a.state()
      const next = a.uniform()
      assert.equal(Random.fromState(saved).uniform(), next)
    }),
    { numRuns: 50 },
  )
  const v = Effect.runSync(Effect.map(Random.rng, (r) => r.uniform()).pipe(Random.withSeed(7)))
  assert.equal(v, Random.make(7).uniform())
})

test("uniform draws lie in [0, 1) and int(n) in [0, n)", () => {
  const rng = Random.make(1)
  for (let i = 0; i < 2000; i++) {
    const u = rng.uniform()
    assert.ok(u >= 0 && u < 1)
    const k = rng.int(7)
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7)
  }
})

test("a non-integer seed is a tagged InvalidArgument naming the seed", () => {
  assert.throws(
    () => Random.make(1.5),
    (e: { _tag?: string; message?: string }) =>
      e._tag === "InvalidArgument" && /seed: must be a safe integer, got 1.5/.test(e.message ?? ""),
  )
})
