/**
 * Convolution gradients for the wasm backend (NHWC, no dilation):
 * - `Conv2DBackpropFilter`, which tfjs-backend-wasm 4.22 lacks: an implicit GEMM in this
 *   package's WebAssembly module (no im2col copy; x and dy are read where they lie).
 * - `Conv2DBackpropInput`, a scalar loop in the stock backend: the transposed convolution is run
 *   as the stock (XNNPACK) `Conv2D` of dy, zero-dilated when the stride is above 1, with the
 *   filter flipped in space and its channel axes swapped.
 */
import * as tf from "@tensorflow/tfjs-core"
import { dimensions, gemmFor, nhwc, view, type WasmBackend, type Window } from "./Heap.ts"
import * as Stock from "./Stock.ts"

interface ConvAttrs extends Window {
  readonly dataFormat: "NHWC" | "NCHW"
}

interface FilterAttrs extends ConvAttrs {
  readonly filterShape: [number, number, number, number]
}

interface InputAttrs extends ConvAttrs {
  readonly inputShape: [number, number, number, number]
}

/**
 * The filter gradient composed of ops the wasm backend has (pad, one strided slice and one
 * transposed matmul per kernel tap), for where this package's module cannot run (a shared,
 * threaded memory). Slower than the GEMM; same values up to float32 rounding.
 */
export const composedFilterGradient = (x: tf.Tensor4D, dy: tf.Tensor4D, attrs: FilterAttrs): tf.Tensor4D =>
  tf.tidy(() => {
    const info = nhwc(x.shape, attrs.filterShape, attrs)
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
    for (let i = 0; i < info.filterHeight; i++)
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
    return tf.reshape(tf.stack(taps), attrs.filterShape)
  })

const nhwcOnly = (a: FilterAttrs): void => {
  if (a.dataFormat !== "NHWC")
    throw new Error(
      `Conv2DBackpropFilter on wasm: dataFormat is ${a.dataFormat}, expected "NHWC"; transpose the input to NHWC`,
    )
}

/** The composed filter gradient as a kernel (the baseline `Kernels.unregister()` leaves). */
export const composedFilterGradientKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const { x, dy } = inputs as unknown as { readonly x: tf.Tensor4D; readonly dy: tf.Tensor4D }
  const a = attrs as unknown as FilterAttrs
  nhwcOnly(a)
  // The engine accepts a Tensor as a kernel's output.
  return composedFilterGradient(x, dy, a) as unknown as tf.TensorInfo
}

export const conv2dBackpropFilter: tf.KernelFunc = (args) => {
  const { inputs, backend, attrs } = args
  const { x, dy } = inputs as unknown as { readonly x: tf.TensorInfo; readonly dy: tf.TensorInfo }
  const a = attrs as unknown as FilterAttrs
  nhwcOnly(a)
  const wasm = backend as unknown as WasmBackend
  const gemm = gemmFor(wasm)
  if (gemm === undefined || x.dtype !== "float32" || dy.dtype !== "float32")
    return composedFilterGradientKernel(args)
  const out = wasm.makeOutput(a.filterShape, "float32")
  gemm.conv2dFilterGradient(...dimensions(wasm, [x, dy, out], nhwc(x.shape, a.filterShape, a)))
  return out
}

/** Padding of the stride-1 convolution that equals the transposed one, or undefined if negative. */
const transposedPadding = (
  info: tf.backend_util.Conv2DInfo,
): [[number, number], [number, number]] | undefined => {
  const dilatedH = (info.outHeight - 1) * info.strideHeight + 1
  const dilatedW = (info.outWidth - 1) * info.strideWidth + 1
  const top = info.filterHeight - 1 - info.padInfo.top
  const left = info.filterWidth - 1 - info.padInfo.left
  const bottom = info.inHeight - dilatedH - top + info.filterHeight - 1
  const right = info.inWidth - dilatedW - left + info.filterWidth - 1
  return Math.min(top, left, bottom, right) < 0
    ? undefined
    : [
        [top, bottom],
        [left, right],
      ]
}

export const conv2dBackpropInput: tf.KernelFunc = (args) => {
  const { dy, filter } = args.inputs as unknown as {
    readonly dy: tf.TensorInfo
    readonly filter: tf.TensorInfo
  }
  const a = args.attrs as unknown as InputAttrs
  const wasm = args.backend as unknown as WasmBackend
  const conv2d = tf.getKernel("Conv2D", Stock.BACKEND)
  if (a.dataFormat !== "NHWC" || dy.dtype !== "float32" || filter.dtype !== "float32" || conv2d === undefined)
    return Stock.run("Conv2DBackpropInput", args)
  const info = nhwc(a.inputShape, filter.shape as [number, number, number, number], a)
  const padding = transposedPadding(info)
  if (padding === undefined) return Stock.run("Conv2DBackpropInput", args)
  const { filterHeight: fh, filterWidth: fw, inChannels: ci, outChannels: co } = info
  const { strideHeight: sh, strideWidth: sw, batchSize: nb, outHeight: oh, outWidth: ow } = info
  const dilated = sh === 1 && sw === 1 ? undefined : [nb, (oh - 1) * sh + 1, (ow - 1) * sw + 1, co]
  const flipped = wasm.makeOutput([fh, fw, co, ci], "float32")
  const spread = dilated === undefined ? undefined : wasm.makeOutput(dilated, "float32")
  // Views after the last allocation (an allocation may grow, and so detach, the memory).
  const w = view(wasm, filter)
  const wt = view(wasm, flipped)
  for (let y = 0; y < fh; y++)
    for (let x = 0; x < fw; x++) {
      const from = ((fh - 1 - y) * fw + (fw - 1 - x)) * ci * co
      const to = (y * fw + x) * co * ci
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) wt[to + o * ci + i] = w[from + i * co + o]!
    }
  if (spread !== undefined && dilated !== undefined) {
    const d = view(wasm, dy)
    const s = view(wasm, spread)
    s.fill(0)
    const [, dh, dw] = dilated as [number, number, number, number]
    for (let n = 0; n < nb; n++)
      for (let y = 0; y < oh; y++)
        for (let x = 0; x < ow; x++) {
          const from = ((n * oh + y) * ow + x) * co
          s.set(d.subarray(from, from + co), ((n * dh! + y * sh) * dw! + x * sw) * co)
        }
  }
  try {
    return conv2d.kernelFunc({
      inputs: { x: spread ?? dy, filter: flipped },
      backend: args.backend,
      attrs: {
        strides: [1, 1],
        pad: [[0, 0], padding[0], padding[1], [0, 0]],
        dataFormat: "NHWC",
        dilations: [1, 1],
      },
    })
  } finally {
    wasm.disposeData(flipped.dataId)
    if (spread !== undefined) wasm.disposeData(spread.dataId)
  }
}
