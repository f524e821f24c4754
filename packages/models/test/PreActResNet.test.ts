import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Models } from "../src/index.ts"
import { allFinite, dropoutSurroundings, input, noLeak, stageShapes, tf, throwsTagged } from "./setup.ts"

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

  test("dropout layers add no parameters: 11,171,146 with dropout and headDropout", () =>
    noLeak(() => {
      const net = Models.preActResNet18({
        inputShape: [32, 32, 3],
        numClasses: 10,
        dropout: 0.3,
        headDropout: 0.3,
      })
      assert.equal(Models.countTrainableParams(net), 11_171_146)
      net.dispose()
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

  test("dropout: one seeded dropout layer in every block, after the ReLU between the two convolutions (the paper's section 3.4); off by default", () =>
    noLeak(() => {
      const dropouts = (options: { dropout?: number; headDropout?: number; blocks?: number[] }) => {
        const net = Models.preActResNet18({ inputShape: [8, 8, 3], numClasses: 10, width: 2, ...options })
        const layers = net.model.layers.filter((l) => l.getClassName() === "Dropout")
        const found = {
          rates: layers.map((l) => l.getConfig().rate),
          around: dropoutSurroundings(net.model),
          last3: net.model.layers.slice(-3).map((l) => l.getClassName()),
        }
        net.dispose()
        return found
      }
      assert.deepEqual(dropouts({}).rates, [])
      assert.deepEqual(dropouts({ dropout: 0 }).rates, [])
      const inBlocks = dropouts({ dropout: 0.3, blocks: [2, 1, 3] })
      assert.deepEqual(inBlocks.rates, Array(6).fill(0.3))
      // conv1 -> BN -> ReLU -> dropout -> conv2 -> residual sum, in each of the 2 + 1 + 3 blocks
      for (const chain of inBlocks.around)
        assert.deepEqual(chain, ["Conv2D", "BatchNormalization", "Activation", "Dropout", "Conv2D", "Add"])
      // nothing before the classifier unless asked for
      assert.deepEqual(inBlocks.last3, ["Add", "GlobalAveragePooling2D", "Dense"])
    }))

  test("headDropout (off by default) is a separate dropout after global pooling, before the classifier", () =>
    noLeak(() => {
      const net = Models.preActResNet18({
        inputShape: [8, 8, 3],
        numClasses: 10,
        width: 2,
        blocks: [1, 1],
        dropout: 0.2,
        headDropout: 0.5,
      })
      const classes = net.model.layers.map((l) => l.getClassName())
      assert.deepEqual(classes.slice(-3), ["GlobalAveragePooling2D", "Dropout", "Dense"])
      assert.equal(net.model.layers.at(-2)?.getConfig().rate, 0.5)
      assert.equal(classes.filter((c) => c === "Dropout").length, 2 + 1)
      assert.equal(net.config?.kind === "preActResNet" && net.config.headDropout, 0.5)
      net.dispose()
    }))

  test("training through block dropout is reproducible from the seeds: same seeds, same logits and weights; other seeds differ", () =>
    noLeak(() => {
      const build = () =>
        Models.preActResNet18({
          inputShape: [8, 8, 3],
          numClasses: 3,
          width: 2,
          blocks: [1, 1],
          dropout: 0.5,
          seed: 3,
        })
      const x = input([4, 8, 8, 3], 5)
      const targets = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 1], "int32"), 3))
      // a few SGD steps with the given per-step dropout seeds; returns the weights and the last training logits
      const train = (seeds: ReadonlyArray<number>) => {
        const net = build()
        const optimizer = tf.train.sgd(0.1)
        for (const seed of seeds)
          optimizer.minimize(
            () => tf.losses.softmaxCrossEntropy(targets, net.forward(x, { training: true, seed })),
            false,
            [...net.trainableVariables()],
          )
        const logits = net.forward(x, { training: true, seed: seeds.at(-1)! })
        const result = { bytes: Models.weightsToBytes(net), logits: Array.from(logits.dataSync()) }
        logits.dispose()
        optimizer.dispose()
        net.dispose()
        return result
      }
      const once = train([11, 12, 13])
      assert.deepEqual(train([11, 12, 13]), once)
      const other = train([11, 12, 14])
      assert.notDeepEqual(other.bytes, once.bytes)
      assert.notDeepEqual(other.logits, once.logits)
      tf.dispose([x, targets])
    }))

  test("invalid options are typed errors", () => {
    throwsTagged(
      () => Models.preActResNet18({ inputShape: [32, 32, 3], numClasses: 10, blocks: [2, 0] }),
      "InvalidArgument",
      "blocks[1]",
    )
    throwsTagged(
      () => Models.preActResNet18({ inputShape: [32, 32, 3], numClasses: 10, dropout: -0.1 }),
      "InvalidArgument",
      "dropout",
      "-0.1",
    )
    throwsTagged(
      () => Models.preActResNet18({ inputShape: [32, 32, 3], numClasses: 10, headDropout: 1 }),
      "InvalidArgument",
      "headDropout",
      "1",
    )
  })
})
