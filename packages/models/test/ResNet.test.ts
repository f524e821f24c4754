import assert from "node:assert/strict"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, test } from "node:test"
import { Effect } from "effect"
import * as fc from "fast-check"
import { GroupedConv, Models } from "../src/index.ts"
import { allFinite, input, maxAbsDiff, noLeak, noLeakAsync, tf, throwsTagged } from "./setup.ts"

const root = await mkdtemp(join(tmpdir(), "vicinal-resnet-"))
after(() => rm(root, { recursive: true, force: true }))

/** The grouped kernel [k, k, in / g, out] written out as a dense, block-diagonal [k, k, in, out] one. */
const blockDiagonal = (kernel: tf.Tensor4D, groups: number): tf.Tensor4D =>
  tf.tidy(() => {
    // (split into one piece has no gradient in tfjs 4.22: its backward concat gets no tensors)
    if (groups === 1) return tf.clone(kernel)
    const [k, , perGroupIn, out] = kernel.shape
    const perGroupOut = out / groups
    const columns = tf.split(kernel, groups, 3).map((block, g) =>
      tf.pad(block, [
        [0, 0],
        [0, 0],
        [g * perGroupIn, (groups - 1 - g) * perGroupIn],
        [0, 0],
      ]),
    )
    assert.equal(columns[0]!.shape[3], perGroupOut)
    const dense = tf.concat4d(columns as Array<tf.Tensor4D>, 3)
    assert.deepEqual(dense.shape, [k, k, perGroupIn * groups, out])
    return dense
  })

/** Equal up to float32 summation order: 1e-5 of the larger magnitude. */
const close = (a: tf.Tensor, b: tf.Tensor): boolean =>
  maxAbsDiff(a, b) <= 1e-5 * (1 + tf.tidy(() => tf.max(tf.abs(b)).dataSync()[0]!))

