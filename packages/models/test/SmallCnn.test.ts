import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Models } from "../src/index.ts"
import { allFinite, input, lossBeforeAfter, maxAbsDiff, noLeak, tf, throwsTagged } from "./setup.ts"

describe("smallCnn", () => {
  test("28x28x1: stages after each conv block and the dense layer, logits, eager equals predict, no leak", () =>
    noLeak(() => {
      const net = Models.smallCnn({ inputShape: [28, 28, 1], numClasses: 10 })
      assert.deepEqual(net.stageNames, ["input", "conv1", "conv2", "dense"])
      // conv 3*3*1*32+32, conv 3*3*32*64+64, dense 14*14*64*128+128, dense 128*10+10
      assert.equal(Models.countTrainableParams(net), 320 + 18496 + 1605760 + 1290)
      const x = input([2, 28, 28, 1], 2)
      const eager = net.forward(x)
      const graph = net.model.predict(x) as tf.Tensor
      assert.deepEqual(eager.shape, [2, 10])
      assert.ok(allFinite(eager))
      assert.ok(maxAbsDiff(eager, graph) <= 1e-5)
      tf.dispose([x, eager, graph])
      net.dispose()
    }))

  test("gradients flow through forward: a few SGD steps lower the loss on a fixed batch", () =>
    noLeak(() => {
      const net = Models.smallCnn({
        inputShape: [28, 28, 1],
        numClasses: 3,
        filters: [8, 8],
        dense: 32,
        seed: 5,
      })
      const x = input([6, 28, 28, 1], 9)
      const { before, after } = lossBeforeAfter(net, x, [0, 1, 2, 2, 1, 0], 3, 8, 0.05)
      assert.ok(after < before * 0.9, `loss ${before} -> ${after}`)
      x.dispose()
      net.dispose()
    }))

  test("dropout before the classifier: configurable, off by default", () =>
    noLeak(() => {
      const dropoutLayers = (rate?: number) => {
        const net = Models.smallCnn({
          inputShape: [8, 8, 1],
          numClasses: 2,
          ...(rate === undefined ? {} : { dropout: rate }),
        })
        const found = net.model.layers
          .filter((l) => l.getClassName() === "Dropout")
          .map((l) => l.getConfig().rate)
        const last = net.model.layers.at(-2)?.getClassName()
        net.dispose()
        return { found, last }
      }
      assert.deepEqual(dropoutLayers().found, [])
      assert.deepEqual(dropoutLayers(0.7), { found: [0.7], last: "Dropout" })
    }))

  test("invalid options are typed errors", () => {
    throwsTagged(
      () => Models.smallCnn({ inputShape: [28, 28], numClasses: 10 }),
      "InvalidArgument",
      "inputShape",
    )
    throwsTagged(
      () => Models.smallCnn({ inputShape: [28, 28, 1], numClasses: 10, filters: [32, -1] }),
      "InvalidArgument",
      "filters[1]",
      "-1",
    )
  })
})
