/**
 * The whole benchmark run: one worker process per (runtime, job), the derived cross-process
 * figures (wasm configurations, fastest runtime), the quick reproduction's wall time, and the
 * report files.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { cpus, platform, tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { loadAverage } from "./Env.ts"
import type { Job } from "./Job.ts"
import { decode, type Report, type Row, row, skipped, toMarkdown } from "./Report.ts"
import * as Stats from "./Stats.ts"
import * as KernelsSuite from "./suites/Kernels.ts"
import * as Sweep from "./suites/Sweep.ts"
import * as WasmConfig from "./suites/WasmConfig.ts"

export type RuntimeName = "bun" | "deno"

/** The suites `--suite` can run alone. */
export const suites = ["kernels"] as const
export type Suite = (typeof suites)[number]

export interface RunOptions {
  readonly runtimes: ReadonlyArray<RuntimeName>
  /** Tiny sizes and budgets: checks the machinery, measures nothing meaningful. */
  readonly quick: boolean
  readonly soak: boolean
  readonly wasmConfigs: boolean
  readonly reproduce: boolean
  /** The sweep row: `vicinal sweep run` with 2 workers / 1 worker (default: not run). */
  readonly sweep?: boolean
  /** Also train the CNN on the cpu backend (slow: tens of seconds per step on a loaded 2-core machine). */
  readonly cnnOnCpu: boolean
  /** Time PyTorch (when `import torch` works) in the kernels suite. */
  readonly torch: boolean
  /** Time the kernels' GEMM on 2 threads against 1 in the kernels suite (default: yes). */
  readonly threads?: boolean
  /**
   * Run one suite alone: its rows replace that suite's rows of the report already in `outDir`
   * (the other rows are kept, and the report's note says what was re-run when).
   */
  readonly suite?: Suite
  /** Folder for latest.json and latest.md; nothing is written when undefined. */
  readonly outDir?: string
  readonly log?: (line: string) => void
}

export const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..")
export const repoRoot = resolve(appRoot, "..", "..")
const bin = (name: string) => join(repoRoot, "node_modules", ".bin", name)
const workerPath = join(appRoot, "src", "worker.ts")
const cliPath = join(repoRoot, "apps", "cli", "src", "main.ts")

// The workspace packages' sources (their `@vicinal/source` export), as the tests use them: what
// is measured is the code as it is, with or without a build.
const sourceCondition = "--conditions=@vicinal/source"

const command = (
  runtime: RuntimeName,
  script: string,
  args: ReadonlyArray<string>,
): [string, Array<string>] =>
  runtime === "bun"
    ? [bin("bun"), [sourceCondition, script, ...args]]
    : [bin("deno"), ["run", "-A", "--no-lock", sourceCondition, "--v8-flags=--expose-gc", script, ...args]]

/** Run `script` on `runtime` (see `command`) to its end, its output captured, without colours. */
const runScript = (
  runtime: RuntimeName,
  script: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly timeoutMs: number; readonly maxBuffer: number },
): SpawnSyncReturns<string> => {
  const [cmd, commandArgs] = command(runtime, script, args)
  return spawnSync(cmd, commandArgs, {
    cwd: options.cwd,
    encoding: "utf8",
    timeout: options.timeoutMs,
    env: { ...process.env, NO_COLOR: "1" },
    maxBuffer: options.maxBuffer,
  })
}

