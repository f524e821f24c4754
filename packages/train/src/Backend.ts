/**
 * Choosing the tfjs backend a run computes on.
 *
 * `select("auto")` tries, in order, tfjs-node-gpu, tfjs-node, wasm and cpu, and keeps the first
 * that is installed and initialises; `select("wasm")` (etc.) insists on one. Either way the
 * report says what was chosen and why each other candidate was skipped, so a run's log shows
 * what it really ran on. The native packages are optional: they are loaded with a dynamic
 * `import()` and their absence is a reason, not an error.
 *
 * wasm runs with SIMD when the runtime validates SIMD modules (Bun and Deno do). Its threaded
 * build is used only where tfjs enables it (browsers with cross-origin isolation): tfjs 4.22
 * turns threads off whenever it detects a Node-like runtime (`IS_NODE`, true on Bun and Deno),
 * and forcing the flag on makes initialisation fail there, so on Bun/Deno wasm is single-threaded.
 */
import * as tf from "@tensorflow/tfjs-core"
// Registers the wasm backend's training kernels on import (the gradient of gather, which wasm
// lacks, and fast transposed matmuls, conv and pool gradients); `Kernels.unregister()` turns them off.
import "@vicinal/kernels"
import { Context, Effect, Layer, Schema } from "effect"
import { BackendError, describe } from "./Errors.ts"

/** The candidates, fastest first. */
export const candidates = ["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"] as const
export type BackendName = (typeof candidates)[number]
export type BackendChoice = BackendName | "auto"

export const BackendChoiceSchema: Schema.Literals<readonly ["auto", ...typeof candidates]> = Schema.Literals([
  "auto",
  ...candidates,
])

export interface Attempt {
  readonly name: BackendName
  readonly ok: boolean
  /** Why it was skipped, or how it was set up when chosen. */
  readonly reason: string
}

export interface BackendReport {
  readonly name: BackendName
  /** The name tfjs registered it under (`tensorflow`, `wasm`, `cpu`). */
  readonly tfjsBackend: string
  readonly simd: boolean
  readonly threads: number
  /** Every candidate tried, in order; the last one with `ok` is the choice. */
  readonly attempts: ReadonlyArray<Attempt>
  /** The candidates not tried, and why (one was chosen before them, or the config named another). */
  readonly notTried: ReadonlyArray<{ readonly name: BackendName; readonly reason: string }>
}

interface Candidate {
  readonly load: () => Promise<unknown>
  readonly tfjsBackend: string
}

// Specifiers held in variables so that type checking and bundlers do not require the optional packages.
const nodeGpuPackage = "@tensorflow/tfjs-node-gpu"
const nodePackage = "@tensorflow/tfjs-node"

const table: Record<BackendName, Candidate> = {
  "tfjs-node-gpu": { load: () => import(nodeGpuPackage), tfjsBackend: "tensorflow" },
  "tfjs-node": { load: () => import(nodePackage), tfjsBackend: "tensorflow" },
  wasm: { load: () => import("@tensorflow/tfjs-backend-wasm"), tfjsBackend: "wasm" },
  cpu: { load: () => import("@tensorflow/tfjs-backend-cpu"), tfjsBackend: "cpu" },
}

const firstLine = (text: string): string => text.split("\n")[0] ?? text

interface WasmModule {
  readonly setThreadsCount: (n: number) => void
  readonly getThreadsCount: () => number
}

const isWasmModule = (module: unknown): module is WasmModule =>
  typeof module === "object" && module !== null && "setThreadsCount" in module && "getThreadsCount" in module

// wasm reads its flags once at initialisation; threads must be requested before `setBackend`.
const prepareWasm = async (module: unknown): Promise<string> => {
  const threaded = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")
  const cores = typeof navigator !== "undefined" ? (navigator.hardwareConcurrency ?? 1) : 1
  if (threaded === true && isWasmModule(module) && tf.getBackend() !== "wasm") {
    module.setThreadsCount(cores)
    return `threads: ${cores}`
  }
  return tf.env().getBool("IS_NODE")
    ? "threads: 1 (tfjs disables the threaded wasm build on Node-like runtimes)"
    : "threads: 1 (SharedArrayBuffer/cross-origin isolation unavailable)"
}

