/**
 * The kernels tfjs-backend-wasm registered for the kernel names this package replaces, kept so
 * that a replacement can hand a case it does not cover back to them and `Kernels.unregister()`
 * can put them back.
 */
import * as tf from "@tensorflow/tfjs-core"

export const BACKEND = "wasm"

const saved = new Map<string, tf.KernelConfig>()
// The backends each saved kernel's setup (its bindings into the backend's module) has run for:
// once replaced, a stock kernel is no longer in the registry, so tfjs does not set it up for a
// backend created later.
const setUp = new WeakMap<object, Set<string>>()

export const save = (config: tf.KernelConfig): void => {
  saved.set(config.kernelName, config)
}

export const get = (kernelName: string): tf.KernelConfig | undefined => saved.get(kernelName)

/** Run a stock kernel's setup for `backend` unless it ran (here) before. */
export const setUpFor = (config: tf.KernelConfig, backend: tf.KernelBackend): void => {
  const done = setUp.get(backend) ?? new Set<string>()
  if (done.has(config.kernelName)) return
  config.setupFunc?.(backend)
  done.add(config.kernelName)
  setUp.set(backend, done)
}

/** Run the stock kernel of `kernelName` (throws if wasm has none, which the callers rule out). */
export const run = (kernelName: string, args: Parameters<tf.KernelFunc>[0]): ReturnType<tf.KernelFunc> => {
  const config = saved.get(kernelName) ?? tf.getKernel(kernelName, BACKEND)
  if (config === undefined) throw new Error(`@vicinal/kernels: the wasm backend has no ${kernelName} kernel`)
  setUpFor(config, args.backend as tf.KernelBackend)
  return config.kernelFunc(args)
}
