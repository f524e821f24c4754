import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import { Models } from "../src/index.ts"
import { allFinite, input, lossBeforeAfter, maxAbsDiff, noLeak, tf, throwsTagged } from "./setup.ts"

describe("mlp", () => {
  test("logits shape, one stage per hidden layer, no leak after build + predict + dispose", () =>
    noLeak(() => {
      const net = Models.mlp({ inputShape: [2, 3], numClasses: 4, hidden: [8, 6] })
      assert.deepEqual(net.stageNames, ["input", "hidden1", "hidden2"])
      const x = input([5, 2, 3], 1)
      const y = net.forward(x)
      assert.deepEqual(y.shape, [5, 4])
      assert.ok(allFinite(y))
      // dense 6*8+8, 8*6+6, 6*4+4
      assert.equal(Models.countTrainableParams(net), 56 + 54 + 28)
      tf.dispose([x, y])
      net.dispose()
    }))

  test("property: the eager stage-by-stage forward equals model.predict", () =>
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 1000 }),
        (hidden, features, numClasses, seed) =>
          noLeak(() => {
            const net = Models.mlp({ inputShape: [features], numClasses, hidden, seed })
            const x = input([3, features], seed)
            const eager = net.forward(x)
            const graph = net.model.predict(x) as tf.Tensor
            const diff = maxAbsDiff(eager, graph)
            tf.dispose([x, eager, graph])
            net.dispose()
            return diff <= 1e-6
          }),
      ),
      { numRuns: 20 },
    ))

  test("dropout is off by default; when on it acts in training only", () =>
    noLeak(() => {
      const plain = Models.mlp({ inputShape: [6], numClasses: 3, hidden: [32] })
      assert.equal(
        plain.model.layers.some((l) => l.getClassName() === "Dropout"),
        false,
      )
      const dropped = Models.mlp({ inputShape: [6], numClasses: 3, hidden: [32], dropout: 0.5 })
      assert.equal(dropped.model.layers.filter((l) => l.getClassName() === "Dropout").length, 1)
      const x = input([4, 6], 3)
      const [inferA, inferB, trainA, trainB] = [
        dropped.forward(x),
        dropped.forward(x),
        dropped.forward(x, { training: true, seed: 1 }),
        dropped.forward(x, { training: true, seed: 2 }),
      ]
      assert.equal(maxAbsDiff(inferA!, inferB!), 0)
      assert.ok(maxAbsDiff(trainA!, inferA!) > 0, "training forward applies dropout")
      assert.ok(maxAbsDiff(trainA!, trainB!) > 0, "another seed, other masks")
      tf.dispose([x, inferA!, inferB!, trainA!, trainB!])
      plain.dispose()
      dropped.dispose()
    }))

  test("gradients flow through forward: a few SGD steps lower the loss on a fixed batch", () =>
    noLeak(() => {
      const net = Models.mlp({ inputShape: [4], numClasses: 3, hidden: [16, 16], seed: 3 })
      const x = input([12, 4], 7)
      const { before, after } = lossBeforeAfter(net, x, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], 3, 20, 0.2)
      assert.ok(after < before * 0.9, `loss ${before} -> ${after}`)
      x.dispose()
      net.dispose()
    }))

  test("invalid options are typed errors naming the option and value", () => {
    throwsTagged(
      () => Models.mlp({ inputShape: [4], numClasses: 3, hidden: [0] }),
      "InvalidArgument",
      "hidden[0]",
      "0",
    )
    throwsTagged(
      () => Models.mlp({ inputShape: [4], numClasses: 3, hidden: [4], dropout: 1 }),
      "InvalidArgument",
      "dropout",
      "1",
    )
    throwsTagged(
      () => Models.mlp({ inputShape: [], numClasses: 3, hidden: [] }),
      "InvalidArgument",
      "inputShape",
    )
    throwsTagged(
      () => Models.mlp({ inputShape: [4], numClasses: 2.5, hidden: [] }),
      "InvalidArgument",
      "numClasses",
      "2.5",
    )
  })
})
