/**
 * `MaxPoolGrad` for the wasm backend: each window sends its dy to the first position (in row
 * order) holding its maximum, as the cpu backend does. The stock wasm kernel recomputes the
 * argmax in a generic 3-D pooling loop, and (4.22) drops the gradient of a window whose maximum
 * is negative (the tests show it against cpu). Here the channel is the innermost loop, so every
 * read runs along contiguous memory (the order matters: channel-outermost was slower than the
 * stock kernel): four channels at a time in this package's WebAssembly module, or the same loop
 * in JavaScript where the module cannot run. Overlapping windows add into dx in window order.
 */
import type * as tf from "@tensorflow/tfjs-core"
import { dimensions, gemmFor, nhwc, view, type WasmBackend, type Window } from "./Heap.ts"
import * as Stock from "./Stock.ts"

interface PoolAttrs extends Window {
  readonly filterSize: number | [number, number]
}

/** dx (zeroed here) of max pooling x, given dy. */
export const maxPoolGradInto = (
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): void => {
  const { batchSize: nb, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info
  const { top, left } = info.padInfo
  const best = new Float32Array(c)
  const at = new Int32Array(c)
  dx.fill(0)
  for (let n = 0; n < nb; n++)
    for (let oy = 0; oy < oh; oy++) {
      const y0 = Math.max(0, oy * sh - top)
      const y1 = Math.min(h, oy * sh - top + fh)
      for (let ox = 0; ox < ow; ox++) {
        const x0 = Math.max(0, ox * sw - left)
        const x1 = Math.min(w, ox * sw - left + fw)
        best.fill(Number.NEGATIVE_INFINITY)
        at.fill(-1)
        for (let y = y0; y < y1; y++)
          for (let xx = x0; xx < x1; xx++) {
            const base = ((n * h + y) * w + xx) * c
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch]!
              if (v > best[ch]!) {
                best[ch] = v
                at[ch] = base + ch
              }
            }
          }
        const from = ((n * oh + oy) * ow + ox) * c
        for (let ch = 0; ch < c; ch++) {
          const i = at[ch]!
          if (i >= 0) dx[i] = dx[i]! + dy[from + ch]!
        }
      }
    }
}

export const maxPoolGrad: tf.KernelFunc = (args) => {
  const { dy, input } = args.inputs as unknown as {
    readonly dy: tf.TensorInfo
    readonly input: tf.TensorInfo
  }
  const a = args.attrs as unknown as PoolAttrs
  const wasm = args.backend as unknown as WasmBackend
  const [fh, fw] = typeof a.filterSize === "number" ? [a.filterSize, a.filterSize] : a.filterSize
  const channels = input.shape[3]!
  const info = nhwc(input.shape, [fh, fw, channels, channels], a)
  if (input.dtype !== "float32" || dy.dtype !== "float32") return Stock.run("MaxPoolGrad", args)
  const dx = wasm.makeOutput(input.shape, "float32")
  const module = gemmFor(wasm)
  if (module !== undefined) {
    module.maxPoolGrad(...dimensions(wasm, [input, dy, dx], info))
    return dx
  }
  maxPoolGradInto(view(wasm, input), view(wasm, dy), view(wasm, dx), info)
  return dx
}
