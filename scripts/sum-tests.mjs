#!/usr/bin/env node
// Adds up the per-runtime summary lines that scripts/test-package.mjs prints (turbo may
// prefix them, and replays them from its cache), and ends with "N passed, N failed".
import { readFileSync } from "node:fs"

const log = readFileSync(process.argv[2] ?? 0, "utf8")
const seen = new Map()
for (const m of log.matchAll(/vicinal-tests (\S+) (\S+): (\d+) passed, (\d+) failed/g)) {
  seen.set(`${m[1]} ${m[2]}`, { runtime: m[2], passed: Number(m[3]), failed: Number(m[4]) })
}
const byRuntime = new Map()
for (const { runtime, passed, failed } of seen.values()) {
  const t = byRuntime.get(runtime) ?? { passed: 0, failed: 0 }
  byRuntime.set(runtime, { passed: t.passed + passed, failed: t.failed + failed })
}
let passed = 0
let failed = 0
for (const [runtime, t] of byRuntime) {
  console.log(`${runtime}: ${t.passed} passed, ${t.failed} failed`)
  passed += t.passed
  failed += t.failed
}
console.log(`${passed} passed, ${failed} failed`)
