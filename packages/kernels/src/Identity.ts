/**
 * `Identity` (tf.clone, and many gradients pass dy through it) for the wasm backend without a
 * copy: the output shares the input's data, counted by the backend's reference count, as the cpu
 * backend does and as wasm's own `Reshape` does. The stock kernel allocates and copies the whole
 * tensor (the CNN step of the bench made 29 such copies, ~6% of the step).
 */
import type * as tf from "@tensorflow/tfjs-core"
import * as Stock from "./Stock.ts"

interface RefCounting {
  readonly incRef: (dataId: object) => void
}

export const identity: tf.KernelFunc = (args) => {
  const { x } = args.inputs as unknown as { readonly x: tf.TensorInfo }
  if (x.dtype === "string") return Stock.run("Identity", args)
  ;(args.backend as unknown as RefCounting).incRef(x.dataId)
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
}
