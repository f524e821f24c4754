/**
 * The wasm backend's memory, as the replacement kernels use it: tensors' byte offsets, scratch
 * space from the backend's own malloc, and this package's WebAssembly module (src/KernelsBinary.ts)
 * instantiated over the SAME memory, so it reads inputs and writes outputs where tfjs keeps them.
 *
 * The memory grows when tfjs (or a scratch allocation) needs more, which detaches every typed
 * array made over it before: views are taken with `floats` after the last allocation of a kernel.
 */
import * as tf from "@tensorflow/tfjs-core"
import { kernelsWasmBase64 } from "./KernelsBinary.ts"

/** The parts of tfjs-backend-wasm's emscripten module used here. */
interface EmscriptenModule {
  readonly HEAPF32: Float32Array
  readonly asm?: { readonly memory?: WebAssembly.Memory }
  readonly wasmMemory?: WebAssembly.Memory
  readonly _malloc: (bytes: number) => number
  readonly _free: (address: number) => void
}

/** The parts of tfjs-backend-wasm's `BackendWasm` used here (as its own JavaScript kernels do). */
export interface WasmBackend {
  readonly wasm: EmscriptenModule
  readonly dataIdMap: { readonly get: (dataId: object) => { readonly memoryOffset: number } | undefined }
  readonly makeOutput: (shape: ReadonlyArray<number>, dtype: tf.DataType) => tf.TensorInfo
  readonly disposeData: (dataId: object, force?: boolean) => boolean
  readonly readSync: (dataId: object) => unknown
  readonly typedArrayFromHeap: (info: tf.TensorInfo) => Float32Array | Int32Array | Uint8Array
}

/** This package's WebAssembly exports (assembly/kernels.ts); addresses are byte offsets. */
export interface Gemm {
  readonly packedBytes: (n: number, k: number) => number
  readonly packB: (b: number, bRow: number, bCol: number, k: number, n: number, pack: number) => void
  readonly gemmPacked: (
    a: number,
    aRow: number,
    aCol: number,
    pack: number,
    c: number,
    m: number,
    n: number,
    k: number,
  ) => void
  /** x, dy, dw and the dimensions: the arguments `dimensions` lists. */
  readonly conv2dFilterGradient: (...args: ReadonlyArray<number>) => void
  /** x, dy, dx and the dimensions: the arguments `dimensions` lists. */
  readonly maxPoolGrad: (...args: ReadonlyArray<number>) => void
}

const binary = (): Uint8Array => Uint8Array.from(atob(kernelsWasmBase64), (c) => c.charCodeAt(0))

let compiled: WebAssembly.Module | null | undefined
// One instance per emscripten module (a backend re-created after `removeBackend` has a new one);
// null where the memory cannot be imported (the threaded build's shared memory).
const instances = new WeakMap<object, Gemm | null>()

const instantiate = (memory: WebAssembly.Memory): Gemm | null => {
  try {
    compiled ??= new WebAssembly.Module(binary() as BufferSource)
    // A plain object (the exports object is frozen), so that a test can count calls.
    return { ...new WebAssembly.Instance(compiled, { env: { memory } }).exports } as unknown as Gemm
  } catch {
    compiled = compiled === undefined ? null : compiled
    return null
  }
}

/** The backend's `WebAssembly.Memory` (emscripten keeps it as `asm.memory`, or `wasmMemory`). */
const memoryOf = (module: EmscriptenModule): WebAssembly.Memory | undefined => {
  const memory = module.asm?.memory ?? module.wasmMemory
  return memory instanceof WebAssembly.Memory && !(memory.buffer instanceof SharedArrayBuffer)
    ? memory
    : undefined
}

/** This package's kernels over `backend`'s memory, or undefined where they cannot run there. */
export const gemmFor = (backend: WasmBackend): Gemm | undefined => {
  const module = backend.wasm
  let instance = instances.get(module)
  if (instance === undefined) {
    const memory = memoryOf(module)
    instance = memory === undefined ? null : instantiate(memory)
    instances.set(module, instance)
  }
  return instance ?? undefined
}

/** The attributes that place a convolution's or a pooling's window (no dilation). */
export interface Window {
  readonly strides: number | [number, number]
  readonly pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding
  readonly dimRoundingMode?: "floor" | "round" | "ceil"
}

/**
 * The geometry of a window `filterShape` ([height, width, in channels, out channels]) sliding
 * over an NHWC input of shape `inputShape` (a pooling's filter has as many out channels as in).
 */
export const nhwc = (
  inputShape: ReadonlyArray<number>,
  filterShape: readonly [number, number, number, number],
  window: Window,
): tf.backend_util.Conv2DInfo =>
  tf.backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    [...filterShape],
    window.strides,
    1,
    window.pad,
    window.dimRoundingMode,
  )

/**
 * The arguments of the module's convolution and pooling kernels: the byte addresses of their
 * three tensors (two inputs, the output), then batch, input height, width, channels, output
 * height, width, channels, filter height, width, strides, and the padding at the top and left.
 */
export const dimensions = (
  backend: WasmBackend,
  tensors: readonly [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo],
  info: tf.backend_util.Conv2DInfo,
): ReadonlyArray<number> => [
  ...tensors.map((t) => addressOf(backend, t)),
  info.batchSize,
  info.inHeight,
  info.inWidth,
  info.inChannels,
  info.outHeight,
  info.outWidth,
  info.outChannels,
  info.filterHeight,
  info.filterWidth,
  info.strideHeight,
  info.strideWidth,
  info.padInfo.top,
  info.padInfo.left,
]

/** The byte address of a tensor's data on the heap. */
export const addressOf = (backend: WasmBackend, info: tf.TensorInfo): number => {
  const data = backend.dataIdMap.get(info.dataId)
  if (data === undefined) throw new Error("@vicinal/kernels: a tensor's data is not on the wasm heap")
  return data.memoryOffset
}

/** A float32 view of `length` values at byte `address` (take it after the kernel's last allocation). */
export const floats = (backend: WasmBackend, address: number, length: number): Float32Array =>
  new Float32Array(backend.wasm.HEAPF32.buffer, address, length)

/** A float32 view of a tensor's data on the heap (take it after the kernel's last allocation). */
export const view = (backend: WasmBackend, info: tf.TensorInfo): Float32Array =>
  floats(
    backend,
    addressOf(backend, info),
    info.shape.reduce((p, d) => p * d, 1),
  )

/** Run `body` with `bytes` of 16-byte-aligned scratch on the heap, freed afterwards. */
export const withScratch = <A>(backend: WasmBackend, bytes: number, body: (address: number) => A): A => {
  const raw = backend.wasm._malloc(bytes + 16)
  try {
    return body((raw + 15) & ~15)
  } finally {
    backend.wasm._free(raw)
  }
}
