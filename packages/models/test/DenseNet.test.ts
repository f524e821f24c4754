import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Models } from "../src/index.ts"
import { checkReferenceNet, input, maxAbsDiff, noLeak, stageShapes, tf, throwsTagged } from "./setup.ts"

describe("denseNetBC", () => {
  // ~100 MB of weights each: built once, counted, run on a batch of 2, disposed.
  test("DenseNet-BC-190 (k = 40) at 32x32x3: 25,624,430 parameters (10 classes), 25,821,620 (100); forward on a batch of 2", () =>
    assert.deepEqual(
      checkReferenceNet(
        (numClasses) =>
          Models.denseNetBC({ inputShape: [32, 32, 3], numClasses, depth: 190, growthRate: 40 }),
        Models.countTrainableParams,
        { classes10: 25_624_430, classes100: 25_821_620 },
      ),
      ["input", "stem", "dense1", "dense2", "dense3"],
    ))

  test("small DenseNet-BC-22 (k = 4): channel counts follow growth and compression; eager equals predict", () =>
    noLeak(() => {
      const net = Models.denseNetBC({ inputShape: [8, 8, 3], numClasses: 5, depth: 22, growthRate: 4 })
      const x = input([2, 8, 8, 3], 2)
      const shapes = stageShapes(net, x).slice(1)
      // stem 2k = 8; block of 3 layers: 8 + 12 = 20 -> 10 (pooled); 10 + 12 = 22 -> 11; 11 + 12 = 23
      assert.deepEqual(shapes, [
        [2, 8, 8, 8],
        [2, 4, 4, 10],
        [2, 2, 2, 11],
        [2, 2, 2, 23],
      ])
      const [eager, graph] = [net.forward(x), net.model.predict(x) as tf.Tensor]
      assert.ok(maxAbsDiff(eager, graph) <= 1e-5)
      tf.dispose([x, eager, graph])
      net.dispose()
    }))

  test("invalid options are typed errors", () => {
    throwsTagged(
      () => Models.denseNetBC({ inputShape: [32, 32, 3], numClasses: 10, depth: 100.5 }),
      "InvalidArgument",
      "depth",
    )
    throwsTagged(
      () => Models.denseNetBC({ inputShape: [32, 32, 3], numClasses: 10, reduction: 0 }),
      "InvalidArgument",
      "reduction",
      "0",
    )
  })
})
