import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import { Reduce } from "../src/index.ts"
import { assertClose, noLeak, stockAndOurs, tf, uniform } from "./setup.ts"

describe("Sum", () => {
  test("property: over any axes, equals the stock wasm kernel (leading axes run here, others stock)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 10_000 }),
        (shape, axes, keepDims, seed) => {
          const axis = [...new Set(axes.filter((a) => a < shape.length))]
          const { stock, ours } = noLeak(() =>
            stockAndOurs(() => tf.sum(uniform(shape, seed), axis, keepDims)),
          )
          assertClose(ours, stock, JSON.stringify({ shape, axis, keepDims }))
        },
      ),
      { numRuns: 150 },
    )
  })

  test("bias gradients keep their shape: [n, h, w, c] over [0, 1, 2] is [c], with keepDims [1, 1, 1, c]", () => {
    const x = uniform([3, 4, 5, 6], 1)
    const [plain, kept] = [tf.sum(x, [0, 1, 2]), tf.sum(x, [0, 1, 2], true)]
    assert.deepEqual(plain.shape, [6])
    assert.deepEqual(kept.shape, [1, 1, 1, 6])
    tf.dispose([x, plain, kept])
  })
})

describe("UnsortedSegmentSum (wasm has none)", () => {
  test("sums rows into their segments in index order and drops ids out of range", () => {
    const out = new Float32Array(6)
    Reduce.unsortedSegmentSum(
      Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
      [4, 2],
      Int32Array.from([2, 0, 2, 5]),
      1,
      3,
      out,
    )
    assert.deepEqual(Array.from(out), [3, 4, 0, 0, 6, 8])
  })

  test("the gradient of gather on wasm equals the cpu backend's", async () => {
    const run = () =>
      tf.grad((h) =>
        tf.sum(tf.mul(tf.gather(h, tf.tensor1d([2, 0, 2, 1], "int32")), tf.reshape(tf.range(1, 13), [4, 3]))),
      )(tf.ones([3, 3]))
    const ours = tf.tidy(() => run().dataSync() as Float32Array)
    await tf.setBackend("cpu")
    const cpu = tf.tidy(() => run().dataSync() as Float32Array)
    await tf.setBackend("wasm")
    assertClose(ours, cpu, "gather gradient")
  })
})
