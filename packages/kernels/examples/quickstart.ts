// Import the package next to the wasm backend and tfjs runs its faster kernels: here one weight
// gradient (a transposed matmul) with and without them, and the largest difference between the two.
// Run: bun examples/quickstart.ts (or deno run -A examples/quickstart.ts).
import * as tf from "@tensorflow/tfjs-core"
import "@tensorflow/tfjs-backend-wasm"
import { Kernels } from "@vicinal/kernels"

export const quickstart = async (): Promise<{ readonly registered: boolean; readonly maxDiff: number }> => {
  await tf.setBackend("wasm")
  await tf.ready()
  const x = tf.randomUniform([128, 784], -1, 1, "float32", 1)
  const dy = tf.randomUniform([128, 512], -1, 1, "float32", 2)
  // x^T dy: the gradient of a dense layer's weights.
  const weightGradient = () => tf.matMul(x, dy, true, false)

  const registered = Kernels.registered() // true: importing the package registered them
  const fast = weightGradient()
  Kernels.unregister() // the off switch: tfjs-backend-wasm's own kernels again
  const stock = weightGradient()
  Kernels.register()

  const maxDiff = tf.tidy(() => tf.max(tf.abs(tf.sub(fast, stock))).dataSync()[0]!)
  console.log(`kernels registered: ${registered}; largest difference from the stock kernel: ${maxDiff}`)
  tf.dispose([x, dy, fast, stock])
  return { registered, maxDiff }
}

if (import.meta.main) await quickstart()
