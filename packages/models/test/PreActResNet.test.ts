import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Models } from "../src/index.ts"
import { allFinite, input, noLeak, stageShapes, tf, throwsTagged } from "./setup.ts"

describe("preActResNet18", () => {
  test("reference parameter counts at 32x32x3: 11,171,146 (10 classes), 11,217,316 (100); forward on a batch of 2", () =>
    noLeak(() => {
      const net = Models.preActResNet18({ inputShape: [32, 32, 3], numClasses: 10 })
      assert.equal(Models.countTrainableParams(net), 11_171_146)
      // tfjs also counts the batch-norm moving mean and variance (2 per channel of 17 BN layers)
      assert.equal(
        net.model.countParams() - Models.countTrainableParams(net),
        2 * (64 * 5 + 128 * 4 + 256 * 4 + 512 * 3),
      )
      assert.deepEqual(net.stageNames, ["input", "stem", "layer1", "layer2", "layer3", "layer4"])
      const x = input([2, 32, 32, 3], 1)
      const logits = net.forward(x, { training: true })
      assert.deepEqual(logits.shape, [2, 10])
      assert.ok(allFinite(logits))
      tf.dispose([x, logits])
      net.dispose()
      const net100 = Models.preActResNet18({ inputShape: [32, 32, 3], numClasses: 100 })
      assert.equal(Models.countTrainableParams(net100), 11_217_316)
      net100.dispose()
    }))

  test("a final BN-ReLU (off by default, as in the reference) adds 2 x 512 parameters", () =>
    noLeak(() => {
      const net = Models.preActResNet18({ inputShape: [32, 32, 3], numClasses: 10, finalBatchNorm: true })
      assert.equal(Models.countTrainableParams(net), 11_171_146 + 1024)
      net.dispose()
    }))

  test("stage shapes for 32x32 input: stem and layer1 at 32x32x64, then halved and doubled", () =>
    noLeak(() => {
      const net = Models.preActResNet18({ inputShape: [32, 32, 3], numClasses: 10, width: 2 })
      const x = input([1, 32, 32, 3], 3)
      assert.deepEqual(stageShapes(net, x), [
        [1, 32, 32, 3],
        [1, 32, 32, 2],
        [1, 32, 32, 2],
        [1, 16, 16, 4],
        [1, 8, 8, 8],
        [1, 4, 4, 16],
      ])
      x.dispose()
      net.dispose()
    }))

  test("dropout sits right before the classifier layer", () =>
    noLeak(() => {
      const net = Models.preActResNet18({ inputShape: [8, 8, 3], numClasses: 10, width: 2, dropout: 0.5 })
      const classes = net.model.layers.map((l) => l.getClassName())
      assert.deepEqual(classes.slice(-3), ["GlobalAveragePooling2D", "Dropout", "Dense"])
      assert.equal(classes.filter((c) => c === "Dropout").length, 1)
      net.dispose()
    }))

  test("invalid options are typed errors", () => {
    throwsTagged(
      () => Models.preActResNet18({ inputShape: [32, 32, 3], numClasses: 10, blocks: [2, 0] }),
      "ModelConfigError",
      "blocks[1]",
    )
    throwsTagged(
      () => Models.preActResNet18({ inputShape: [32, 32, 3], numClasses: 10, dropout: -0.1 }),
      "ModelConfigError",
      "dropout",
      "-0.1",
    )
  })
})
