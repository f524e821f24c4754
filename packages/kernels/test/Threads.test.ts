import assert from "node:assert/strict"
import { after, describe, test } from "node:test"
import * as fc from "fast-check"
import { gemmFor, type WasmBackend } from "../src/Heap.ts"
import { Kernels } from "../src/index.ts"
import { MIN_SPLIT_MACS } from "../src/Threads.ts"
import { assertClose, noLeak, stockAndOurs, tf, uniform } from "./setup.ts"

after(() => Kernels.stopThreads())

const values = (run: () => tf.Tensor): Float32Array => {
  const out = tf.tidy(run)
  const v = out.dataSync() as Float32Array
  out.dispose()
  return v
}

/** The values of `run` on one thread, then on two. */
const oneAndTwo = async (run: () => tf.Tensor) => {
  await Kernels.setThreads(1)
  const one = values(run)
  await Kernels.setThreads(2)
  try {
    return { one, two: values(run) }
  } finally {
    await Kernels.setThreads(1)
  }
}

// Products large enough to be split (at least MIN_SPLIT_MACS multiply-adds, 8 rows).
const product = fc
  .record({
    m: fc.integer({ min: 8, max: 160 }),
    n: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 90 })),
    extraK: fc.integer({ min: 0, max: 40 }),
    transposeA: fc.boolean(),
    transposeB: fc.boolean(),
    seed: fc.integer({ min: 0, max: 10_000 }),
  })
  .map((p) => ({ ...p, k: Math.ceil(MIN_SPLIT_MACS / (p.m * p.n)) + p.extraK }))

describe("the GEMM on two threads", () => {
  test("property: the same bits as on one thread, for every transpose and size (1, odd, edges of the tiles)", async () => {
    await fc.assert(
      fc.asyncProperty(product, async (p) => {
        const run = () =>
          tf.matMul(
            uniform(p.transposeA ? [p.k, p.m] : [p.m, p.k], p.seed),
            uniform(p.transposeB ? [p.n, p.k] : [p.k, p.n], p.seed + 1),
            p.transposeA,
            p.transposeB,
          )
        const before = tf.memory().numTensors
        const { one, two } = await oneAndTwo(run)
        assert.equal(tf.memory().numTensors, before)
        assert.deepEqual(two, one, JSON.stringify(p))
      }),
      { numRuns: 25 },
    )
  })

  test("a batched product with a broadcast B, split, equals the stock kernel", async () => {
    await Kernels.setThreads(2)
    try {
      const { stock, ours } = noLeak(() =>
        stockAndOurs(() => tf.matMul(uniform([3, 200, 300], 1), uniform([300, 70], 2), false, false)),
      )
      assertClose(ours, stock, "[3, 200, 300] . [300, 70]")
    } finally {
      await Kernels.setThreads(1)
    }
  })

  test("only 1 or 2 threads are accepted, with the reason", async () => {
    await assert.rejects(Kernels.setThreads(3), /n is 3, expected 1 or 2/)
    assert.equal(Kernels.threads(), 1)
  })

  test("the wasm heap does not grow over repeated split products", async () => {
    const backend = tf.backend() as unknown as WasmBackend
    await Kernels.setThreads(2)
    try {
      const run = () => tf.matMul(uniform([128, 256], 1), uniform([128, 256], 2), true, false)
      values(run)
      const bytes = backend.wasm.HEAPF32.byteLength
      for (let i = 0; i < 20; i++) values(run)
      assert.equal(backend.wasm.HEAPF32.byteLength, bytes)
    } finally {
      await Kernels.setThreads(1)
    }
  })
})

describe("a batched product whose B is shared", () => {
  const packs = (run: () => tf.Tensor): number => {
    const gemm = gemmFor(tf.backend() as unknown as WasmBackend) as {
      packB: (...args: Array<number>) => void
    }
    const original = gemm.packB
    let count = 0
    gemm.packB = (...args) => {
      count += 1
      original(...args)
    }
    try {
      values(run)
      return count
    } finally {
      gemm.packB = original
    }
  }

  test("packs B once for the whole batch (a B per matrix, once per matrix)", () => {
    assert.equal(
      packs(() => tf.matMul(uniform([4, 9, 30], 1), uniform([30, 11], 2))),
      1,
    )
    assert.equal(
      packs(() => tf.matMul(uniform([4, 9, 30], 1), uniform([4, 30, 11], 2))),
      4,
    )
  })
})
