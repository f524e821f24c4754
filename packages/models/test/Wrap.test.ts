import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as tfl from "@tensorflow/tfjs-layers"
import { Models } from "../src/index.ts"
import { input, maxAbsDiff, noLeak, tf, throwsTagged } from "./setup.ts"

const smallConv = (activation?: "softmax") =>
  tfl.sequential({
    name: "mine",
    layers: [
      tfl.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 4,
        kernelSize: 3,
        activation: "relu",
        name: "conv",
      }),
      tfl.layers.flatten({ name: "flat" }),
      tfl.layers.dense({ units: 3, name: "logits", ...(activation === undefined ? {} : { activation }) }),
    ],
  })

// input -> dense a -> add(a, input) -> dense out: a skip path bypasses "a".
const withSkip = () => {
  const x = tfl.input({ shape: [4] })
  const a = tfl.layers.dense({ units: 4, name: "a" }).apply(x) as tfl.SymbolicTensor
  const sum = tfl.layers.add({ name: "sum" }).apply([a, x]) as tfl.SymbolicTensor
  const out = tfl.layers.dense({ units: 2, name: "out" }).apply(sum) as tfl.SymbolicTensor
  return tfl.model({ inputs: x, outputs: out, name: "skip" })
}

describe("Models.wrap", () => {
  test("a sequential conv model: logits as the model's, identity mixing at a stage changes nothing", () => {
    const model = smallConv()
    const net = Models.wrap(model, { stages: ["conv", "flat"] })
    assert.deepEqual(net.stageNames, ["input", "conv", "flat"])
    noLeak(() => {
      const x = input([5, 8, 8, 1], 1)
      const plain = net.forward(x)
      const expected = model.predict(x) as tf.Tensor
      assert.deepEqual(plain.shape, [5, 3])
      assert.ok(maxAbsDiff(plain, expected) < 1e-6)
      for (const mixAt of [0, 1, 2]) {
        const same = net.forward(x, { mixAt, mix: (h) => h })
        assert.ok(maxAbsDiff(same, plain) < 1e-6, `stage ${mixAt}`)
        same.dispose()
      }
      // Zeroing the flattened features leaves the dense layer's bias (zero at initialisation).
      const zeroed = net.forward(x, { mixAt: 2, mix: (h) => tf.zerosLike(h) })
      assert.equal(
        tf.tidy(() => tf.max(tf.abs(zeroed)).dataSync()[0]),
        0,
      )
      tf.dispose([x, plain, expected, zeroed])
    })
    assert.equal(net.trainableVariables().length, 4)
    net.dispose()
  })

  test("a functional model splits where every path passes, and names the layer a branch bypasses", () => {
    const model = withSkip()
    throwsTagged(
      () => Models.wrap(model, { stages: ["a"] }),
      "InvalidArgument",
      "stages[0]",
      '"a"',
      "bypasses",
    )
    const net = Models.wrap(model, { stages: ["sum"] })
    noLeak(() => {
      const x = input([3, 4], 2)
      const a = net.forward(x, { training: true })
      const b = net.forward(x, { mixAt: 1, mix: (h) => h })
      assert.ok(maxAbsDiff(a, b) < 1e-6)
      tf.dispose([x, a, b])
    })
    net.dispose()
  })

  test("bad models and inputs: typed errors naming the argument", () => {
    const soft = smallConv("softmax")
    throwsTagged(() => Models.wrap(soft), "InvalidArgument", "softmax")
    soft.dispose()
    const model = smallConv()
    throwsTagged(
      () => Models.wrap(model, { stages: ["nope"] }),
      "InvalidArgument",
      "stages[0]",
      "conv, flat, logits",
    )
    const net = Models.wrap(model)
    noLeak(() => {
      const x = input([2, 9, 9, 1], 3)
      throwsTagged(() => net.forward(x), "InvalidArgument", "x.shape", "[n, 8, 8, 1]")
      const y = input([2, 8, 8, 1], 3)
      throwsTagged(() => net.forward(y, { mixAt: 1, mix: (h) => h }), "InvalidArgument", "mixAt")
      tf.dispose([x, y])
    })
    net.dispose()
    const dense = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 1 })] })
    throwsTagged(() => Models.wrap(dense), "InvalidArgument", "model.outputs[0].shape")
    dense.dispose()
  })
})
