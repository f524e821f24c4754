import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Effect, Exit } from "effect"
import * as fc from "fast-check"
import { Models, Weights } from "../src/index.ts"
import { input, maxAbsDiff, noLeak, tf } from "./setup.ts"

const values = (net: { model: { getWeights: () => tf.Tensor[] } }) =>
  net.model.getWeights().map((w) => Array.from(w.dataSync()))

describe("weights as bytes (checkpoints)", () => {
  test("property: bytes from one seed restore into a network of another seed: same weights, same predictions", () =>
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1001, max: 2000 }), (seedA, seedB) =>
        noLeak(() => {
          const options = { inputShape: [6, 6, 2], numClasses: 3, width: 2, blocks: [1, 1] }
          const a = Models.preActResNet18({ ...options, seed: seedA })
          const b = Models.preActResNet18({ ...options, seed: seedB })
          const x = input([2, 6, 6, 2], seedA)
          tf.dispose(a.forward(x, { training: true })) // moving statistics differ from b's
          assert.notDeepEqual(values(a), values(b))
          Effect.runSync(Models.weightsFromBytes(b, Models.weightsToBytes(a)))
          assert.deepEqual(values(b), values(a))
          const [ya, yb] = [a.forward(x), b.forward(x)]
          assert.equal(maxAbsDiff(ya, yb), 0)
          tf.dispose([x, ya, yb])
          a.dispose()
          b.dispose()
        }),
      ),
      { numRuns: 6 },
    ))

  test("the order is stable: every weight, trainable and not, by layer-scoped name, identical across builds", () =>
    noLeak(() => {
      const build = () => Models.smallCnn({ inputShape: [8, 8, 1], numClasses: 2, filters: [2, 2], dense: 3 })
      const [a, b] = [build(), build()]
      assert.deepEqual(Weights.entries(a), Weights.entries(b))
      assert.deepEqual(
        Weights.entries(a).map((e) => e.name),
        [
          "conv_1/kernel",
          "conv_1/bias",
          "conv_2/kernel",
          "conv_2/bias",
          "dense_1/kernel",
          "dense_1/bias",
          "dense_2/kernel",
          "dense_2/bias",
        ],
      )
      assert.deepEqual(Models.weightsToBytes(a), Models.weightsToBytes(b), "same seed, same bytes")
      a.dispose()
      b.dispose()
    }))

  test("bytes that do not fit are a WeightsMismatchError and change nothing", () =>
    noLeak(() => {
      const small = Models.mlp({ inputShape: [3], numClasses: 2, hidden: [4] })
      const other = Models.mlp({ inputShape: [3], numClasses: 2, hidden: [5] })
      const before = values(small)
      const bytes = Models.weightsToBytes(other)
      const bad = [bytes, bytes.slice(0, bytes.length - 4), new Uint8Array([1, 2, 3]), new Uint8Array(0)]
      for (const b of bad) {
        const exit = Effect.runSyncExit(Models.weightsFromBytes(small, b))
        assert.ok(Exit.isFailure(exit))
        assert.match(String(exit.cause), /WeightsMismatchError/)
      }
      assert.deepEqual(values(small), before)
      small.dispose()
      other.dispose()
    }))
})
