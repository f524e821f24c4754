import assert from "node:assert/strict"
import { test } from "node:test"
import { tf, uniform } from "./setup.ts"

// One SGD step of a small CNN (conv 3x3, pool, conv 3x3, pool, dense) touches every kernel here.
const cnnStep = (
  weights: ReadonlyArray<tf.Variable>,
  x: tf.Tensor4D,
  labels: tf.Tensor2D,
  optimizer: tf.Optimizer,
) => {
  const [w1, w2, w3] = weights as [tf.Variable<tf.Rank.R4>, tf.Variable<tf.Rank.R4>, tf.Variable<tf.Rank.R2>]
  const cost = optimizer.minimize(
    () => {
      const h1 = tf.maxPool(tf.relu(tf.conv2d(x, w1, 1, "same")), 2, 2, "valid")
      const h2 = tf.maxPool(tf.relu(tf.conv2d(h1, w2, 2, "same")), 2, 2, "same")
      const logits = tf.matMul(tf.reshape(h2, [x.shape[0], -1]), w3)
      return tf.mean(tf.sum(tf.mul(tf.sub(logits, labels), tf.sub(logits, labels)), 1))
    },
    true,
    [...weights],
  )
  cost?.dispose()
}

const heapBytes = (): number =>
  (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength

test("soak: repeated training steps leave no tensor and do not grow the wasm heap after warm-up", () => {
  const weights = [
    tf.variable(uniform([3, 3, 1, 8], 1)),
    tf.variable(uniform([3, 3, 8, 16], 2)),
    tf.variable(uniform([2 * 2 * 16, 10], 3)),
  ]
  const x = uniform([16, 14, 14, 1], 4) as tf.Tensor4D
  const labels = uniform([16, 10], 5) as tf.Tensor2D
  const optimizer = tf.train.sgd(0.01)
  for (let i = 0; i < 3; i++) cnnStep(weights, x, labels, optimizer)
  const tensors = tf.memory().numTensors
  const bytes = heapBytes()
  for (let i = 0; i < 30; i++) cnnStep(weights, x, labels, optimizer)
  assert.equal(tf.memory().numTensors, tensors)
  assert.equal(heapBytes(), bytes)
  tf.dispose([...weights, x, labels])
  optimizer.dispose()
})
