import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import { noLeak, stockAndOurs, tf, uniform } from "./setup.ts"

/** Random indices into `rows` rows, repeats allowed, shaped `[length]` or `[a, length / a]`. */
const indicesOf = (rows: number, picks: ReadonlyArray<number>, twoDims: boolean): tf.Tensor => {
  const ids = Int32Array.from(picks, (p) => p % rows)
  return twoDims && ids.length % 2 === 0
    ? tf.tensor2d(ids, [2, ids.length / 2], "int32")
    : tf.tensor1d(ids, "int32")
}

describe("GatherV2", () => {
  test("property: along any axis, float32 and int32, equals the stock wasm kernel bit for bit (axis 0 runs here)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(1000), { minLength: 0, maxLength: 12 }),
        fc.nat(3),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 10_000 }),
        (shape, picks, axisPick, ints, twoDims, seed) => {
          const axis = axisPick % shape.length
          const { stock, ours } = noLeak(() =>
            stockAndOurs(() => {
              const x = ints ? tf.cast(tf.mul(uniform(shape, seed), 1000), "int32") : uniform(shape, seed)
              return tf.gather(x, indicesOf(shape[axis]!, picks, twoDims), axis)
            }),
          )
          assert.deepEqual(
            new Uint32Array(ours.buffer, ours.byteOffset, ours.length),
            new Uint32Array(stock.buffer, stock.byteOffset, stock.length),
            JSON.stringify({ shape, axis, picks, ints }),
          )
        },
      ),
      { numRuns: 150 },
    )
  })

  test("a batch's rows by a permutation: shape [n, ...rest], each row its partner's", () =>
    noLeak(() => {
      const x = tf.tensor3d(
        Float32Array.from({ length: 4 * 2 * 3 }, (_, i) => i),
        [4, 2, 3],
      )
      const partner = tf.tensor1d([3, 0, 0, 2], "int32")
      const out = tf.gather(x, partner)
      assert.deepEqual(out.shape, [4, 2, 3])
      const rows = out.arraySync() as number[][][]
      const source = x.arraySync() as number[][][]
      assert.deepEqual(rows, [source[3], source[0], source[0], source[2]])
      tf.dispose([x, partner, out])
    }))

  test("NaN payloads and infinities are copied as they are", () =>
    noLeak(() => {
      const words = Uint32Array.from([0x7fc00001, 0xff800000, 0x7f800000, 0x80000000])
      const x = tf.tensor2d(new Float32Array(words.buffer), [4, 1])
      const order = tf.tensor1d([2, 1, 0, 3], "int32")
      const out = tf.gather(x, order)
      const got = out.dataSync() as Float32Array
      assert.deepEqual(
        Array.from(new Uint32Array(got.buffer, got.byteOffset, 4)),
        [0x7f800000, 0xff800000, 0x7fc00001, 0x80000000],
      )
      tf.dispose([x, order, out])
    }))

  test("an index outside the rows is refused with the stock kernel's message", () =>
    noLeak(() => {
      const x = uniform([3, 2], 1)
      for (const bad of [3, -1])
        assert.throws(
          () => tf.tidy(() => tf.gather(x, tf.tensor1d([0, bad], "int32"))),
          new RegExp(`GatherV2: the index value ${bad} is not in \\[0, 2\\]`),
        )
      x.dispose()
    }))
})