/** The jobs of one runtime, in the order they run. */
export const jobs = (
  options: Pick<RunOptions, "quick" | "soak" | "wasmConfigs" | "cnnOnCpu" | "torch" | "threads" | "suite">,
): ReadonlyArray<Job> => {
  const quick = options.quick
  const models = quick ? (["mlp"] as const) : (["mlp", "cnn"] as const)
  const kernels: Job = { _tag: "Kernels", quick, torch: options.torch, threads: options.threads ?? true }
  if (options.suite === "kernels") return [kernels]
  return [
    { _tag: "Host", quick },
    { _tag: "Native" },
    { _tag: "Backend", backend: "cpu", quick, models: options.cnnOnCpu ? models : ["mlp"] },
    { _tag: "Backend", backend: "wasm", quick, models },
    kernels,
    // Two alternating rounds of the measurable configurations: each is a separate process, so
    // alternating them spreads load changes over both; the threaded build fails fast, once is enough.
    ...(options.wasmConfigs
      ? ([
          ...[0, 1].flatMap(
            (): ReadonlyArray<Job> => [
              { _tag: "WasmConfig", name: "default", setup: {}, quick },
              { _tag: "WasmConfig", name: "no-simd", setup: { simd: false }, quick },
            ],
          ),
          { _tag: "WasmConfig", name: "threads-2", setup: { threads: 2 }, quick },
        ] as const)
      : []),
    ...(options.soak ? [{ _tag: "Soak", steps: quick ? 30 : 2000, quick } as const] : []),
  ]
}

const jobName = (job: Job): string =>
  job._tag === "Backend"
    ? `Backend ${job.backend}`
    : job._tag === "WasmConfig"
      ? `WasmConfig ${job.name}`
      : job._tag

const tail = (text: string): string =>
  text
    .split("\n")
    .filter((l) => /error|Error|fail/.test(l))
    .slice(-2)
    .join(" ")
    .slice(0, 300)

