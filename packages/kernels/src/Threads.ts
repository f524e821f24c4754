/**
 * The GEMM split between the calling thread and one helper thread (`Kernels.setThreads(2)`; one
 * thread by default). The wasm backend's memory is not shared (only tfjs's threaded build has a
 * shared memory), so the helper works in a shared memory of its own: the caller copies A and the
 * packed B there, wakes the helper, computes the first rows of C in the backend's memory while
 * the helper computes the others, waits, and copies the helper's rows back. Rows of C are
 * independent and each is the same sequence of float32 operations on either thread, so the
 * result is the same bits as with one thread.
 *
 * The helper is a `node:worker_threads` worker (Bun and Deno have it; a web Worker cannot be
 * unref'd on Deno, so a parked one would keep the process alive), blocked in `Atomics.wait`
 * between products; the caller blocks the same way, since a kernel must return synchronously.
 */
import { kernelsSharedWasmBase64 } from "./KernelsSharedBinary.ts"

/** Products with fewer multiply-adds than this stay on one thread (waking the helper and the copies cost more). */
export const MIN_SPLIT_MACS = 1 << 20

// Rows of the register tile: the helper's first row is a multiple of it.
const MR = 4
const PAGE = 65536
// A shared memory reserves its maximum up front; 1 GB bounds a product's A, packed B and C here.
const MAXIMUM_PAGES = 16384

// The control words (an Int32Array over a SharedArrayBuffer): the job's sequence number (the
// caller increments it), the last finished job's, whether to quit, whether the job failed, then
// the `gemmPacked` arguments.
const word = { job: 0, done: 1, quit: 2, failed: 3, args: 4 } as const

// The helper's code (CommonJS, evaluated by node:worker_threads in Bun and in Deno).
const helperSource = `
const { parentPort } = require("node:worker_threads")
parentPort.once("message", ({ memory, binary, control }) => {
  const kernels = new WebAssembly.Instance(new WebAssembly.Module(binary), { env: { memory } }).exports
  const words = new Int32Array(control)
  let seen = 0
  parentPort.postMessage("ready")
  for (;;) {
    Atomics.wait(words, ${word.job}, seen)
    seen = Atomics.load(words, ${word.job})
    if (Atomics.load(words, ${word.quit}) === 1) break
    const a = (i) => words[${word.args} + i]
    try {
      kernels.gemmPacked(a(0) >>> 0, a(1), a(2), a(3) >>> 0, a(4) >>> 0, a(5), a(6), a(7))
    } catch (error) {
      Atomics.store(words, ${word.failed}, 1)
    }
    Atomics.store(words, ${word.done}, seen)
    Atomics.notify(words, ${word.done})
  }
})
`

interface HelperWorker {
  readonly postMessage: (message: unknown) => void
  readonly once: (event: string, listener: (value: unknown) => void) => void
  readonly unref: () => void
  readonly terminate: () => Promise<number>
}

interface Helper {
  readonly worker: HelperWorker
  readonly memory: WebAssembly.Memory
  readonly words: Int32Array
  job: number
}

let helper: Helper | undefined
let starting: Promise<Helper> | undefined
let threads = 1

const binary = (): Uint8Array => Uint8Array.from(atob(kernelsSharedWasmBase64), (c) => c.charCodeAt(0))

const start = async (): Promise<Helper> => {
  const { Worker } = (await import("node:worker_threads")) as unknown as {
    readonly Worker: new (source: string, options: { readonly eval: true }) => HelperWorker
  }
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAXIMUM_PAGES, shared: true })
  const words = new Int32Array(new SharedArrayBuffer(4 * (word.args + 8)))
  const worker = new Worker(helperSource, { eval: true })
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve())
    worker.once("error", (error) => reject(error))
    worker.postMessage({ memory, binary: binary(), control: words.buffer })
  })
  // A parked helper must not keep the process alive.
  worker.unref()
  return { worker, memory, words, job: 0 }
}

/** The number of threads the GEMM runs on (1 or 2). */
export const count = (): number => threads

