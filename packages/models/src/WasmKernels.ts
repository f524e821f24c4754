/**
 * The wasm backend (4.22) has no `Conv2DBackpropFilter` kernel, so no convolutional network
 * can be trained on it (the forward pass and input gradients work). This registers one for
 * "wasm", composed of ops the backend has: pad the input once, then for each kernel offset
 * take the strided window of the input that met that weight and contract it with dy by one
 * matmul: dW[i, j] = window(i, j)^T . dy, over [n * outH * outW] rows.
 *
 * Nested ops inside a kernel are not recorded on the gradient tape (tfjs runs them at kernel
 * depth > 0), and returning a tensor from a kernel is supported by the engine.
 */
import * as tf from "@tensorflow/tfjs-core"

const KERNEL = "Conv2DBackpropFilter"
const BACKEND = "wasm"

interface Attrs {
  readonly strides: number | [number, number]
  readonly pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding
  readonly dataFormat: "NHWC" | "NCHW"
  readonly dimRoundingMode?: "floor" | "round" | "ceil"
  readonly filterShape: [number, number, number, number]
}

/** The gradient of conv2d (NHWC, no dilation) with respect to its filter. */
export const conv2dFilterGradient = (x: tf.Tensor4D, dy: tf.Tensor4D, attrs: Attrs): tf.Tensor4D =>
  tf.tidy(() => {
    if (attrs.dataFormat !== "NHWC") throw new Error(`${KERNEL} on wasm: only NHWC, got ${attrs.dataFormat}`)
    const info = tf.backend_util.computeConv2DInfo(
      x.shape,
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    )
    const { top, bottom, left, right } = info.padInfo
    const padded = tf.pad(x, [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ])
    const [n, , , inChannels] = x.shape
    const rows = n * info.outHeight * info.outWidth
    const dy2d = tf.reshape(dy, [rows, info.outChannels])
    const taps: Array<tf.Tensor2D> = []
    for (let i = 0; i < info.filterHeight; i++) {
      for (let j = 0; j < info.filterWidth; j++) {
        const window = tf.stridedSlice(
          padded,
          [0, i, j, 0],
          [
            n,
            i + (info.outHeight - 1) * info.strideHeight + 1,
            j + (info.outWidth - 1) * info.strideWidth + 1,
            inChannels,
          ],
          [1, info.strideHeight, info.strideWidth, 1],
        )
        taps.push(tf.matMul(tf.reshape(window, [rows, inChannels]), dy2d, true, false))
      }
    }
    return tf.reshape(tf.stack(taps), attrs.filterShape)
  })

/**
 * Registers the kernel for "wasm" unless one is registered already (idempotent; the model
 * constructors call it, so any network of this package trains on wasm).
 */
export const registerConv2dFilterGradient = (): void => {
  if (tf.getKernel(KERNEL, BACKEND) !== undefined) return
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: BACKEND,
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D }
      // The engine accepts a Tensor as a kernel's output (it then wraps no new data id).
      return conv2dFilterGradient(x, dy, attrs as unknown as Attrs) as unknown as tf.TensorInfo
    },
  })
}
