/**
 * `sweep.workers-2-vs-1`: wall time of `vicinal sweep run` on the same small sweep (2 x 2
 * configurations x 2 seeds of a tiny MLP on two moons, cpu backend) with 2 worker processes /
 * with 1, each into a fresh folder, process start and data loading included. Bounded by the
 * machine's cores and its load at the time: reported as measured, not judged.
 */
import type { SpawnSyncReturns } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Row, row, skipped } from "../Report.ts"

export const sweepFile = `
name: bench
base:
  epochs: 3
  batchSize: 20
  backend: cpu
  strategy: { _tag: Mixup, lambda: { _tag: Beta, a: 1, b: 1 }, pairing: { _tag: RandomPermutation }, granularity: batch, labels: interpolate }
  model: { kind: mlp, hidden: [32] }
  data: { dataset: twoMoons, n: 1000, noise: 0.2 }
  optimizer: { _tag: sgd, lr: 0.05, momentum: 0.9, weightDecay: 0 }
  schedule: { _tag: constant }
axes:
  strategy.alpha: [0.2, 1]
  data.labelNoise: [0, 0.2]
seeds: 2
`

const base = {
  id: "sweep.workers-2-vs-1",
  section: "Sweeps",
  title: "`vicinal sweep run` wall time, 2 workers / 1 worker (8 tiny MLP runs)",
  runtime: "bun",
  backend: "cpu",
}

/** Both sweeps, one after the other; `cli` runs the CLI with these arguments to its end. */
export const sweepRow = (cli: (args: ReadonlyArray<string>) => SpawnSyncReturns<string>): Row => {
  const dir = mkdtempSync(join(tmpdir(), "vicinal-sweep-bench-"))
  try {
    const file = join(dir, "bench.yaml")
    writeFileSync(file, sweepFile)
    const wall = (workers: number) => {
      const began = performance.now()
      const result = cli([
        "sweep",
        "run",
        file,
        "--workers",
        String(workers),
        "--out",
        join(dir, `workers-${workers}`),
      ])
      const seconds = (performance.now() - began) / 1000
      return result.status === 0
        ? { ok: true as const, seconds }
        : {
            ok: false as const,
            why: `${workers} worker(s): exit ${result.status} after ${seconds.toFixed(0)} s: ${`${result.stderr}`.slice(-300)}`,
          }
    }
    const one = wall(1)
    const two = wall(2)
    if (!one.ok || !two.ok)
      return skipped({ ...base, unit: "x", detail: one.ok ? (two.ok ? "" : two.why) : one.why })
    return row({
      ...base,
      value: two.seconds / one.seconds,
      unit: "x (time ratio)",
      detail: `2 workers ${two.seconds.toFixed(1)} s, 1 worker ${one.seconds.toFixed(1)} s (one sweep each, run one after the other; the machine's cores and load bound the speed-up)`,
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
