/**
 * One benchmark process's work. The orchestrator (`main.ts`) spawns `worker.ts` once per
 * (runtime, job), because wasm flags are read only at the backend's first initialisation.
 */
import * as Env from "./Env.ts"
import type * as Harness from "./Harness.ts"
import { type Row, row, skipped } from "./Report.ts"
import * as Fit from "./suites/Fit.ts"
import * as KernelsSuite from "./suites/Kernels.ts"
import * as Loop from "./suites/Loop.ts"
import * as Mixing from "./suites/Mixing.ts"
import * as Soak from "./suites/Soak.ts"
import * as Training from "./suites/Training.ts"
import * as WasmConfig from "./suites/WasmConfig.ts"

export type Job =
  | { readonly _tag: "Host"; readonly quick: boolean }
  | {
      readonly _tag: "Backend"
      readonly backend: Env.BackendName
      readonly quick: boolean
      readonly models: ReadonlyArray<Training.ModelKind>
    }
  | {
      readonly _tag: "WasmConfig"
      readonly name: string
      readonly setup: Env.WasmSetup
      readonly quick: boolean
    }
  | { readonly _tag: "Soak"; readonly steps: number; readonly quick: boolean }
  | { readonly _tag: "Kernels"; readonly quick: boolean; readonly torch: boolean; readonly threads: boolean }
  | { readonly _tag: "Native" }

/** Budgets: `quick` is for the harness's own test (tiny sizes, a couple of samples). */
export const harnessFor = (quick: boolean, budgetMs: number): Harness.Options =>
  quick
    ? { warmup: 1, minSamples: 2, maxSamples: 3, budgetMs: 50, minSampleMs: 1 }
    : { warmup: 2, minSamples: 7, maxSamples: 41, budgetMs, minSampleMs: 25 }

const sizes = (quick: boolean) => (quick ? [8] : [128, 512])

const mixingOptions = (quick: boolean, backend: string): Mixing.MixingOptions => ({
  runtime: Env.runtime(),
  backend,
  sizes: sizes(quick),
  harness: harnessFor(quick, 4000),
  draws: quick ? 1024 : 1 << 20,
})

const trainingHarness =
  (quick: boolean) =>
  (kind: Training.ModelKind): Harness.Options =>
    quick
      ? harnessFor(true, 0)
      : kind === "mlp"
        ? { warmup: 1, minSamples: 7, maxSamples: 25, budgetMs: 12_000, minSampleMs: 0 }
        : { warmup: 0, minSamples: 3, maxSamples: 9, budgetMs: 25_000, minSampleMs: 0 }

/** Run one job in this process and return its rows (never throws for an unavailable backend). */
export const run = async (job: Job): Promise<ReadonlyArray<Row>> => {
  const runtime = Env.runtime()
  switch (job._tag) {
    case "Host": {
      const options = mixingOptions(job.quick, "host")
      return [...(await Mixing.betaRows(options)), ...(await Mixing.hostRows(options))]
    }
    case "Backend": {
      const used = await Env.use(job.backend)
      if (!used.ok)
        return [
          skipped({
            id: `backend.${job.backend}`,
            section: "Backends",
            title: `${job.backend} backend`,
            runtime,
            backend: job.backend,
            detail: used.reason,
          }),
        ]
      const mixing = await Mixing.tensorRows(mixingOptions(job.quick, used.label))
      const training = await Training.rows({
        runtime,
        backend: used.label,
        models: job.models,
        batchSize: job.quick ? 8 : 128,
        mlpHidden: job.quick ? [16] : Training.PAPER_MLP,
        harness: trainingHarness(job.quick),
        maxStepMs: job.quick ? 60_000 : 12_000,
      })
      const loop = job.models.includes("mlp")
        ? await Loop.rows({
            runtime,
            backend: used.label,
            backendName: job.backend,
            batchSize: job.quick ? 8 : 128,
            batches: job.quick ? 2 : 8,
            testSize: job.quick ? 8 : 128,
            hidden: job.quick ? [16] : [512, 512],
            harness: job.quick
              ? harnessFor(true, 0)
              : { warmup: 1, minSamples: 5, maxSamples: 15, budgetMs: 15_000, minSampleMs: 0 },
          })
        : []
      const fit = job.models.includes("mlp")
        ? await Fit.rows({
            runtime,
            backend: used.label,
            batchSize: job.quick ? 8 : 128,
            batches: job.quick ? 2 : 4,
            hidden: job.quick ? [16] : [128],
            harness: job.quick
              ? harnessFor(true, 0)
              : { warmup: 1, minSamples: 7, maxSamples: 25, budgetMs: 15_000, minSampleMs: 0 },
          })
        : []
      return [...mixing, ...training, ...loop, ...fit]
    }
    case "WasmConfig":
      return WasmConfig.rows({
        runtime,
        name: job.name,
        setup: job.setup,
        batchSize: job.quick ? 8 : 128,
        harness: job.quick
          ? harnessFor(true, 0)
          : { warmup: 2, minSamples: 7, maxSamples: 25, budgetMs: 10_000, minSampleMs: 0 },
      })
    case "Kernels": {
      const used = await Env.use("wasm")
      if (!used.ok)
        return [
          skipped({
            id: "kernels",
            section: KernelsSuite.SECTION,
            title: "replacement wasm kernels",
            runtime,
            backend: "wasm",
            detail: `wasm fails to initialise: ${used.reason}`,
          }),
        ]
      return KernelsSuite.rows({
        runtime,
        backend: used.label,
        batch: job.quick ? 8 : 128,
        models: ["mlp", "cnn"],
        torch: job.torch,
        threads: job.threads,
        harness: (model) =>
          job.quick
            ? harnessFor(true, 0)
            : model === "mlp"
              ? { warmup: 1, minSamples: 9, maxSamples: 41, budgetMs: 15_000, minSampleMs: 0 }
              : { warmup: 1, minSamples: 7, maxSamples: 21, budgetMs: 30_000, minSampleMs: 0 },
      })
    }
    case "Soak": {
      const used = await Env.use("wasm")
      const backend = used.ok ? "wasm" : "cpu"
      if (!used.ok) await Env.use("cpu")
      return Soak.rows({
        runtime,
        backend: await Env.label(backend),
        steps: job.steps,
        batchSize: job.quick ? 8 : 128,
        hidden: job.quick ? [8] : [128],
      })
    }
    case "Native": {
      const reason = await Env.nativeAvailability()
      return [
        reason === undefined
          ? row({
              id: "backend.tfjs-node",
              section: "Backends",
              title: "tfjs-node backend",
              runtime,
              backend: "tfjs-node",
              value: null,
              unit: "",
              detail: "importable, but not benchmarked by this suite yet",
            })
          : skipped({
              id: "backend.tfjs-node",
              section: "Backends",
              title: "tfjs-node backend",
              runtime,
              backend: "tfjs-node",
              detail: reason,
            }),
      ]
    }
  }
}
