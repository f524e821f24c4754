/**
 * Where a benchmark runs: which runtime, which tfjs backend and how the wasm backend was set up.
 */
import { readFileSync } from "node:fs"
import process from "node:process"
import "@tensorflow/tfjs-backend-cpu"
import * as wasm from "@tensorflow/tfjs-backend-wasm"
import * as tf from "@tensorflow/tfjs-core"

interface RuntimeGlobals {
  readonly Bun?: { readonly version: string; readonly gc: (force: boolean) => void }
  readonly gc?: () => void
  readonly Deno?: {
    readonly version: { readonly deno: string }
    readonly memoryUsage: () => {
      readonly rss: number
      readonly heapUsed: number
      readonly heapTotal: number
    }
  }
}

const globals = globalThis as unknown as RuntimeGlobals

/** `bun 1.4.5`, `deno 2.9.6` (or `node <version>` as a fallback). */
export const runtime = (): string =>
  globals.Bun !== undefined
    ? `bun ${globals.Bun.version}`
    : globals.Deno !== undefined
      ? `deno ${globals.Deno.version.deno}`
      : `node ${process.versions.node}`

const memoryUsage = () => (globals.Deno !== undefined ? globals.Deno.memoryUsage() : process.memoryUsage())

/** Resident set size in bytes (Deno's own API on Deno, as its node shim may differ). */
export const rss = (): number => memoryUsage().rss

/**
 * The JavaScript heap: bytes in use by live objects (after `collectGarbage`) and bytes the
 * engine has reserved for it, which it grows with the allocation rate and rarely returns.
 */
export const jsHeap = (): { readonly used: number; readonly reserved: number } => {
  const { heapUsed, heapTotal } = memoryUsage()
  return { used: heapUsed, reserved: heapTotal }
}

/**
 * A full garbage collection where the runtime offers one (Bun always; Deno when started with
 * `--v8-flags=--expose-gc`, as the orchestrator does), so that memory readings measure what is
 * retained rather than what is not yet collected. Returns false when none was available.
 */
export const collectGarbage = (): boolean => {
  if (globals.Bun !== undefined) {
    globals.Bun.gc(true)
    return true
  }
  if (globals.gc !== undefined) {
    globals.gc()
    return true
  }
  return false
}

/** Bytes of the wasm backend's heap (it grows and is never returned to the system), if wasm is active. */
export const wasmHeapBytes = (): number | undefined => {
  const backend =
    tf.getBackend() === "wasm" ? (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }) : undefined
  return backend?.wasm?.HEAPU8?.byteLength
}

export type BackendName = "cpu" | "wasm"

export interface WasmSetup {
  readonly simd?: boolean
  /** Request the threaded build with this many threads (tfjs disables it on Node-like runtimes). */
  readonly threads?: number
}

/** Messages tfjs logs while a backend fails to initialise (it throws only a generic error). */
const captureWarnings = async <A>(run: () => Promise<A>): Promise<{ value: A; warnings: Array<string> }> => {
  const warnings: Array<string> = []
  const original = { warn: console.warn, error: console.error }
  const keep = (...args: ReadonlyArray<unknown>) => {
    warnings.push(args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(" "))
  }
  console.warn = keep
  console.error = keep
  try {
    return { value: await run(), warnings }
  } finally {
    console.warn = original.warn
    console.error = original.error
  }
}

/**
 * Make `name` the current backend; for wasm, apply `setup` first (flags are read once, at the
 * backend's first initialisation in a process). Returns a description, or an error text.
 */
export const use = async (
  name: BackendName,
  setup: WasmSetup = {},
): Promise<
  { readonly ok: true; readonly label: string } | { readonly ok: false; readonly reason: string }
> => {
  if (name === "wasm") {
    if (setup.simd !== undefined) tf.env().set("WASM_HAS_SIMD_SUPPORT", setup.simd)
    if (setup.threads !== undefined && setup.threads > 1) {
      tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true)
      wasm.setThreadsCount(setup.threads)
    }
  }
  const { value, warnings } = await captureWarnings(async () => {
    try {
      const ok = await tf.setBackend(name)
      await tf.ready()
      return ok
    } catch (error) {
      warnings.push(error instanceof Error ? error.message : String(error))
      return false
    }
  }).then(({ value, warnings }) => ({ value, warnings }))
  if (!value || tf.getBackend() !== name) {
    const cause = warnings.find((w) => /Error/.test(w)) ?? warnings.at(-1) ?? "setBackend returned false"
    return { ok: false, reason: cause.split("\n")[0]!.slice(0, 240) }
  }
  return { ok: true, label: await label(name) }
}

export const label = async (name: string): Promise<string> => {
  if (name !== "wasm") return name
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true
  const threads = wasm.getThreadsCount()
  return `wasm (${simd ? "SIMD" : "no SIMD"}, ${threads} thread${threads === 1 ? "" : "s"})`
}

// Held in a variable so that type checking does not require the optional package.
const nativePackage = "@tensorflow/tfjs-node"

/** Whether the native backend could be benchmarked here; the reason when not. */
export const nativeAvailability = async (): Promise<string | undefined> => {
  try {
    await import(nativePackage)
    return undefined
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return `${nativePackage} is not importable (${message.split("\n")[0]!.slice(0, 120)}); it downloads a native TensorFlow binary at install time, which this machine cannot fetch`
  }
}

/** The 1, 5 and 15 minute load averages (Linux), or "unknown". */
export const loadAverage = (): string => {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")
  } catch {
    return "unknown"
  }
}
