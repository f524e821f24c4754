import assert from "node:assert/strict"
import { test } from "node:test"
import "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import * as fc from "fast-check"
import { Backend } from "../src/index.ts"

test("wasm gets UnsortedSegmentSum (the gradient of gather), equal to the cpu kernel", async () => {
  await Effect.runPromise(Backend.select("wasm"))
  const cases = fc.sample(
    fc.record({
      n: fc.integer({ min: 1, max: 8 }),
      inner: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
      segments: fc.integer({ min: 1, max: 8 }),
      seed: fc.integer(),
    }),
    { numRuns: 25, seed: 42 },
  )
  const results: Array<{ x: number[]; ids: number[]; shape: number[]; segments: number; wasm: number[] }> = []
  for (const { n, inner, segments, seed } of cases) {
    const shape = [n, ...inner]
    const size = shape.reduce((a, b) => a * b, 1)
    const x = Array.from({ length: size }, (_, i) => Math.sin(seed + i) * 3)
    const ids = Array.from(
      { length: n },
      (_, i) => Math.abs(Math.floor(Math.cos(seed * (i + 1)) * 100)) % segments,
    )
    const before = tf.memory().numTensors
    const wasm = tf.tidy(() =>
      Array.from(tf.unsortedSegmentSum(tf.tensor(x, shape), tf.tensor1d(ids, "int32"), segments).dataSync()),
    )
    assert.equal(tf.memory().numTensors, before)
    results.push({ x, ids, shape, segments, wasm })
  }
  // Gradient of gather through the new kernel, as manifold mixup uses it.
  const grad = tf.tidy(() =>
    Array.from(
      tf
        .grad((h: tf.Tensor) => tf.sum(tf.gather(h, [2, 0, 0])))(tf.ones([3, 2]))
        .dataSync(),
    ),
  )
  assert.deepEqual(grad, [2, 2, 0, 0, 1, 1])
  await tf.setBackend("cpu")
  for (const { x, ids, shape, segments, wasm } of results) {
    const cpu = tf.tidy(() =>
      Array.from(tf.unsortedSegmentSum(tf.tensor(x, shape), tf.tensor1d(ids, "int32"), segments).dataSync()),
    )
    // Same sums; the cpu kernel may add in another order, so allow float32 rounding.
    assert.equal(wasm.length, cpu.length)
    for (const [i, v] of wasm.entries())
      assert.ok(Math.abs(v - cpu[i]!) <= 1e-5 * (1 + Math.abs(cpu[i]!)), `${v} vs ${cpu[i]}`)
  }
  await Effect.runPromise(Backend.select("wasm"))
})
