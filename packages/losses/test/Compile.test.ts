import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as tfl from "@tensorflow/tfjs-layers"
import { Compile, Losses } from "@vicinal/losses"
import * as fc from "fast-check"
import { close, dims, distributionsOf, logitsOf, type Matrix } from "./arbitraries.ts"
import { leakedBy, tf } from "./backend.ts"

const tensorOf = (m: Matrix): tf.Tensor2D => tf.tensor2d([...m.values], [m.rows, m.cols], "float32")

const agree = (a: tf.Tensor, b: tf.Tensor): boolean => {
  const x = a.dataSync()
  const y = b.dataSync()
  return x.length === y.length && Array.from(x).every((v, i) => close(v, y[i]!, 1e-5))
}

describe("Compile: the losses in tfjs' (yTrue, yPred) order", () => {
  test("each is its Losses counterpart with the arguments swapped, per example", () => {
    fc.assert(
      fc.property(
        dims.chain(({ rows, cols }) => fc.tuple(logitsOf(rows, cols), distributionsOf(rows, cols))),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ([z, t], epsilon) => {
          const logits = tensorOf(z)
          const targets = tensorOf(t)
          const pairs: ReadonlyArray<readonly [tf.Tensor, tf.Tensor]> = [
            [
              Compile.softCrossEntropy(targets, logits),
              Losses.softCrossEntropy(logits, targets, { reduction: "none" }),
            ],
            [
              Compile.klDivergence(targets, logits),
              Losses.klDivergence(logits, targets, { reduction: "none" }),
            ],
            [
              Compile.labelSmoothingCrossEntropy(epsilon)(targets, logits),
              Losses.labelSmoothingCrossEntropy(logits, targets, { epsilon, reduction: "none" }),
            ],
          ]
          const ok = pairs.every(([a, b]) => a.shape.length === 1 && a.shape[0] === z.rows && agree(a, b))
          tf.dispose([logits, targets, ...pairs.flat()])
          return ok
        },
      ),
    )
  })

  test("model.compile takes it: evaluate reports the mean soft cross-entropy, with no tensor left", () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [3], units: 4, useBias: false })],
    })
    model.compile({ optimizer: "sgd", loss: Compile.softCrossEntropy })
    const x = tf.tensor2d([1, 2, 3, -1, 0, 2], [2, 3])
    const y = tf.tensor2d([0.3, 0.7, 0, 0, 0, 0, 0.5, 0.5], [2, 4])
    const expected = tf.tidy(() => Losses.softCrossEntropy(model.predict(x) as tf.Tensor2D, y).dataSync()[0]!)
    let reported = Number.NaN
    assert.equal(
      leakedBy(() => {
        const out = model.evaluate(x, y) as tf.Scalar
        reported = out.dataSync()[0]!
        return out
      }),
      0,
    )
    assert.ok(close(reported, expected, 1e-5), `${reported} vs ${expected}`)
    tf.dispose([x, y])
    model.dispose()
  })
})
