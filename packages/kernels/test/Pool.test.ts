import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import { Pool } from "../src/index.ts"
import { assertClose, cpuAndOurs, tf, uniform } from "./setup.ts"

const pool = fc.record({
  n: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 9 }),
  w: fc.integer({ min: 1, max: 9 }),
  c: fc.integer({ min: 1, max: 9 }),
  size: fc.constantFrom(1, 2, 3),
  // Strides below the window: overlapping windows.
  strideDelta: fc.constantFrom(0, 0, 1, -1),
  pad: fc.constantFrom("same" as const, "valid" as const),
  // Few distinct values, so windows hold ties (ReLU outputs are often 0): the first maximum wins.
  levels: fc.constantFrom(3, 1000),
  seed: fc.integer({ min: 0, max: 10_000 }),
})

// The stock wasm MaxPoolGrad drops the gradient of windows whose maximum is negative, so the
// reference is the cpu backend.
describe("MaxPoolGrad", () => {
  test("property: equals the cpu kernel, ties and negative maxima included (windows 1-3, strides around them, same/valid)", async () => {
    await fc.assert(
      fc.asyncProperty(
        pool.filter(
          (p) => p.size + p.strideDelta >= 1 && (p.pad === "same" || (p.h >= p.size && p.w >= p.size)),
        ),
        async (p) => {
          const stride = p.size + p.strideDelta
          const before = tf.memory().numTensors
          const { cpu, ours } = await cpuAndOurs(() => {
            const x = tf.round(tf.mul(uniform([p.n, p.h, p.w, p.c], p.seed), p.levels)) as tf.Tensor4D
            const y = tf.maxPool(x, p.size, stride, p.pad)
            return tf
              .engine()
              .runKernel(
                "MaxPoolGrad",
                { dy: uniform(y.shape, p.seed + 1), input: x, output: y },
                { filterSize: p.size, strides: stride, pad: p.pad },
              ) as tf.Tensor
          })
          assert.equal(tf.memory().numTensors, before)
          assertClose(ours, cpu, JSON.stringify(p))
        },
      ),
      { numRuns: 120 },
    )
  })
})

test("the JavaScript loop (used where the module cannot run) equals the kernel", () => {
  const x = tf.round(tf.mul(uniform([2, 5, 7, 6], 3), 3)) as tf.Tensor4D
  const y = tf.maxPool(x, 2, 2, "same")
  const dy = uniform(y.shape, 4)
  const kernel = tf
    .engine()
    .runKernel(
      "MaxPoolGrad",
      { dy, input: x, output: y },
      { filterSize: 2, strides: 2, pad: "same" },
    ) as tf.Tensor
  const info = tf.backend_util.computePool2DInfo([2, 5, 7, 6], 2, 2, 1, "same")
  const dx = new Float32Array(2 * 5 * 7 * 6)
  Pool.maxPoolGradInto(x.dataSync() as Float32Array, dy.dataSync() as Float32Array, dx, info)
  assertClose(dx, kernel.dataSync() as Float32Array, "JavaScript loop")
  tf.dispose([x, y, dy, kernel])
})
