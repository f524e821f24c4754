import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Errors, type LossError, Losses, Metrics } from "@vicinal/losses"
import { tf } from "./backend.ts"

/** Calls `body` (inputs already allocated) and returns the tagged error it throws; asserts no tensor was made. */
const thrownBy = (body: () => unknown): LossError => {
  const before = tf.memory().numTensors
  let caught: unknown
  try {
    tf.dispose(body() as tf.TensorContainer)
  } catch (error) {
    caught = error
  }
  assert.equal(tf.memory().numTensors, before, "tensors were allocated before the input was rejected")
  assert.ok(Errors.isLossError(caught), `expected a tagged loss error, got ${caught}`)
  return caught
}

describe("bad input gives a tagged error naming the argument and the value", () => {
  const logits = tf.tensor2d([
    [1, 2, 3],
    [0, 0, 1],
  ])
  const targets = tf.tensor2d([
    [0, 0, 1],
    [1, 0, 0],
  ])
  const wide = tf.zeros([2, 4]) as tf.Tensor2D
  const vector = tf.zeros([3]) as unknown as tf.Tensor2D
  const integerLogits = tf.zeros([2, 3], "int32") as tf.Tensor2D
  const empty = tf.zeros([0, 3]) as tf.Tensor2D
  const lambda = Float32Array.from([0.5, 0.5])
  const partner = Int32Array.from([1, 0])
  const floatPartner = tf.tensor1d([1, 0], "float32")
  const farPartner = tf.tensor1d([0, 5], "int32")
  const labels = Int32Array.from([2, 0])

  const cases: ReadonlyArray<readonly [string, () => unknown, string, ReadonlyArray<string>]> = [
    ["logits of rank 1", () => Losses.softCrossEntropy(vector, targets), "ShapeMismatch", ["logits", "[3]"]],
    [
      "targets of another shape",
      () => Losses.klDivergence(logits, wide),
      "ShapeMismatch",
      ["targets", "[2, 4]"],
    ],
    [
      "int32 logits",
      () => Losses.softCrossEntropy(integerLogits, targets),
      "InvalidArgument",
      ["logits.dtype", "int32"],
    ],
    ["an empty batch", () => Losses.softCrossEntropy(empty, empty), "EmptyBatch", ["logits"]],
    [
      "an unknown reduction",
      () => Losses.softCrossEntropy(logits, targets, { reduction: "avg" as "mean" }),
      "InvalidArgument",
      ["options.reduction", "avg"],
    ],
    [
      "lambda of the wrong length",
      () => Losses.interpolatedCrossEntropy(logits, targets, Float32Array.from([1, 1, 1]), partner),
      "ShapeMismatch",
      ["lambda", "[3]"],
    ],
    [
      "lambda outside [0, 1]",
      () => Losses.interpolatedCrossEntropy(logits, targets, Float32Array.from([0.5, 1.5]), partner),
      "InvalidArgument",
      ["lambda[1]", "1.5"],
    ],
    [
      "a partner index out of range",
      () => Losses.interpolatedCrossEntropy(logits, targets, lambda, Int32Array.from([2, 0])),
      "InvalidArgument",
      ["partner[0]", "2", "[0, 2)"],
    ],
    [
      "a partner tensor index out of range",
      () => Losses.interpolatedCrossEntropy(logits, targets, lambda, farPartner),
      "InvalidArgument",
      ["partner[1]", "5"],
    ],
    [
      "a float partner tensor",
      () => Losses.interpolatedCrossEntropy(logits, targets, lambda, floatPartner),
      "InvalidArgument",
      ["partner.dtype", "float32"],
    ],
    [
      "epsilon below 0",
      () => Losses.labelSmoothingCrossEntropy(logits, targets, { epsilon: -0.1 }),
      "InvalidArgument",
      ["options.epsilon", "-0.1"],
    ],
    [
      "binary targets of another shape",
      () => Losses.binaryCrossEntropyWithLogits(logits, wide),
      "ShapeMismatch",
      ["targets", "[2, 4]"],
    ],
    ["k = 0", () => Metrics.topKError(logits, labels, 0), "InvalidArgument", ["k", "0"]],
    ["fractional k", () => Metrics.topKCorrect(logits, labels, 1.5), "InvalidArgument", ["k", "1.5"]],
    [
      "a label out of range",
      () => Metrics.confusion(logits, Int32Array.from([0, 3])),
      "InvalidArgument",
      ["labels[1]", "3"],
    ],
    [
      "a negative label",
      () => Metrics.accuracy(logits, Int32Array.from([-1, 0])),
      "InvalidArgument",
      ["labels[0]", "-1"],
    ],
    [
      "labels of the wrong length",
      () => Metrics.topKError(logits, Int32Array.from([0]), 1),
      "ShapeMismatch",
      ["labels", "[1]"],
    ],
    ["soft targets of another shape", () => Metrics.softAccuracy(logits, wide), "ShapeMismatch", ["targets"]],
    [
      "a confusion matrix that is not square",
      () => Metrics.perClassError(new Int32Array(5)),
      "ShapeMismatch",
      ["counts", "[5]"],
    ],
  ]

  for (const [name, body, tag, mentions] of cases)
    test(name, () => {
      const error = thrownBy(body)
      assert.equal(error._tag, tag)
      for (const m of mentions)
        assert.ok(error.message.includes(m), `"${error.message}" does not mention ${m}`)
    })

  test("inputs are untouched after a rejected call", () => {
    assert.deepEqual(Array.from(lambda), [0.5, 0.5])
    assert.deepEqual(Array.from(partner), [1, 0])
    assert.deepEqual(Array.from(logits.dataSync()), [1, 2, 3, 0, 0, 1])
  })
})
