import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import { assertClose, cpuAndOurs, noLeak, stockAndOurs, tf, uniform } from "./setup.ts"

const dim = fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 40 }))

const product = fc.record({
  m: dim,
  n: dim,
  k: dim,
  batchA: fc.integer({ min: 1, max: 3 }),
  batchB: fc.integer({ min: 1, max: 3 }),
  rank3: fc.boolean(),
  transposeA: fc.boolean(),
  transposeB: fc.boolean(),
  seed: fc.integer({ min: 0, max: 10_000 }),
})

type Product = typeof product extends fc.Arbitrary<infer P> ? P : never

// Batch sizes that broadcast: equal, or one side a single matrix.
const operands = (p: Product): [tf.Tensor, tf.Tensor] => {
  const batchA = p.rank3 ? p.batchA : 1
  const batchB = p.rank3 ? (p.batchA === p.batchB ? p.batchB : 1) : 1
  const a = p.transposeA ? [p.k, p.m] : [p.m, p.k]
  const b = p.transposeB ? [p.n, p.k] : [p.k, p.n]
  return [
    uniform(p.rank3 ? [batchA, ...a] : a, p.seed),
    uniform(p.rank3 && batchB > 1 ? [batchB, ...b] : b, p.seed + 1),
  ]
}

describe("BatchMatMul", () => {
  test("property: equals the stock wasm kernel for every transpose, batch and size (1, odd, edges of the tiles)", () => {
    fc.assert(
      fc.property(product, (p) => {
        const { stock, ours } = noLeak(() =>
          stockAndOurs(() => {
            const [a, b] = operands(p)
            return tf.matMul(a, b, p.transposeA, p.transposeB)
          }),
        )
        assertClose(ours, stock, JSON.stringify(p))
      }),
      { numRuns: 120 },
    )
  })

  test("a large transposed product (K over one 256 block) equals the stock kernel", () => {
    const { stock, ours } = noLeak(() =>
      stockAndOurs(() => tf.matMul(uniform([300, 129], 1), uniform([300, 67], 2), true, false)),
    )
    assertClose(ours, stock, "[129 x 300] . [300 x 67]")
  })
})

// The stock wasm _FusedMatMul is wrong with a transposed operand (e.g. [1, 2, 1] . [2, 1]^T
// gives a wrong third value), so the reference is the cpu backend.
describe("_FusedMatMul", () => {
  test("property: with bias and linear/relu activation, equals the cpu backend for every transpose", async () => {
    await fc.assert(
      fc.asyncProperty(
        product,
        fc.constantFrom("linear" as const, "relu" as const),
        async (p, activation) => {
          const before = tf.memory().numTensors
          const { cpu, ours } = await cpuAndOurs(() => {
            const [a, b] = operands({ ...p, rank3: true, batchB: p.batchA })
            const bias = uniform([p.n], p.seed + 2)
            return tf.fused.matMul({
              a,
              b,
              transposeA: p.transposeA,
              transposeB: p.transposeB,
              bias,
              activation,
            })
          })
          assert.equal(tf.memory().numTensors, before)
          assertClose(ours, cpu, JSON.stringify({ ...p, activation }))
        },
      ),
      { numRuns: 60 },
    )
  })
})
