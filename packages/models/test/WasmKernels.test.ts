import assert from "node:assert/strict"
import { describe, test } from "node:test"
import "@tensorflow/tfjs-backend-cpu"
import * as fc from "fast-check"
import { WasmKernels } from "../src/index.ts"
import { tf } from "./setup.ts"

WasmKernels.registerConv2dFilterGradient()

interface Case {
  readonly n: number
  readonly h: number
  readonly w: number
  readonly inC: number
  readonly outC: number
  readonly k: number
  readonly stride: number
  readonly pad: "same" | "valid"
  readonly seed: number
}

// d/dFilter of sum(conv2d(x, filter) * g): exactly Conv2DBackpropFilter(x, g).
const filterGradient = (c: Case): Float32Array =>
  tf.tidy(() => {
    const x = tf.randomUniform([c.n, c.h, c.w, c.inC], -1, 1, "float32", c.seed) as tf.Tensor4D
    const filter = tf.randomUniform([c.k, c.k, c.inC, c.outC], -1, 1, "float32", c.seed + 1) as tf.Tensor4D
    const out = tf.conv2d(x, filter, c.stride, c.pad)
    const g = tf.randomUniform(out.shape, -1, 1, "float32", c.seed + 2)
    const grad = tf.grad((f) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, c.stride, c.pad), g)))(filter)
    return grad.dataSync() as Float32Array
  })

const onBackend = async (name: string, c: Case): Promise<Float32Array> => {
  await tf.setBackend(name)
  try {
    return filterGradient(c)
  } finally {
    await tf.setBackend("wasm")
  }
}

describe("wasm Conv2DBackpropFilter", () => {
  test("property: equals the cpu backend's kernel (strides 1-3, same/valid padding)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 3, max: 8 }),
          w: fc.integer({ min: 3, max: 8 }),
          inC: fc.integer({ min: 1, max: 3 }),
          outC: fc.integer({ min: 1, max: 3 }),
          k: fc.integer({ min: 1, max: 3 }),
          stride: fc.integer({ min: 1, max: 3 }),
          pad: fc.constantFrom("same" as const, "valid" as const),
          seed: fc.integer({ min: 0, max: 10_000 }),
        }),
        async (c) => {
          const before = tf.memory().numTensors
          const reference = await onBackend("cpu", c)
          const ours = await onBackend("wasm", c)
          assert.equal(tf.memory().numTensors, before)
          assert.equal(ours.length, c.k * c.k * c.inC * c.outC)
          for (const [i, v] of ours.entries())
            assert.ok(Math.abs(v - reference[i]!) <= 1e-4, `${i}: ${v} vs ${reference[i]}`)
        },
      ),
      { numRuns: 25 },
    )
  })
})
