/**
 * `npm run bench` (and `turbo run bench`): every benchmark on Bun and Deno, written to
 * results/latest.json and results/latest.md. Flags: --quick (tiny, checks the machinery),
 * --runtimes bun,deno, --no-soak, --no-wasm-configs, --no-reproduce, --no-sweep, --cnn-on-cpu, --no-torch,
 * --no-threads, --out <dir>; `--suite kernels` runs that suite alone and replaces its rows in the
 * report already in the output folder. `--profile` instead prints the per-kernel time of one training step (this runtime).
 */
import { join } from "node:path"
import process from "node:process"
import { appRoot, type RuntimeName, runAll, type Suite, suites } from "./Orchestrate.ts"

const args = process.argv.slice(2)
const flagValue = (flag: string): string | undefined => {
  const i = args.indexOf(flag)
  return i >= 0 ? args[i + 1] : undefined
}
const runtimes = (flagValue("--runtimes") ?? "bun,deno")
  .split(",")
  .filter((r): r is RuntimeName => r === "bun" || r === "deno")

if (args.includes("--profile")) {
  await (await import("./Profile.ts")).run()
  process.exit(0)
}

const suite = flagValue("--suite")
if (suite !== undefined && !suites.includes(suite as Suite)) {
  console.error(`--suite is ${suite}, expected one of: ${suites.join(", ")}`)
  process.exit(2)
}

const report = runAll({
  runtimes,
  quick: args.includes("--quick"),
  soak: !args.includes("--no-soak"),
  wasmConfigs: !args.includes("--no-wasm-configs"),
  reproduce: !args.includes("--no-reproduce"),
  sweep: !args.includes("--no-sweep"),
  cnnOnCpu: args.includes("--cnn-on-cpu"),
  torch: !args.includes("--no-torch"),
  threads: !args.includes("--no-threads"),
  ...(suite === undefined ? {} : { suite: suite as Suite }),
  outDir: flagValue("--out") ?? join(appRoot, "results"),
  log: (line) => console.log(line),
})
const counts = ["pass", "miss", "noisy", "info", "skipped"].map(
  (status) => `${report.rows.filter((r) => r.status === status).length} ${status}`,
)
console.log(`bench: ${report.rows.length} rows in ${report.wallSeconds.toFixed(0)} s; ${counts.join(", ")}`)
