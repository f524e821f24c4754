/**
 * One wasm configuration (SIMD on/off, threads) measured on an ERM training step. Each
 * configuration needs its own process: tfjs reads the wasm flags once, at initialisation.
 */
import { Plan } from "@vicinal/core"
import { Optimizer, Run } from "@vicinal/train"
import * as Describe from "../Describe.ts"
import * as Env from "../Env.ts"
import * as Harness from "../Harness.ts"
import { type Row, row, skipped } from "../Report.ts"
import * as Training from "./Training.ts"

export const SECTION = "wasm configurations (ERM step, MLP 784-512-512-10; one process per configuration)"

export interface WasmConfigOptions {
  readonly runtime: string
  readonly name: string
  readonly setup: Env.WasmSetup
  readonly batchSize: number
  readonly harness: Harness.Options
}

export const rows = async (options: WasmConfigOptions): Promise<ReadonlyArray<Row>> => {
  const base = { id: `wasm.${options.name}`, section: SECTION, runtime: options.runtime }
  const used = await Env.use("wasm", options.setup)
  if (!used.ok)
    return [
      skipped({
        ...base,
        title: `wasm ${options.name}: ERM step time`,
        backend: `wasm ${options.name}`,
        unit: "ms",
        detail: `fails to initialise: ${used.reason}`,
      }),
    ]
  const net = Training.buildModel("mlp")
  const host = Training.hostBatch("mlp", options.batchSize, 7)
  const optimizer = Optimizer.sgd({ lr: 0.01, momentum: 0.9 })
  const plan = Plan.identity(options.batchSize)
  try {
    const m = await Harness.measure(() => Run.trainStep(net, optimizer, plan, host, 0.01), options.harness)
    return [
      row({
        ...base,
        title: `wasm ${options.name}: ERM step time, batch ${options.batchSize}`,
        backend: used.label,
        value: m.summary.median,
        unit: "ms",
        detail: Describe.measurement(m),
      }),
    ]
  } finally {
    optimizer.dispose()
    net.dispose()
  }
}
