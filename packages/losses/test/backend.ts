/** Test setup shared by every test file: the project's default backend (wasm, SIMD). */
import * as tf from "@tensorflow/tfjs-core"
import "@tensorflow/tfjs-backend-wasm"

await tf.setBackend("wasm")
await tf.ready()

export { tf }

/** Runs `body`, disposes what it returns, and reports how many tensors were leaked. */
export const leakedBy = (body: () => tf.TensorContainer): number => {
  const before = tf.memory().numTensors
  tf.dispose(body())
  return tf.memory().numTensors - before
}