describe("ResNet and ResNeXt (torchvision layout, ImageNet table of the paper)", () => {
  // Counting needs only the built model (no forward pass); 100-330 MB of weights each, disposed.
  test("1000-class parameter counts match torchvision: ResNet-50 25,557,032; ResNet-101 44,549,160; ResNeXt-101 32x4d 44,177,704; 64x4d 83,455,272", () =>
    noLeak(() => {
      const cases = [
        [Models.resNet50, 25_557_032],
        [Models.resNet101, 44_549_160],
        [Models.resNeXt101_32x4d, 44_177_704],
        [Models.resNeXt101_64x4d, 83_455_272],
      ] as const
      for (const [build, expected] of cases) {
        const net = build({ inputShape: [224, 224, 3], numClasses: 1000 })
        assert.equal(Models.countTrainableParams(net), expected, net.name)
        assert.deepEqual(net.stageNames, ["input", "stem", "layer1", "layer2", "layer3", "layer4"])
        assert.deepEqual(net.model.outputs[0]!.shape, [null, 1000])
        net.dispose()
      }
    }))

  test("ResNet-50 forwards a batch of 2 at 32x32 (5 classes): finite logits, eager = graph, mixing at layer3 sees 2x2x1024 maps", () =>
    noLeak(() => {
      const net = Models.resNet50({ inputShape: [32, 32, 3], numClasses: 5, seed: 1 })
      const x = input([2, 32, 32, 3], 3)
      const eager = net.forward(x)
      const graph = net.model.predict(x) as tf.Tensor
      assert.deepEqual(eager.shape, [2, 5])
      assert.ok(allFinite(eager))
      assert.ok(maxAbsDiff(eager, graph) <= 1e-4)
      let seen: ReadonlyArray<number> = []
      const mixed = net.forward(x, {
        mixAt: 4,
        mix: (h) => {
          seen = h.shape
          return tf.reverse(h, 0)
        },
      })
      assert.deepEqual(seen, [2, 2, 2, 1024])
      assert.deepEqual(mixed.shape, [2, 5])
      tf.dispose([x, eager, graph, mixed])
      net.dispose()
    }))

  test("ResNeXt-101 32x4d forwards a batch of 2 at 32x32 (5 classes) to finite logits", () =>
    noLeak(() => {
      const net = Models.resNeXt101_32x4d({ inputShape: [32, 32, 3], numClasses: 5, seed: 2 })
      const x = input([2, 32, 32, 3], 3)
      const logits = net.forward(x)
      assert.deepEqual(logits.shape, [2, 5])
      assert.ok(allFinite(logits))
      tf.dispose([x, logits])
      net.dispose()
    }))

  test("v1.5 bottleneck: the stride of a downsampling block is on its 3x3 convolution, the 1x1 ones keep stride 1", () =>
    noLeak(() => {
      const net = Models.resNet({
        inputShape: [64, 64, 3],
        numClasses: 3,
        depth: 50,
        groups: 2,
        widthPerGroup: 4,
      })
      const strided = net.model.layers
        .filter((l) => ["Conv2D", GroupedConv.GroupedConv2D.className].includes(l.getClassName()))
        .map((l) => l.getConfig() as { kernelSize: number | Array<number>; strides: number | Array<number> })
        .filter((c) => [c.strides].flat()[0] === 2)
        .map((c) => [c.kernelSize].flat()[0])
      // the stem's 7x7, then per group 2-4: the 3x3 of the first block and its 1x1 shortcut
      assert.deepEqual(strided, [7, 3, 1, 3, 1, 3, 1])
      net.dispose()
    }))

  test("grouped convolution equals a dense convolution with the block-diagonal kernel, values and input/filter gradients (property)", () =>
    noLeak(() =>
      fc.assert(
        fc.property(
          fc.constantFrom(1, 2, 4),
          fc.integer({ min: 1, max: 3 }),
          fc.constantFrom(1, 2),
          fc.constantFrom<"same" | "valid">("same", "valid"),
          fc.integer({ min: 0, max: 1000 }),
          (groups, perGroup, strides, padding, seed) => {
            const x = input([2, 6, 6, groups * perGroup], seed)
            const kernel = input([3, 3, perGroup, groups * 2], seed + 1) as tf.Tensor4D
            const options = { strides, groups, padding }
            const grouped = tf.grads((a: tf.Tensor, w: tf.Tensor) =>
              tf.sum(tf.square(GroupedConv.groupedConv2d(a as tf.Tensor4D, w as tf.Tensor4D, options))),
            )
            const dense = tf.grads((a: tf.Tensor, w: tf.Tensor) =>
              tf.sum(
                tf.square(
                  tf.conv2d(a as tf.Tensor4D, blockDiagonal(w as tf.Tensor4D, groups), strides, padding),
                ),
              ),
            )
            const values = [
              GroupedConv.groupedConv2d(x as tf.Tensor4D, kernel, options),
              tf.tidy(() => tf.conv2d(x as tf.Tensor4D, blockDiagonal(kernel, groups), strides, padding)),
            ]
            const [gx, gw] = grouped([x, kernel])
            const [dx, dw] = dense([x, kernel])
            const ok = close(values[0]!, values[1]!) && close(gx!, dx!) && close(gw!, dw!)
            tf.dispose([x, kernel, ...values, gx!, gw!, dx!, dw!])
            return ok
          },
        ),
        { numRuns: 15 },
      ),
    ))

  test("a small ResNeXt trains one SGD step on wasm (gradients reach every weight) and round-trips through save/load", () =>
    noLeakAsync(async () => {
      const net = Models.resNet({
        inputShape: [32, 32, 3],
        numClasses: 3,
        depth: 50,
        groups: 4,
        widthPerGroup: 2,
        seed: 4,
      })
      const x = input([2, 32, 32, 3], 5)
      const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 2], "int32"), 3))
      const { grads, value } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(labels, net.forward(x, { training: true })) as tf.Scalar,
        net.trainableVariables() as Array<tf.Variable>,
      )
      const names = Object.keys(grads)
      assert.equal(names.length, net.trainableVariables().length)
      assert.ok(names.some((n) => n.startsWith("gconv_")))
      assert.ok(names.every((n) => allFinite(grads[n]!)))
      assert.ok(Number.isFinite(value.dataSync()[0]))
      tf.dispose([value, ...Object.values(grads)])

      const dir = join(root, "resnext")
      await Effect.runPromise(Models.save(net, dir))
      const loaded = await Effect.runPromise(Models.load(dir))
      const viaTfjs = await Effect.runPromise(Models.loadLayersModel(dir))
      const [a, b, c] = [net.forward(x), loaded.forward(x), viaTfjs.predict(x) as tf.Tensor]
      assert.equal(maxAbsDiff(a, b), 0)
      assert.ok(maxAbsDiff(a, c) <= 1e-5)
      assert.deepEqual(loaded.config, net.config)
      tf.dispose([x, labels, a, b, c])
      viaTfjs.dispose()
      loaded.dispose()
      net.dispose()
    }))

  test("bad options are typed errors naming the option", () => {
    throwsTagged(
      () => Models.resNet({ inputShape: [32, 32, 3], numClasses: 10, depth: 34 }),
      "InvalidArgument",
      "depth",
      "34",
      "50, 101, 152",
    )
    throwsTagged(
      () => Models.resNet({ inputShape: [32, 32, 3], numClasses: 10, groups: 0 }),
      "InvalidArgument",
      "groups",
    )
    throwsTagged(
      () => Models.resNet50({ inputShape: [32, 32], numClasses: 10 }),
      "InvalidArgument",
      "inputShape",
    )
  })
})
