#!/usr/bin/env node
// Adds up the per-runtime summary lines that scripts/test-package.mjs prints (turbo may
// prefix them, and replays them from its cache), and ends with "N passed, N failed" (skipped tests,
// which count as neither, are reported per runtime on the line before).
// Before the totals it repeats the lines that name failing tests (and fast-check's seed and
// counterexample), so the end of a long CI log says what failed and how to replay it.
import { readFileSync } from "node:fs"
import { stripVTControlCharacters } from "node:util"

const log = stripVTControlCharacters(readFileSync(process.argv[2] ?? 0, "utf8"))
// Bun: "(fail) suite > test"; Deno: "test ... FAILED (1ms)" and "suite ... test => file:line";
// the browser test (TAP): "not ok - page"; the consumer test: "FAIL [runtime] check", followed by
// the indented end of what the failing command printed; fast-check: "{ seed: …, path: … }",
// "Counterexample: …".
const failureLine =
  /(?:^|: )(?:\(fail\) |not ok\b|FAIL \[|\{ seed: -?\d+|Counterexample: )|\.\.\. FAILED\b| => (?:file|ext):/
const consumerFailure = /(?:^|: )FAIL \[/
const detailLine = /(?:^|: ) {4}/
const lines = log.split("\n")
const failures = [
  ...new Set(
    lines.flatMap((line, i) => {
      if (!failureLine.test(line)) return []
      if (!consumerFailure.test(line)) return [line]
      const details = []
      for (let j = i + 1; j < lines.length && details.length < 25 && detailLine.test(lines[j]); j++)
        details.push(lines[j])
      return [line, ...details]
    }),
  ),
]
if (failures.length > 0) {
  console.log(`failing tests (${failures.length} lines; the full output is above):`)
  for (const line of failures.slice(0, 60)) console.log(`  ${line.trim().slice(0, 300)}`)
  if (failures.length > 60) console.log(`  … and ${failures.length - 60} more`)
}
const seen = new Map()
// Older lines (and other scripts' lines) have no skipped count.
for (const m of log.matchAll(/vicinal-tests (\S+) (\S+): (\d+) passed, (\d+) failed(?:, (\d+) skipped)?/g)) {
  seen.set(`${m[1]} ${m[2]}`, {
    runtime: m[2],
    passed: Number(m[3]),
    failed: Number(m[4]),
    skipped: Number(m[5] ?? 0),
  })
}
const byRuntime = new Map()
for (const { runtime, passed, failed, skipped } of seen.values()) {
  const t = byRuntime.get(runtime) ?? { passed: 0, failed: 0, skipped: 0 }
  byRuntime.set(runtime, {
    passed: t.passed + passed,
    failed: t.failed + failed,
    skipped: t.skipped + skipped,
  })
}
let passed = 0
let failed = 0
for (const [runtime, t] of byRuntime) {
  console.log(`${runtime}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`)
  passed += t.passed
  failed += t.failed
}
console.log(`${passed} passed, ${failed} failed`)
