/**
 * `bun src/main.ts --profile` (or `npm run profile`): the self time of every wasm kernel in one
 * training step, with the stock kernels and with @vicinal/kernels, so that the next bottleneck
 * is always visible. Every registered wasm kernel's function is wrapped with a timer; a kernel's
 * self time excludes the kernels it runs through the engine. Also measures what XNNPACK's
 * operator cache saves: a product whose weights were seen before against one with a new weight
 * tensor (what every optimiser step hands it).
 */
import * as tf from "@tensorflow/tfjs-core"
import { Kernels } from "@vicinal/kernels"
import * as Env from "./Env.ts"
import * as KernelsSuite from "./suites/Kernels.ts"

interface Tally {
  calls: number
  selfMs: number
}

/** Wrap every registered wasm kernel with a timer; returns the tallies and a function that unwraps. */
const instrument = (): { readonly tallies: Map<string, Tally>; readonly restore: () => void } => {
  const tallies = new Map<string, Tally>()
  const childMs: Array<number> = []
  const originals = tf.getKernelsForBackend("wasm")
  for (const config of originals) {
    const name = config.kernelName
    const inner = config.kernelFunc
    tf.unregisterKernel(name, "wasm")
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const began = performance.now()
        childMs.push(0)
        try {
          return inner(args)
        } finally {
          const total = performance.now() - began
          const children = childMs.pop()!
          const tally = tallies.get(name) ?? { calls: 0, selfMs: 0 }
          tally.calls += 1
          tally.selfMs += total - children
          tallies.set(name, tally)
          if (childMs.length > 0) childMs[childMs.length - 1]! += total
        }
      },
    })
  }
  return {
    tallies,
    restore: () => {
      for (const config of originals) {
        tf.unregisterKernel(config.kernelName, "wasm")
        tf.registerKernel(config)
      }
    },
  }
}

const STEPS = 3

/** Self time per kernel, per step (mean of STEPS steps after two warm-up steps). */
const profileStep = (
  step: KernelsSuite.Step,
  stock: boolean,
): { perKernel: Map<string, Tally>; stepMs: number } => {
  const run = () => (stock ? KernelsSuite.withStockKernels(step.run) : step.run())
  run()
  run()
  if (stock) Kernels.unregister()
  const { tallies, restore } = instrument()
  const began = performance.now()
  try {
    for (let i = 0; i < STEPS; i++) step.run()
  } finally {
    restore()
    if (stock) Kernels.register()
  }
  const perKernel = new Map(
    [...tallies].map(([k, t]) => [k, { calls: t.calls / STEPS, selfMs: t.selfMs / STEPS }]),
  )
  return { perKernel, stepMs: (performance.now() - began) / STEPS }
}

const pad = (text: string, width: number) => text.padStart(width)

const table = (
  model: KernelsSuite.Model,
  stock: ReturnType<typeof profileStep>,
  ours: ReturnType<typeof profileStep>,
) => {
  const names = [...new Set([...stock.perKernel.keys(), ...ours.perKernel.keys()])].sort(
    (a, b) => (ours.perKernel.get(b)?.selfMs ?? 0) - (ours.perKernel.get(a)?.selfMs ?? 0),
  )
  const lines = [
    `${KernelsSuite.describeModel(model)}, batch 128: self time per kernel, ms per step (mean of ${STEPS} steps, instrumented)`,
    `${"kernel".padEnd(24)}${pad("calls", 7)}${pad("stock", 10)}${pad("kernels", 10)}${pad("share", 8)}`,
  ]
  for (const name of names) {
    const s = stock.perKernel.get(name)
    const o = ours.perKernel.get(name)
    lines.push(
      `${name.padEnd(24)}${pad(String(o?.calls ?? s?.calls ?? 0), 7)}${pad(s === undefined ? "-" : s.selfMs.toFixed(1), 10)}${pad(
        o === undefined ? "-" : o.selfMs.toFixed(1),
        10,
      )}${pad(o === undefined ? "" : `${((100 * o.selfMs) / ours.stepMs).toFixed(0)}%`, 8)}`,
    )
  }
  lines.push(
    `${"whole step".padEnd(24)}${pad("", 7)}${pad(stock.stepMs.toFixed(1), 10)}${pad(ours.stepMs.toFixed(1), 10)}`,
    "",
  )
  return lines.join("\n")
}

