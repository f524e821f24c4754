// Shared test setup: the wasm backend with this package's kernels, and comparisons against the stock ones.
import assert from "node:assert/strict"
import * as tf from "@tensorflow/tfjs-core"
import "@tensorflow/tfjs-backend-cpu"
import "@tensorflow/tfjs-backend-wasm"
// tfjs-core has no gradients; tfjs-layers registers them.
import "@tensorflow/tfjs-layers"
import { Kernels } from "../src/index.ts"

await tf.setBackend("wasm")
await tf.ready()

export { tf }

/**
 * The values `run` gives with the stock wasm kernels, then with this package's. The stock result
 * stays allocated while ours runs: freed, its memory would be handed to our output, and a kernel
 * that skips part of its output would read back the stock values there and pass.
 */
export const stockAndOurs = (
  run: () => tf.Tensor,
): { readonly stock: Float32Array; readonly ours: Float32Array } => {
  Kernels.unregister()
  let stock: tf.Tensor | undefined
  try {
    stock = tf.tidy(run)
    const stockValues = stock.dataSync() as Float32Array
    Kernels.register()
    const ours = tf.tidy(run)
    const ourValues = ours.dataSync() as Float32Array
    ours.dispose()
    return { stock: stockValues, ours: ourValues }
  } finally {
    stock?.dispose()
    Kernels.register()
  }
}

/** The values `run` gives on the cpu backend (the reference where wasm has no kernel, or a wrong one), then with this package's. */
export const cpuAndOurs = async (
  run: () => tf.Tensor,
): Promise<{ readonly cpu: Float32Array; readonly ours: Float32Array }> => {
  await tf.setBackend("cpu")
  try {
    const cpu = tf.tidy(run)
    const cpuValues = cpu.dataSync() as Float32Array
    cpu.dispose()
    await tf.setBackend("wasm")
    const ours = tf.tidy(run)
    const ourValues = ours.dataSync() as Float32Array
    ours.dispose()
    return { cpu: cpuValues, ours: ourValues }
  } finally {
    await tf.setBackend("wasm")
  }
}

/** Within 1e-5 relative to the largest magnitude of the reference (float32 sums in another order). */
export const assertClose = (ours: Float32Array, reference: Float32Array, what: string): void => {
  assert.equal(ours.length, reference.length, `${what}: length`)
  const scale = Math.max(1, ...Array.from(reference, Math.abs))
  for (let i = 0; i < ours.length; i++)
    assert.ok(
      Math.abs(ours[i]! - reference[i]!) <= 1e-5 * scale,
      `${what}[${i}]: ${ours[i]} vs ${reference[i]} (scale ${scale})`,
    )
}

/** Fixed pseudo-random values in [-1, 1) (seeded: tests are reproducible). */
export const uniform = (shape: ReadonlyArray<number>, seed: number): tf.Tensor =>
  tf.randomUniform([...shape], -1, 1, "float32", seed)

/** Runs `body` and asserts it leaves no tensor behind. */
export const noLeak = <A>(body: () => A): A => {
  const before = tf.memory().numTensors
  const result = body()
  assert.equal(tf.memory().numTensors, before, "tensor count changed")
  return result
}
