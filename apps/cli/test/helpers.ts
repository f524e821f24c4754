/** Running the real entry point as a child process of the runtime under test (Bun or Deno). */
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
export const main = resolve(here, "../src/main.ts")

declare const Deno: { execPath: () => string } | undefined

export const command = (args: ReadonlyArray<string>): [string, ReadonlyArray<string>] =>
  typeof Deno !== "undefined"
    ? [Deno.execPath(), ["run", "-A", "--no-check", "--no-lock", main, ...args]]
    : [process.execPath, [main, ...args]]

export interface Result {
  readonly code: number | null
  /** The signal the child died of, as the parent saw it. */
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Run `vicinal args...`; `onStderr` sees progress as it comes (e.g. to send Ctrl-C). */
export const run = (
  args: ReadonlyArray<string>,
  options: { readonly onStderr?: (text: string, kill: (signal: NodeJS.Signals) => void) => void } = {},
): Promise<Result> =>
  new Promise((resolveResult, reject) => {
    const [bin, argv] = command(args)
    const child = spawn(bin, [...argv], {
      env: { ...process.env, NO_COLOR: "1", VICINAL_PROGRESS_EVERY: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
      options.onStderr?.(stderr, (signal) => child.kill(signal))
    })
    child.on("error", reject)
    child.on("close", (code, signal) => resolveResult({ code, signal, stdout, stderr }))
  })

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `vicinal-cli-${prefix}-`))

/** An unfinished run of a sweep's results folder past its first checkpoint. */
export interface CheckpointedRun {
  readonly id: string
  /** The run's `worker.json`: `pid` of the run's own process, `parent` of the runner that started it. */
  readonly worker: { readonly pid: number; readonly parent?: number }
}

const readWorker = (path: string): CheckpointedRun["worker"] | undefined => {
  try {
    return JSON.parse(readFileSync(path, "utf8"))
  } catch {
    // Being written: not there yet.
    return undefined
  }
}

/** The first run (by id) of `out`/runs without a summary whose `checkpoints/` holds a `.vck` file. */
export const checkpointedRun = (out: string): CheckpointedRun | undefined => {
  const runs = join(out, "runs")
  if (!existsSync(runs)) return undefined
  for (const id of readdirSync(runs).sort()) {
    const dir = join(runs, id)
    const checkpoints = join(dir, "checkpoints")
    if (existsSync(join(dir, "summary.json")) || !existsSync(checkpoints)) continue
    if (!readdirSync(checkpoints).some((f) => f.endsWith(".vck"))) continue
    const worker = readWorker(join(dir, "worker.json"))
    if (worker !== undefined) return { id, worker }
  }
  return undefined
}

/**
 * Every 20 ms, hand `checkpointedRun(out)` to `kill` until it returns; `killed()` is what it
 * returned. A process gone already (the run finished meanwhile) throws and the search goes on.
 */
export const killMidRun = <A>(out: string, kill: (run: CheckpointedRun) => A) => {
  let killed: A | undefined
  const timer = setInterval(() => {
    const found = killed === undefined ? checkpointedRun(out) : undefined
    if (found === undefined) return
    try {
      killed = kill(found)
    } catch {
      // Finished in the meantime: look again.
    }
  }, 20)
  return { stop: () => clearInterval(timer), killed: () => killed }
}

/** A sweep file of tiny mixup MLP runs on two moons (3 epochs each): `axes` as YAML lines. */
export const tinySweepYaml = (name: string, axes: string, seeds: string) => `
name: ${name}
base:
  epochs: 3
  batchSize: 20
  backend: cpu
  strategy: { _tag: Mixup, lambda: { _tag: Beta, a: 1, b: 1 }, pairing: { _tag: RandomPermutation }, granularity: batch, labels: interpolate }
  model: { kind: mlp, hidden: [16] }
  data: { dataset: twoMoons, n: 400, noise: 0.2 }
  optimizer: { _tag: sgd, lr: 0.05, momentum: 0.9, weightDecay: 0 }
  schedule: { _tag: constant }
axes:
${axes}
seeds: ${seeds}
`
