import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import { Kernels } from "../src/index.ts"
import { assertClose, cpuAndOurs, noLeak, stockAndOurs, tf, uniform } from "./setup.ts"

// The convolutions the models use (3x3 same, stride 1 and 2; 1x1; valid) and odd sizes around them.
const conv = fc.record({
  n: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 9 }),
  w: fc.integer({ min: 1, max: 9 }),
  inC: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 9 })),
  outC: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 19 })),
  k: fc.constantFrom(1, 3, 2),
  stride: fc.constantFrom(1, 2, 3),
  pad: fc.constantFrom("same" as const, "valid" as const),
  seed: fc.integer({ min: 0, max: 10_000 }),
})

type Conv = typeof conv extends fc.Arbitrary<infer C> ? C : never

const fits = (c: Conv): boolean => c.pad === "same" || (c.h >= c.k && c.w >= c.k)

const outShape = (c: Conv): [number, number, number, number] => {
  const side = (s: number) =>
    c.pad === "same" ? Math.ceil(s / c.stride) : Math.ceil((s - c.k + 1) / c.stride)
  return [c.n, side(c.h), side(c.w), c.outC]
}

const filterGradient = (c: Conv): tf.Tensor =>
  tf
    .engine()
    .runKernel(
      "Conv2DBackpropFilter",
      { x: uniform([c.n, c.h, c.w, c.inC], c.seed), dy: uniform(outShape(c), c.seed + 1) },
      { strides: c.stride, pad: c.pad, dataFormat: "NHWC", filterShape: [c.k, c.k, c.inC, c.outC] },
    ) as tf.Tensor

describe("Conv2DBackpropFilter (wasm has none: the reference is the cpu backend)", () => {
  test("property: equals the cpu kernel (1x1, 2x2, 3x3; strides 1-3; same/valid; sizes 1 and odd)", async () => {
    await fc.assert(
      fc.asyncProperty(conv.filter(fits), async (c) => {
        const before = tf.memory().numTensors
        const { cpu, ours } = await cpuAndOurs(() => filterGradient(c))
        assert.equal(tf.memory().numTensors, before)
        assertClose(ours, cpu, JSON.stringify(c))
      }),
      { numRuns: 80 },
    )
  })

  test("a CNN-sized case (32 -> 64 channels, 3x3 same) equals the cpu kernel", async () => {
    const { cpu, ours } = await cpuAndOurs(
      () =>
        tf
          .engine()
          .runKernel(
            "Conv2DBackpropFilter",
            { x: uniform([2, 14, 14, 32], 1), dy: uniform([2, 14, 14, 64], 2) },
            { strides: 1, pad: "same", dataFormat: "NHWC", filterShape: [3, 3, 32, 64] },
          ) as tf.Tensor,
    )
    assertClose(ours, cpu, "[2, 14, 14, 32] -> 64")
  })

  test("with the kernels switched off, the composed baseline equals the cpu kernel too", async () => {
    const c: Conv = { n: 2, h: 7, w: 6, inC: 3, outC: 5, k: 3, stride: 2, pad: "same", seed: 9 }
    Kernels.unregister()
    try {
      const { cpu, ours } = await cpuAndOurs(() => filterGradient(c))
      assertClose(ours, cpu, "composed")
    } finally {
      Kernels.register()
    }
  })

  test("a layer's filter gradient through tf.grad equals the cpu backend's", async () => {
    const { cpu, ours } = await cpuAndOurs(() => {
      const x = uniform([2, 8, 8, 3], 3) as tf.Tensor4D
      const g = uniform([2, 4, 4, 5], 4)
      return tf.grad((f) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, 2, "same"), g)))(
        uniform([3, 3, 3, 5], 5),
      )
    })
    assertClose(ours, cpu, "grad")
  })
})

describe("Conv2DBackpropInput", () => {
  test("property: equals the stock wasm kernel (1x1, 2x2, 3x3; strides 1-3; same/valid; sizes 1 and odd)", () => {
    fc.assert(
      fc.property(conv.filter(fits), (c) => {
        const { stock, ours } = noLeak(() =>
          stockAndOurs(
            () =>
              tf.engine().runKernel(
                "Conv2DBackpropInput",
                {
                  dy: uniform(outShape(c), c.seed),
                  filter: uniform([c.k, c.k, c.inC, c.outC], c.seed + 1),
                },
                { strides: c.stride, pad: c.pad, dataFormat: "NHWC", inputShape: [c.n, c.h, c.w, c.inC] },
              ) as tf.Tensor,
          ),
        )
        assertClose(ours, stock, JSON.stringify(c))
      }),
      { numRuns: 80 },
    )
  })
})