/**
 * Run the GEMM on `n` threads (1 or 2). Two start the helper on first use (hence the promise);
 * switching between 1 and 2 once it runs takes effect at once. Where `node:worker_threads` is
 * missing (a browser) two are refused with the reason.
 */
export const setThreads = async (n: number): Promise<void> => {
  if (n !== 1 && n !== 2)
    throw new Error(`Kernels.setThreads: n is ${n}, expected 1 or 2 (one helper thread at most); pass 1 or 2`)
  if (n === 1) {
    threads = 1
    return
  }
  if (helper === undefined) {
    starting ??= start()
    try {
      helper = await starting
    } finally {
      starting = undefined
    }
  }
  threads = 2
}

/** Stop the helper thread (the GEMM runs on one thread until `setThreads(2)`). */
export const stop = async (): Promise<void> => {
  threads = 1
  const h = helper
  helper = undefined
  if (h === undefined) return
  Atomics.store(h.words, word.quit, 1)
  Atomics.store(h.words, word.job, h.job + 1)
  Atomics.notify(h.words, word.job)
  await h.worker.terminate()
}

/** The rows of C the helper computes (from `first` on), or undefined to keep the product on one thread. */
const helperRows = (m: number, n: number, k: number): number | undefined => {
  if (threads < 2 || helper === undefined || m < 2 * MR || m * n * k < MIN_SPLIT_MACS) return undefined
  return Math.floor(m / 2 / MR) * MR
}

const aligned = (bytes: number): number => (bytes + 15) & ~15

/** The parts of the backend's memory and of the GEMM a split product uses. */
export interface Product {
  /** The backend's memory, as bytes (taken after the kernel's last allocation). */
  readonly heap: Uint8Array
  readonly gemmPacked: (...args: ReadonlyArray<number>) => void
  readonly a: number
  readonly aRow: number
  readonly aCol: number
  readonly pack: number
  readonly packBytes: number
  readonly c: number
  readonly m: number
  readonly n: number
  readonly k: number
}

const ensureBytes = (memory: WebAssembly.Memory, bytes: number): void => {
  const missing = Math.ceil((bytes - memory.buffer.byteLength) / PAGE)
  if (missing > 0) memory.grow(missing)
}

/**
 * C = A . packed B (the arguments of `gemmPacked`, over the backend's memory), on the threads
 * set with `setThreads`: the helper takes the rows from `first` on when the product is large.
 */
export const gemm = (p: Product): void => {
  const first = helperRows(p.m, p.n, p.k)
  // The helper's memory: all of A (its rows may be strided), the packed B, its rows of C.
  const aBytes = p.m * p.k * 4
  const pack = aligned(aBytes)
  const c = pack + aligned(p.packBytes)
  const rows = p.m - (first ?? 0)
  const h = helper
  if (first === undefined || h === undefined || c + rows * p.n * 4 > MAXIMUM_PAGES * PAGE) {
    p.gemmPacked(p.a, p.aRow, p.aCol, p.pack, p.c, p.m, p.n, p.k)
    return
  }
  ensureBytes(h.memory, c + rows * p.n * 4)
  const shared = new Uint8Array(h.memory.buffer)
  shared.set(p.heap.subarray(p.a, p.a + aBytes), 0)
  shared.set(p.heap.subarray(p.pack, p.pack + p.packBytes), pack)
  const args = [first * p.aRow * 4, p.aRow, p.aCol, pack, c, rows, p.n, p.k]
  h.words.set(args, word.args)
  h.job += 1
  Atomics.store(h.words, word.job, h.job)
  Atomics.notify(h.words, word.job)
  p.gemmPacked(p.a, p.aRow, p.aCol, p.pack, p.c, first, p.n, p.k)
  for (let done = Atomics.load(h.words, word.done); done !== h.job; done = Atomics.load(h.words, word.done))
    Atomics.wait(h.words, word.done, done)
  if (Atomics.exchange(h.words, word.failed, 0) === 1)
    throw new Error(
      "@vicinal/kernels: the GEMM's helper thread failed; Kernels.setThreads(1) runs it on one thread",
    )
  p.heap.set(shared.subarray(c, c + rows * p.n * 4), p.c + first * p.n * 4)
}
