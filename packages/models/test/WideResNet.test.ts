import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Models } from "../src/index.ts"
import { checkReferenceNet, input, maxAbsDiff, noLeak, tf, throwsTagged } from "./setup.ts"

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

  test("small WRN-10-2: eager forward equals predict; block dropout only in training", () =>
    noLeak(() => {
      const net = Models.wideResNet({
        inputShape: [8, 8, 3],
        numClasses: 4,
        depth: 10,
        widenFactor: 2,
        blockDropout: 0.3,
      })
      assert.equal(net.model.layers.filter((l) => l.getClassName() === "Dropout").length, 3)
      const x = input([2, 8, 8, 3], 4)
      const [eager, graph, train] = [
        net.forward(x),
        net.model.predict(x) as tf.Tensor,
        net.forward(x, { training: true, seed: 1 }),
      ]
      assert.ok(maxAbsDiff(eager, graph) <= 1e-5)
      assert.ok(maxAbsDiff(eager, train) > 0)
      tf.dispose([x, eager, graph, train])
      net.dispose()
    }))

  test("depth must be 6n + 4", () => {
    throwsTagged(
      () => Models.wideResNet({ inputShape: [32, 32, 3], numClasses: 10, depth: 27 }),
      "ModelConfigError",
      "depth",
      "27",
    )
  })
})
