/**
 * The WebAssembly kernels (assembly/kernels.ts): bulk Beta sampling with the same bits on every
 * engine. The module is compiled and instantiated synchronously on first use (it is a few KB;
 * browsers allow that on the main thread); where WebAssembly is missing, `available()` is false
 * and callers use their JavaScript paths.
 */
import { kernelsWasmBase64 } from "./KernelsBinary.ts"

interface Exports {
  readonly memory: WebAssembly.Memory
  readonly heapBase: () => number
  readonly betaJohnk: (a: number, b: number, out: number, n: number, state: number) => void
  readonly betaGammaRatio: (a: number, b: number, out: number, n: number, state: number) => void
}

// undefined: not tried yet; null: not available here.
let kernels: Exports | null | undefined

const instantiate = (): Exports | null => {
  try {
    const bytes = Uint8Array.from(atob(kernelsWasmBase64), (c) => c.charCodeAt(0))
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as Exports
  } catch {
    return null
  }
}

const get = (): Exports | null => {
  if (kernels === undefined) kernels = instantiate()
  return kernels
}

/** Whether the kernels run here (WebAssembly is available). */
export const available = (): boolean => get() !== null

const PAGE = 65536
const align = (bytes: number): number => (bytes + 15) & ~15

/** The start of `bytes` of scratch memory, grown if needed (views made before are then stale). */
const reserve = (k: Exports, bytes: number): number => {
  const base = align(k.heapBase())
  const missing = base + bytes - k.memory.buffer.byteLength
  if (missing > 0) k.memory.grow(Math.ceil(missing / PAGE))
  return base
}

// Beta draws per kernel call: bounds the scratch memory for any `out` length.
const BETA_CHUNK = 1 << 16

/**
 * Fill `out` with Beta(a, b) draws from the sfc32 generator whose four words are `state`
 * (advanced in place). Jöhnk's method when both shapes are below 1, else the Gamma ratio.
 * Returns false (and leaves `out` alone) where the kernels are not available.
 */
export const fillBeta = (
  a: number,
  b: number,
  out: Float32Array | Float64Array,
  state: Int32Array,
): boolean => {
  const k = get()
  if (k === null) return false
  const base = reserve(k, 16 + 8 * Math.min(out.length, BETA_CHUNK))
  const words = new Int32Array(k.memory.buffer, base, 4)
  const draws = new Float64Array(k.memory.buffer, base + 16, Math.min(out.length, BETA_CHUNK))
  words.set(state)
  const kernel = a < 1 && b < 1 ? k.betaJohnk : k.betaGammaRatio
  for (let i = 0; i < out.length; i += BETA_CHUNK) {
    const n = Math.min(BETA_CHUNK, out.length - i)
    kernel(a, b, draws.byteOffset, n, base)
    out.set(n === draws.length ? draws : draws.subarray(0, n), i)
  }
  state.set(words)
  return true
}
