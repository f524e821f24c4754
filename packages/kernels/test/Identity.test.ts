import assert from "node:assert/strict"
import { test } from "node:test"
import { noLeak, tf, uniform } from "./setup.ts"

test("a clone shares the data without a copy, and either side can be disposed first", () =>
  noLeak(() => {
    for (const disposeFirst of ["original", "clone"] as const) {
      const x = uniform([3, 4], 1)
      const values = x.dataSync().slice()
      const heap = (tf.backend() as unknown as { numDataIds: () => number }).numDataIds()
      const y = tf.clone(x)
      assert.equal((tf.backend() as unknown as { numDataIds: () => number }).numDataIds(), heap)
      ;(disposeFirst === "original" ? x : y).dispose()
      const kept = disposeFirst === "original" ? y : x
      assert.deepEqual(kept.dataSync(), values)
      kept.dispose()
    }
    const ints = tf.tensor1d([1, 2, 3], "int32")
    const copy = tf.clone(ints)
    assert.deepEqual(Array.from(copy.dataSync()), [1, 2, 3])
    tf.dispose([ints, copy])
  }))