/** How to import each candidate's package; tests replace some to simulate installed ones. */
export type Loaders = Partial<Record<BackendName, () => Promise<unknown>>>

const attempt = async (name: BackendName, loaders: Loaders): Promise<Attempt> => {
  const candidate = table[name]
  let module: unknown
  try {
    module = await (loaders[name] ?? candidate.load)()
  } catch (cause) {
    return { name, ok: false, reason: `not installed: ${firstLine(describe(cause))}` }
  }
  try {
    const note = name === "wasm" ? await prepareWasm(module) : ""
    const ok = await tf.setBackend(candidate.tfjsBackend)
    if (!ok) return { name, ok: false, reason: "installed but failed to initialise" }
    await tf.ready()
    return { name, ok: true, reason: note === "" ? "initialised" : `initialised, ${note}` }
  } catch (cause) {
    return { name, ok: false, reason: `failed to initialise: ${firstLine(describe(cause))}` }
  }
}

const report = async (
  name: BackendName,
  attempts: ReadonlyArray<Attempt>,
  choice: BackendChoice,
): Promise<BackendReport> => {
  const simd = name === "wasm" ? (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true : false
  const wasm = name === "wasm" ? await table.wasm.load() : undefined
  const threads = isWasmModule(wasm) ? wasm.getThreadsCount() : 1
  const notTried = candidates
    .filter((c) => !attempts.some((a) => a.name === c))
    .map((c) => ({
      name: c,
      reason: choice === "auto" ? `${name} was chosen first` : `the config names ${choice}`,
    }))
  return { name, tfjsBackend: tf.getBackend(), simd, threads, attempts, notTried }
}

/**
 * Initialise a backend and make it the current tfjs backend. `"auto"` takes the first candidate
 * that works; a named backend fails with `BackendError` (naming why) if it does not work.
 * `loaders` replaces how some candidates' packages are imported (for tests).
 */
export const select = (
  choice: BackendChoice = "auto",
  loaders: Loaders = {},
): Effect.Effect<BackendReport, BackendError> =>
  Effect.tryPromise({
    try: async (): Promise<BackendReport | BackendError> => {
      const order: ReadonlyArray<BackendName> = choice === "auto" ? candidates : [choice]
      const attempts: Array<Attempt> = []
      for (const name of order) {
        const result = await attempt(name, loaders)
        attempts.push(result)
        if (result.ok) return report(name, attempts, choice)
      }
      const reasons = attempts.map((a) => `${a.name}: ${a.reason}`).join("; ")
      return new BackendError({ backend: choice, message: `backend "${choice}" unavailable (${reasons})` })
    },
    catch: (cause) => new BackendError({ backend: choice, message: describe(cause) }),
  }).pipe(Effect.flatMap((r) => (r instanceof BackendError ? Effect.fail(r) : Effect.succeed(r))))

// An explicitly typed base, as for the tagged errors (see core's Errors.TaggedErrorClass).
const BackendService: Context.ServiceClass<Backend, "@vicinal/train/Backend", BackendReport> =
  Context.Service<Backend, BackendReport>()("@vicinal/train/Backend")
/** The backend a run computes on, as a service. */
export class Backend extends BackendService {}

/** Provide `Backend` by selecting one (see `select`). */
export const layer = (choice: BackendChoice = "auto"): Layer.Layer<Backend, BackendError> =>
  Layer.effect(Backend)(select(choice))

/** One line per candidate, for logs. */
export const summary = (r: BackendReport): string =>
  [
    `backend: ${r.name} (simd: ${r.simd}, threads: ${r.threads})`,
    ...r.attempts.map((a) => `  ${a.ok ? "chose" : "skipped"} ${a.name}: ${a.reason}`),
    ...r.notTried.map((n) => `  not tried ${n.name}: ${n.reason}`),
  ].join("\n")
