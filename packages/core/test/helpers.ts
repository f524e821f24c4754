import "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"

export { tf }

/** Select the cpu backend for a test file (fast for the small tensors tests use; other files may pick wasm). */
export const useCpu = async (): Promise<void> => {
  await tf.setBackend("cpu")
  await tf.ready()
}

/** Run `f` and assert it leaves no tensor behind. */
export const noLeak = <A>(f: () => A): A => {
  const before = tf.memory().numTensors
  const out = f()
  const after = tf.memory().numTensors
  if (after !== before) throw new Error(`tensor leak: ${before} -> ${after}`)
  return out
}

/** One-hot rows for labels. */
export const oneHot = (labels: ReadonlyArray<number>, classes: number): Float32Array => {
  const y = new Float32Array(labels.length * classes)
  labels.forEach((c, i) => {
    y[i * classes + c] = 1
  })
  return y
}
