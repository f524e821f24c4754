/**
 * Registering the replacement kernels with tfjs's kernel registry for the "wasm" backend.
 *
 * Importing `@vicinal/kernels` registers them: nothing else is needed, whichever of this package
 * and `@tensorflow/tfjs-backend-wasm` is imported first. tfjs-backend-wasm registers its kernels
 * when it is imported, and registering a kernel name twice makes tfjs print a warning and keep
 * the later one; so a replacement of a stock kernel is registered only once the stock kernel is
 * there (at import if it is, else when the wasm backend is next set up, through a setup hook
 * registered under a name of our own), replacing it silently: the stock config is unregistered
 * and kept, for the cases a replacement hands back and for `unregister()`. Kernels the backend
 * lacks altogether (`Conv2DBackpropFilter`, `UnsortedSegmentSum`) are registered at once.
 *
 * `unregister()` is the off switch (restores the stock kernels, e.g. to compare speed), and
 * `register()` turns them back on.
 */
import * as tf from "@tensorflow/tfjs-core"
import { composedFilterGradientKernel, conv2dBackpropFilter, conv2dBackpropInput } from "./Conv.ts"
import { gatherV2 } from "./Gather.ts"
import { identity } from "./Identity.ts"
import { batchMatMul, fusedMatMul } from "./MatMul.ts"
import { maxPoolGrad } from "./Pool.ts"
import { sum, unsortedSegmentSumKernel } from "./Reduce.ts"
import * as Stock from "./Stock.ts"
import * as Threads from "./Threads.ts"

const replacement = (kernelName: string, kernelFunc: tf.KernelFunc): tf.KernelConfig => ({
  kernelName,
  backendName: Stock.BACKEND,
  kernelFunc,
})

/** Replacements of stock wasm kernels. */
const replacing: ReadonlyArray<tf.KernelConfig> = [
  replacement("BatchMatMul", batchMatMul),
  replacement("_FusedMatMul", fusedMatMul),
  replacement("Conv2DBackpropInput", conv2dBackpropInput),
  replacement("MaxPoolGrad", maxPoolGrad),
  replacement("Sum", sum),
  replacement("Identity", identity),
  replacement("GatherV2", gatherV2),
]

/** Kernels tfjs-backend-wasm 4.22 does not have. */
const adding: ReadonlyArray<tf.KernelConfig> = [
  replacement("Conv2DBackpropFilter", conv2dBackpropFilter),
  replacement("UnsortedSegmentSum", unsortedSegmentSumKernel),
]

/**
 * What the off switch leaves for the kernels wasm lacks, so that networks still train with it:
 * the filter gradient composed of stock ops (slices and matmuls; what this project used before
 * the GEMM), and the same segment sum (it has no stock counterpart to compare with).
 */
const baselines: ReadonlyArray<tf.KernelConfig> = [
  replacement("Conv2DBackpropFilter", composedFilterGradientKernel),
  adding[1]!,
]

/** The kernel names this package registers for "wasm". */
export const kernelNames: ReadonlyArray<string> = [...replacing, ...adding].map((c) => c.kernelName)

let enabled = true

const install = (): void => {
  if (!enabled) return
  for (const ours of replacing) {
    const current = tf.getKernel(ours.kernelName, Stock.BACKEND)
    if (current === ours || current === undefined) continue
    Stock.save(current)
    tf.unregisterKernel(ours.kernelName, Stock.BACKEND)
    tf.registerKernel(ours)
  }
  for (const ours of adding) {
    const current = tf.getKernel(ours.kernelName, Stock.BACKEND)
    if (current === ours) continue
    if (current !== undefined && baselines.includes(current))
      tf.unregisterKernel(ours.kernelName, Stock.BACKEND)
    else if (current !== undefined) continue
    tf.registerKernel(ours)
  }
}

// Runs whenever the wasm backend is set (tfjs calls every registered kernel's setup then), by
// which time tfjs-backend-wasm has registered its kernels, whatever the import order was.
const hook: tf.KernelConfig = {
  kernelName: "VicinalKernelsInstall",
  backendName: Stock.BACKEND,
  kernelFunc: () => {
    throw new Error("VicinalKernelsInstall is a registration hook, not an operation")
  },
  setupFunc: install,
}

/** Register the replacement kernels for "wasm" (done on import; idempotent). */
export const register = (): void => {
  enabled = true
  if (tf.getKernel(hook.kernelName, Stock.BACKEND) === undefined) tf.registerKernel(hook)
  install()
}

/**
 * Put the stock wasm kernels back, until `register()`. Of the kernels wasm lacks, the baselines
 * stay: the filter gradient composed of stock ops, and the segment sum.
 */
export const unregister = (): void => {
  enabled = false
  for (const [i, ours] of adding.entries()) {
    if (tf.getKernel(ours.kernelName, Stock.BACKEND) !== ours || baselines[i] === ours) continue
    tf.unregisterKernel(ours.kernelName, Stock.BACKEND)
    tf.registerKernel(baselines[i]!)
  }
  for (const ours of replacing) {
    if (tf.getKernel(ours.kernelName, Stock.BACKEND) !== ours) continue
    tf.unregisterKernel(ours.kernelName, Stock.BACKEND)
    const stock = Stock.get(ours.kernelName)
    if (stock === undefined) continue
    // tfjs sets kernels up when a backend is set; this one was not registered then.
    const backend = tf.findBackend(Stock.BACKEND)
    if (backend !== null) Stock.setUpFor(stock, backend)
    tf.registerKernel(stock)
  }
}

/** Whether every kernel of this package that can be registered now is the registered one. */
export const registered = (): boolean =>
  enabled &&
  [...replacing, ...adding].every((ours) => {
    const current = tf.getKernel(ours.kernelName, Stock.BACKEND)
    return current === ours || current === undefined
  })

/**
 * Run the matmuls' GEMM on `n` threads, 1 (the default) or 2: products of at least
 * `Threads.MIN_SPLIT_MACS` multiply-adds split their rows with a helper thread (a worker sharing
 * a memory with it). Two start the helper on first use; switching back and forth then takes
 * effect at once. Same results, bit for bit, whatever the number. Off by default: whether two
 * threads are faster depends on the machine being otherwise idle (apps/bench measures it).
 */
export const setThreads = Threads.setThreads

/** The number of threads the GEMM runs on. */
export const threads = Threads.count

/** Stop the GEMM's helper thread (back to one thread). */
export const stopThreads = Threads.stop

register()
