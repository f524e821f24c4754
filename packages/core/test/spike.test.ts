import assert from "node:assert/strict"
import { test } from "node:test"
import { Random } from "@vicinal/core"
import { Effect } from "effect"

test("same seed, same sequence; state round-trips", () => {
  const a = Random.make(7)
  const b = Random.make(7)
  const xs = [a.uniform(), a.normal(), a.int(10)]
  assert.deepEqual(xs, [b.uniform(), b.normal(), b.int(10)])
  const saved = a.state()
  const next = a.uniform()
  assert.equal(Random.fromState(saved).uniform(), next)
  const v = Effect.runSync(Effect.map(Random.rng, (r) => r.uniform()).pipe(Random.withSeed(7)))
  assert.equal(v, Random.make(7).uniform())
  console.log("first draws", xs)
})