/** Run one job in a fresh process of `runtime`; a crash becomes a skipped row naming it. */
export const runJob = (runtime: RuntimeName, job: Job, timeoutMs: number): ReadonlyArray<Row> => {
  const dir = mkdtempSync(join(tmpdir(), "vicinal-bench-"))
  const out = join(dir, "rows.json")
  try {
    const result = runScript(runtime, workerPath, [JSON.stringify(job), out], {
      cwd: appRoot,
      timeoutMs,
      maxBuffer: 1 << 26,
    })
    try {
      return JSON.parse(readFileSync(out, "utf8")) as ReadonlyArray<Row>
    } catch {
      const why =
        result.error !== undefined
          ? `${result.error.message}`
          : `exit ${result.status}${result.signal === null ? "" : ` (${result.signal})`}: ${tail(`${result.stdout}${result.stderr}`)}`
      return [
        skipped({
          id: `job.${jobName(job).replace(" ", ".").toLowerCase()}`,
          section: "Failed jobs",
          title: jobName(job),
          runtime,
          backend: "",
          detail: `the worker produced no result (${why})`,
        }),
      ]
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Rows measured more than once (the same id, runtime and backend, from separate processes) become one row:
 * the median of their values, with each listed. Other rows pass through in order.
 */
export const mergeRepeats = (rows: ReadonlyArray<Row>): ReadonlyArray<Row> => {
  const key = (r: Row) => `${r.runtime}\u0000${r.backend}\u0000${r.id}`
  const groups = new Map<string, Array<Row>>()
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r])
  const out: Array<Row> = []
  for (const r of rows) {
    const group = groups.get(key(r))!
    if (group[0] !== r) continue
    const values = group.flatMap((g) => (g.value === null ? [] : [g.value]))
    if (group.length === 1 || values.length === 0) {
      out.push(r)
      continue
    }
    const { status: _status, target, value: _value, ...rest } = r
    out.push(
      row({
        ...rest,
        ...(target === undefined ? {} : { target }),
        value: Stats.median(values),
        detail: `median of ${values.length} processes (${values.map((v) => v.toPrecision(3)).join(", ")}); first: ${r.detail}`,
      }),
    )
  }
  return out
}

const byId = (rows: ReadonlyArray<Row>, id: string, runtimePrefix: string) =>
  rows.find((r) => r.id === id && r.runtime.startsWith(runtimePrefix) && r.value !== null)

/** Cross-process figures: each wasm configuration against the default, and the fastest runtime. */
export const derived = (
  rows: ReadonlyArray<Row>,
  runtimes: ReadonlyArray<RuntimeName>,
): ReadonlyArray<Row> => {
  const out: Array<Row> = []
  const best: Array<{ runtime: string; backend: string; ms: number }> = []
  for (const runtime of runtimes) {
    const configs = rows.filter((r) => r.section === WasmConfig.SECTION && r.runtime.startsWith(runtime))
    const base = byId(rows, "wasm.default", runtime)
    for (const r of configs) {
      if (base === undefined || r.value === null || r.id === "wasm.default") continue
      out.push(
        row({
          id: `${r.id}.relative`,
          section: WasmConfig.SECTION,
          title: `${r.id.slice(5)} / default (step time ratio, separate processes)`,
          runtime: r.runtime,
          backend: r.backend,
          value: r.value / base.value!,
          unit: "x",
          detail: `${r.value.toFixed(0)} ms vs ${base.value!.toFixed(0)} ms; across processes, so load differences between them are not cancelled`,
        }),
      )
    }
    const measured = configs.filter((r) => r.value !== null)
    const fastest = measured.reduce<Row | undefined>(
      (a, r) => (a === undefined || r.value! < a.value! ? r : a),
      undefined,
    )
    if (fastest !== undefined) {
      best.push({ runtime: fastest.runtime, backend: fastest.backend, ms: fastest.value! })
      out.push(
        row({
          id: "wasm.fastest",
          section: WasmConfig.SECTION,
          title: `fastest wasm configuration: ${fastest.id.slice(5)}`,
          runtime: fastest.runtime,
          backend: fastest.backend,
          value: fastest.value,
          unit: "ms",
          detail: `of ${measured.map((r) => `${r.id.slice(5)} ${r.value!.toFixed(0)} ms`).join(", ")}; not measurable: ${
            configs
              .filter((r) => r.value === null)
              .map((r) => r.id.slice(5))
              .join(", ") || "none"
          }`,
        }),
      )
    }
  }
  if (best.length > 1) {
    const sorted = [...best].sort((a, b) => a.ms - b.ms)
    const [first, second] = [sorted[0]!, sorted[1]!]
    out.push(
      row({
        id: "runtime.fastest",
        section: WasmConfig.SECTION,
        title: `fastest runtime for training: ${first.runtime}`,
        runtime: first.runtime,
        backend: first.backend,
        value: second.ms / first.ms,
        unit: "x faster",
        detail: `ERM step ${first.ms.toFixed(0)} ms vs ${second.runtime} ${second.ms.toFixed(0)} ms (separate processes)`,
      }),
    )
  }
  return out
}

/** Wall time of `bun apps/cli/src/main.ts reproduce quick` into a scratch folder. */
export const reproduceRow = (timeoutMs: number): Row => {
  const base = {
    id: "reproduce.quick",
    section: "Quick reproduction",
    title: "wall time of `bun apps/cli/src/main.ts reproduce quick`",
    runtime: "bun",
    // The command's default; the row reports the backend the runs said they used.
    backend: "wasm",
  }
  const dir = mkdtempSync(join(tmpdir(), "vicinal-reproduce-"))
  try {
    const began = performance.now()
    const result = runScript("bun", cliPath, ["reproduce", "quick", "--out", dir], {
      cwd: repoRoot,
      timeoutMs,
      maxBuffer: 1 << 28,
    })
    const seconds = (performance.now() - began) / 1000
    if (result.status !== 0)
      return skipped({
        ...base,
        unit: "s",
        detail: `did not finish (${result.error?.message ?? `exit ${result.status}`} after ${seconds.toFixed(0)} s): ${tail(`${result.stdout}${result.stderr}`)}`,
      })
    const used = /\] run .* on ([\w-]+): \d+ parameters/.exec(`${result.stdout}${result.stderr}`)?.[1]
    return row({
      ...base,
      ...(used === undefined ? {} : { backend: used }),
      value: seconds,
      unit: "s",
      detail: "one run, including process start and data loading",
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const loadNote = (load: string): string =>
  `Load average at the start: ${load}. Timings taken while other work ran are noisy; ratios measured side by side in one process are robust to it, absolute numbers less so.`

const suiteSections: Record<Suite, string> = { kernels: KernelsSuite.SECTION }
const rerunMarker = " Re-run since:"

/**
 * `fresh` (a run of `suite` alone) merged into `previous`: the suite's rows replace the old ones
 * where those were (else they come last), the rest is kept, and the note says what was re-run.
 */
export const mergeSuite = (previous: Report, fresh: Report, suite: Suite, load: string): Report => {
  const section = suiteSections[suite]
  // The suite's rows, and the row of a job of it that failed before.
  const ofSuite = (r: Row) => r.section === section || r.id === `job.${suite}`
  const at = previous.rows.findIndex(ofSuite)
  const others = previous.rows.filter((r) => !ofSuite(r))
  const insertAt = at < 0 ? others.length : previous.rows.slice(0, at).filter((r) => !ofSuite(r)).length
  const [note, earlier] = previous.machine.note.split(rerunMarker)
  const reruns = (earlier ?? "")
    .split(";")
    .map((r) => r.trim().replace(/\.$/, ""))
    .filter((r) => r !== "" && !r.startsWith(`the ${suite} suite `))
  const rerun = `the ${suite} suite on ${fresh.startedAt} (${fresh.wallSeconds.toFixed(0)} s, load average ${load} at its start)`
  return {
    ...previous,
    machine: { ...previous.machine, note: `${note}${rerunMarker} ${[...reruns, rerun].join("; ")}.` },
    rows: [...others.slice(0, insertAt), ...fresh.rows, ...others.slice(insertAt)],
  }
}

const readReport = (file: string): Report | undefined => {
  try {
    return decode(JSON.parse(readFileSync(file, "utf8")))
  } catch {
    return undefined
  }
}

/** Everything, in order; returns the report (and writes it when `outDir` is set). */
export const runAll = (options: RunOptions): Report => {
  const log = options.log ?? (() => {})
  const startedAt = new Date().toISOString()
  const load = loadAverage()
  const note = loadNote(load)
  const began = performance.now()
  const rows: Array<Row> = []
  for (const runtime of options.runtimes)
    for (const job of jobs(options)) {
      const t0 = performance.now()
      const got = runJob(runtime, job, options.quick ? 120_000 : 600_000)
      rows.push(...got)
      log(
        `${runtime} ${jobName(job)}: ${got.length} rows in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      )
    }
  if (!options.cnnOnCpu && !options.quick && options.suite === undefined)
    for (const runtime of options.runtimes)
      rows.push(
        skipped({
          id: "train.cnn.cpu",
          section: "Training step (SGD momentum 0.9, batch of 128, 10 classes)",
          title: "small CNN on the cpu backend",
          runtime,
          backend: "cpu",
          unit: "x",
          detail:
            "not run by default: the cpu backend's convolutions take tens of seconds per step at batch 128 here; `--cnn-on-cpu` includes it",
        }),
      )
  const merged = mergeRepeats(rows)
  rows.splice(0, rows.length, ...merged, ...derived(merged, options.runtimes))
  if (options.reproduce && options.suite === undefined) {
    log("reproduce quick ...")
    rows.push(reproduceRow(20 * 60_000))
  }
  if (options.sweep === true && options.suite === undefined) {
    log("sweep 2 workers vs 1 ...")
    rows.push(
      Sweep.sweepRow((args) =>
        runScript("bun", cliPath, args, { cwd: repoRoot, timeoutMs: 20 * 60_000, maxBuffer: 1 << 26 }),
      ),
    )
  }
  const report: Report = {
    formatVersion: 1,
    startedAt,
    wallSeconds: (performance.now() - began) / 1000,
    machine: { cpus: cpus().length, platform: `${platform()} ${process.arch}`, note },
    rows,
  }
  if (options.outDir === undefined) return report
  const previous = options.suite === undefined ? undefined : readReport(join(options.outDir, "latest.json"))
  const written =
    options.suite === undefined || previous === undefined
      ? report
      : mergeSuite(previous, report, options.suite, load)
  mkdirSync(options.outDir, { recursive: true })
  writeFileSync(join(options.outDir, "latest.json"), `${JSON.stringify(written, null, 2)}\n`)
  writeFileSync(join(options.outDir, "latest.md"), toMarkdown(written))
  return written
}
