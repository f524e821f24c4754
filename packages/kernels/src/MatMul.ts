/**
 * `BatchMatMul` and `_FusedMatMul` for the wasm backend. The stock kernels use XNNPACK only when
 * neither operand is transposed; every transposed case (all weight gradients, `dy W^T`) runs a
 * scalar loop at ~1 GFLOP/s. Here any transpose is a choice of strides of this package's SIMD
 * GEMM, which works in the backend's memory. Untransposed products run here too: XNNPACK caches
 * its packed weights by tensor id, and every optimiser step makes new weight tensors, so in
 * training it re-packs them on every call (measured by the bench's `--profile`: the re-packing
 * made XNNPACK slower than this GEMM on the MLP's [128, 784] . [784, 512]).
 */
import * as tf from "@tensorflow/tfjs-core"
import { addressOf, gemmFor, view, type WasmBackend, withScratch } from "./Heap.ts"
import * as Stock from "./Stock.ts"
import * as Threads from "./Threads.ts"

interface MatMulAttrs {
  readonly transposeA: boolean
  readonly transposeB: boolean
}

interface Product {
  readonly m: number
  readonly n: number
  readonly k: number
  readonly batchA: number
  readonly batchB: number
  readonly outShape: ReadonlyArray<number>
}

const size = (dims: ReadonlyArray<number>): number => dims.reduce((p, d) => p * d, 1)

// The product's dimensions, or undefined where the batch dimensions broadcast in a way other
// than "equal, or one side has a single matrix" (left to the stock kernel).
const productOf = (a: tf.TensorInfo, b: tf.TensorInfo, attrs: MatMulAttrs): Product | undefined => {
  const ra = a.shape.length
  const rb = b.shape.length
  const m = attrs.transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!
  const k = attrs.transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!
  const n = attrs.transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!
  const kb = attrs.transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!
  if (k !== kb) return undefined
  const batchA = size(a.shape.slice(0, -2))
  const batchB = size(b.shape.slice(0, -2))
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2))
  if (size(batchShape) !== Math.max(batchA, batchB) || (batchA !== batchB && batchA !== 1 && batchB !== 1))
    return undefined
  return { m, n, k, batchA, batchB, outShape: [...batchShape, m, n] }
}

/**
 * out = op(a) . op(b) for every matrix of the batch, in place on the heap. B is packed once per
 * matrix of B: a B shared by the whole batch (broadcast) is packed once for all of it.
 */
const multiply = (
  backend: WasmBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  attrs: MatMulAttrs,
  p: Product,
) => {
  const gemm = gemmFor(backend)!
  const out = backend.makeOutput(p.outShape, "float32")
  const { m, n, k } = p
  // A[i, kk] at a + 4 (i aRow + kk aCol): [m, k] row-major untransposed, [k, m] transposed.
  const [aRow, aCol] = attrs.transposeA ? [1, m] : [k, 1]
  const [bRow, bCol] = attrs.transposeB ? [1, k] : [n, 1]
  const batch = Math.max(p.batchA, p.batchB)
  const packBytes = gemm.packedBytes(n, k)
  withScratch(backend, packBytes, (pack) => {
    const a0 = addressOf(backend, a)
    const b0 = addressOf(backend, b)
    const c0 = addressOf(backend, out)
    // After the last allocation (the scratch's).
    const heap = new Uint8Array(backend.wasm.HEAPF32.buffer)
    for (let i = 0; i < batch; i++) {
      if (i === 0 || p.batchB > 1) gemm.packB(b0 + i * k * n * 4, bRow, bCol, k, n, pack)
      Threads.gemm({
        heap,
        gemmPacked: gemm.gemmPacked,
        a: a0 + (p.batchA === 1 ? 0 : i * m * k * 4),
        aRow,
        aCol,
        pack,
        packBytes,
        c: c0 + i * m * n * 4,
        m,
        n,
        k,
      })
    }
  })
  return out
}

const ours = (
  backend: WasmBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  attrs: MatMulAttrs,
): Product | undefined =>
  a.dtype === "float32" && b.dtype === "float32" && gemmFor(backend) !== undefined
    ? productOf(a, b, attrs)
    : undefined

export const batchMatMul: tf.KernelFunc = (args) => {
  const { a, b } = args.inputs as unknown as { readonly a: tf.TensorInfo; readonly b: tf.TensorInfo }
  const attrs = args.attrs as unknown as MatMulAttrs
  const backend = args.backend as unknown as WasmBackend
  const p = ours(backend, a, b, attrs)
  return p === undefined ? Stock.run("BatchMatMul", args) : multiply(backend, a, b, attrs, p)
}

interface FusedAttrs extends MatMulAttrs {
  readonly activation: string
}

/**
 * `_FusedMatMul` with a linear or ReLU activation: the product here, then the bias (rank 1) and
 * the activation in one pass over the output; other activations go to the stock kernel (which,
 * in 4.22, gives wrong values with a bias in some shapes, e.g. [2, 1] . [1, 2] + bias: the
 * second row's first value; the tests compare with the cpu backend).
 */
export const fusedMatMul: tf.KernelFunc = (args) => {
  const inputs = args.inputs as unknown as {
    readonly a: tf.TensorInfo
    readonly b: tf.TensorInfo
    readonly bias?: tf.TensorInfo
    readonly preluActivationWeights?: tf.TensorInfo
  }
  const attrs = args.attrs as unknown as FusedAttrs
  const backend = args.backend as unknown as WasmBackend
  const { a, b, bias } = inputs
  const p =
    (attrs.activation === "linear" || attrs.activation === "relu") &&
    inputs.preluActivationWeights == null &&
    (bias == null || (bias.shape.length === 1 && bias.dtype === "float32"))
      ? ours(backend, a, b, attrs)
      : undefined
  if (p === undefined) return Stock.run("_FusedMatMul", args)
  const out = multiply(backend, a, b, attrs, p)
  const values = view(backend, out)
  const biasValues = bias == null ? undefined : view(backend, bias)
  const relu = attrs.activation === "relu"
  const n = p.n
  for (let start = 0; start < values.length; start += n)
    for (let j = 0; j < n; j++) {
      const v =
        biasValues === undefined
          ? values[start + j]!
          : values[start + j]! + biasValues[biasValues.length === 1 ? 0 : j]!
      values[start + j] = relu && v < 0 ? 0 : v
    }
  return out
}