const median = (values: ReadonlyArray<number>) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** ms per call, median of `rounds` interleaved rounds of the two workloads. */
const sideBySide = (a: () => void, b: () => void, rounds = 15): [number, number] => {
  const ta: Array<number> = []
  const tb: Array<number> = []
  a()
  b()
  for (let i = 0; i < rounds; i++)
    for (const [work, into] of i % 2 === 0
      ? ([
          [a, ta],
          [b, tb],
        ] as const)
      : ([
          [b, tb],
          [a, ta],
        ] as const)) {
      const began = performance.now()
      work()
      into.push(performance.now() - began)
    }
  return [median(ta), median(tb)]
}

/** What re-packing weights costs XNNPACK: the same product with cached weights and with a new weight tensor. */
const operatorCache = (): string => {
  const x = tf.randomUniform([128, 784], -1, 1, "float32", 1)
  const w = tf.randomUniform([784, 512], -1, 1, "float32", 2)
  const values = w.dataSync()
  const input = tf.randomUniform([128, 14, 14, 32], -1, 1, "float32", 3)
  const filter = tf.randomUniform([3, 3, 32, 64], -1, 1, "float32", 4)
  const filterValues = filter.dataSync()
  // Both sides upload a weight tensor; only the second multiplies by it (a new tensor id).
  const product = (fresh: boolean) => () =>
    tf.tidy(() => {
      const upload = tf.tensor2d(values, [784, 512])
      tf.matMul(x, fresh ? upload : w).dataSync()
    })
  const convolve = (fresh: boolean) => () =>
    tf.tidy(() => {
      const upload = tf.tensor4d(filterValues, [3, 3, 32, 64])
      tf.conv2d(input as tf.Tensor4D, (fresh ? upload : filter) as tf.Tensor4D, 1, "same").dataSync()
    })
  const stock = (work: () => void) => () => KernelsSuite.withStockKernels(work)
  const [cached, fresh] = sideBySide(stock(product(false)), stock(product(true)))
  const [xnnpack, gemm] = sideBySide(stock(product(true)), product(true))
  const [convCached, convFresh] = sideBySide(convolve(false), convolve(true))
  tf.dispose([x, w, input, filter])
  return [
    "XNNPACK operator cache (weights re-packed when the weight tensor is new, as after every optimiser step):",
    `  matmul [128, 784] . [784, 512]: cached weights ${cached.toFixed(2)} ms, new weight tensor ${fresh.toFixed(2)} ms (re-packing ${(fresh - cached).toFixed(2)} ms a call)`,
    `  the same product (new weight tensor) by @vicinal/kernels' GEMM, which packs per call by design: ${gemm.toFixed(2)} ms vs XNNPACK ${xnnpack.toFixed(2)} ms`,
    `  conv2d 3x3 [128, 14, 14, 32] -> 64: cached filter ${convCached.toFixed(2)} ms, new filter tensor ${convFresh.toFixed(2)} ms (re-packing ${(convFresh - convCached).toFixed(2)} ms a call)`,
    "",
  ].join("\n")
}

/** Print the per-kernel profile of both models' steps and the operator-cache measurement. */
export const run = async (): Promise<void> => {
  const used = await Env.use("wasm")
  if (!used.ok) throw new Error(`the wasm backend does not start here: ${used.reason}`)
  console.log(`${Env.runtime()}, ${used.label}; load average ${Env.loadAverage()}\n`)
  for (const model of ["mlp", "cnn"] as const) {
    const step = KernelsSuite.makeStep(model, 128)
    try {
      const stock = profileStep(step, true)
      const ours = profileStep(step, false)
      console.log(table(model, stock, ours))
    } finally {
      step.dispose()
    }
  }
  console.log(operatorCache())
}
