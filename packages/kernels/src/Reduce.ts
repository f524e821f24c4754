/**
 * Reductions for the wasm backend:
 * - `Sum` over leading axes (bias gradients: [n, c] -> [c], [n, h, w, c] -> [c]): the stock
 *   kernel transposes the input first so the reduced axes are innermost; here rows are added
 *   into the output in row order, reading memory once, in order.
 * - `UnsortedSegmentSum`, the gradient of `gather` (manifold mixup's `h[partner]`), which wasm
 *   lacks: summed in index order.
 * Both sum in a fixed order, so results are the same bits on every engine.
 */
import * as tf from "@tensorflow/tfjs-core"
import { addressOf, floats, type WasmBackend } from "./Heap.ts"
import * as Stock from "./Stock.ts"

type Values = Float32Array | Int32Array

const size = (dims: ReadonlyArray<number>): number => dims.reduce((a, b) => a * b, 1)

/** out[j] = sum over rows r of x[r * out.length + j], rows in order, in float64, then rounded. */
export const sumLeadingRows = (x: Float32Array, out: Float32Array): void => {
  const inner = out.length
  const acc = new Float64Array(inner)
  for (let start = 0; start < x.length; start += inner)
    for (let j = 0; j < inner; j++) acc[j] = acc[j]! + x[start + j]!
  out.set(acc)
}

export const sum: tf.KernelFunc = (args) => {
  const { x } = args.inputs as unknown as { readonly x: tf.TensorInfo }
  const { axis, keepDims } = args.attrs as unknown as {
    readonly axis: number | number[]
    readonly keepDims: boolean
  }
  const wasm = args.backend as unknown as WasmBackend
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q)
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i)
  if (!leading || x.dtype !== "float32" || size(x.shape) === 0) return Stock.run("Sum", args)
  const kept = x.shape.slice(axes.length)
  const out = wasm.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, "float32")
  sumLeadingRows(
    floats(wasm, addressOf(wasm, x), size(x.shape)),
    floats(wasm, addressOf(wasm, out), size(kept)),
  )
  return out
}

/** out[segmentIds[i], ...] += x[i, ...]; ids outside [0, numSegments) are dropped, as in TensorFlow. */
export const unsortedSegmentSum = (
  x: Values,
  xShape: ReadonlyArray<number>,
  segmentIds: Int32Array,
  idsRank: number,
  numSegments: number,
  out: Values,
): void => {
  const inner = size(xShape.slice(idsRank))
  out.fill(0)
  for (let i = 0; i < segmentIds.length; i++) {
    const s = segmentIds[i]!
    if (s < 0 || s >= numSegments) continue
    const from = i * inner
    const to = s * inner
    for (let j = 0; j < inner; j++) out[to + j]! += x[from + j]!
  }
}

export const unsortedSegmentSumKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as unknown as {
    readonly x: tf.TensorInfo
    readonly segmentIds: tf.TensorInfo
  }
  const { numSegments } = attrs as unknown as { readonly numSegments: number }
  const wasm = backend as unknown as WasmBackend
  const values = wasm.readSync(x.dataId) as Values
  const ids = Int32Array.from(wasm.readSync(segmentIds.dataId) as ArrayLike<number>)
  const out = wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype)
  unsortedSegmentSum(
    values,
    x.shape,
    ids,
    segmentIds.shape.length,
    numSegments,
    wasm.typedArrayFromHeap(out) as Values,
  )
  return out
}
