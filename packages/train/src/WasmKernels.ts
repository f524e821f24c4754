/**
 * Kernels the wasm backend of tfjs 4.22 lacks but training needs.
 *
 * `UnsortedSegmentSum` is the gradient of `gather`: mixing hidden activations with their
 * partners' (manifold mixup, `h[partner]`) back-propagates through it, and wasm has no kernel
 * for it. This one runs on the wasm heap from JavaScript, summing in index order (deterministic).
 */
import * as tf from "@tensorflow/tfjs-core"

type Values = Float32Array | Int32Array

/** The parts of the wasm backend a JavaScript kernel uses (as its own JS kernels do). */
interface WasmBackend {
  readonly readSync: (dataId: object) => unknown
  readonly makeOutput: (shape: ReadonlyArray<number>, dtype: tf.DataType) => tf.TensorInfo
  readonly typedArrayFromHeap: (info: tf.TensorInfo) => Values
}

const product = (dims: ReadonlyArray<number>) => dims.reduce((a, b) => a * b, 1)

/** out[segmentIds[i], ...] += x[i, ...]; ids outside [0, numSegments) are dropped, as in TensorFlow. */
export const unsortedSegmentSum = (
  x: Values,
  xShape: ReadonlyArray<number>,
  segmentIds: Int32Array,
  idsRank: number,
  numSegments: number,
  out: Values,
): void => {
  const inner = product(xShape.slice(idsRank))
  out.fill(0)
  for (let i = 0; i < segmentIds.length; i++) {
    const s = segmentIds[i]!
    if (s < 0 || s >= numSegments) continue
    const from = i * inner
    const to = s * inner
    for (let j = 0; j < inner; j++) out[to + j]! += x[from + j]!
  }
}

const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as unknown as {
    readonly x: tf.TensorInfo
    readonly segmentIds: tf.TensorInfo
  }
  const { numSegments } = attrs as unknown as { readonly numSegments: number }
  const wasm = backend as unknown as WasmBackend
  const values = wasm.readSync(x.dataId) as Values
  const ids = Int32Array.from(wasm.readSync(segmentIds.dataId) as ArrayLike<number>)
  const out = wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype)
  unsortedSegmentSum(values, x.shape, ids, segmentIds.shape.length, numSegments, wasm.typedArrayFromHeap(out))
  return out
}

/** Register the missing wasm kernels (idempotent). */
export const register = (): void => {
  if (tf.getKernel("UnsortedSegmentSum", "wasm") === undefined)
    tf.registerKernel({ kernelName: "UnsortedSegmentSum", backendName: "wasm", kernelFunc })
}
