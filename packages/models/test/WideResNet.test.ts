import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Models } from "../src/index.ts"
import {
  checkReferenceNet,
  dropoutSurroundings,
  input,
  maxAbsDiff,
  noLeak,
  tf,
  throwsTagged,
} from "./setup.ts"

describe("wideResNet", () => {
  // ~146 MB of weights each: built once, counted, run on a batch of 2, disposed.
  test("WRN-28-10 at 32x32x3: 36,479,194 parameters (10 classes), 36,536,884 (100); forward on a batch of 2", () =>
    assert.deepEqual(
      checkReferenceNet(
        (numClasses) =>
          Models.wideResNet({ inputShape: [32, 32, 3], numClasses, depth: 28, widenFactor: 10 }),
        Models.countTrainableParams,
        { classes10: 36_479_194, classes100: 36_536_884 },
      ),
      ["input", "stem", "group1", "group2", "group3"],
    ))

  test("small WRN-10-2: dropout is one layer per block between the two convolutions, as in PreAct ResNet; active only in training", () =>
    noLeak(() => {
      const options = { inputShape: [8, 8, 3], numClasses: 4, depth: 10, widenFactor: 2 }
      const net = Models.wideResNet({ ...options, dropout: 0.3 })
      const around = dropoutSurroundings(net.model)
      assert.equal(around.length, 3)
      for (const chain of around)
        assert.deepEqual(chain, ["Conv2D", "BatchNormalization", "Activation", "Dropout", "Conv2D", "Add"])
      // headDropout is the separate one before the classifier; neither adds parameters
      const both = Models.wideResNet({ ...options, dropout: 0.3, headDropout: 0.5 })
      assert.deepEqual(
        both.model.layers.slice(-3).map((l) => l.getClassName()),
        ["GlobalAveragePooling2D", "Dropout", "Dense"],
      )
      const plain = Models.wideResNet(options)
      assert.equal(plain.model.layers.filter((l) => l.getClassName() === "Dropout").length, 0)
      assert.equal(Models.countTrainableParams(both), Models.countTrainableParams(plain))
      both.dispose()
      plain.dispose()
      const x = input([2, 8, 8, 3], 4)
      const [eager, graph, train, again] = [
        net.forward(x),
        net.model.predict(x) as tf.Tensor,
        net.forward(x, { training: true, seed: 1 }),
        net.forward(x, { training: true, seed: 1 }),
      ]
      assert.ok(maxAbsDiff(eager, graph) <= 1e-5)
      assert.ok(maxAbsDiff(eager, train) > 0)
      assert.equal(maxAbsDiff(train, again), 0)
      tf.dispose([x, eager, graph, train, again])
      net.dispose()
    }))

  test("depth must be 6n + 4", () => {
    throwsTagged(
      () => Models.wideResNet({ inputShape: [32, 32, 3], numClasses: 10, depth: 27 }),
      "InvalidArgument",
      "depth",
      "27",
    )
  })
})
