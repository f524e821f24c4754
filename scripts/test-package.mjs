#!/usr/bin/env node
// Runs one package's test suite under Bun and under Deno (the same files: node:test +
// node:assert run on both), prints each runtime's output, and ends with one summary line
// per runtime that .ci/run adds up:  "vicinal-tests <package> <runtime>: N passed, N failed, N skipped"
// (a skipped test, `{ skip: reason }`, counts neither as passed nor as failed).
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { stripVTControlCharacters } from "node:util"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const bin = (name) => join(root, "node_modules", ".bin", name)
const pkg = JSON.parse(readFileSync("package.json", "utf8")).name
const testDir = process.argv[2] ?? "test"
const only = process.env.VICINAL_RUNTIMES?.split(",") ?? ["bun", "deno"]

if (!existsSync(testDir)) {
  console.error(`${pkg}: no ${testDir}/ folder`)
  process.exit(1)
}

// Deno turns colour ON when FORCE_COLOR is set to anything, so only NO_COLOR is set, and codes
// are stripped before parsing in case a runtime colours its output anyway.
// The "@vicinal/source" export condition resolves sibling packages to their TypeScript sources
// (not their built dist/), so a change in one package is tested in the others without a build.
const env = { ...process.env, NO_COLOR: "1" }
delete env.FORCE_COLOR
const runtimes = {
  bun: {
    cmd: [bin("bun"), ["--conditions=@vicinal/source", "test", "--timeout", "600000", `./${testDir}`]],
    parse: (out) => {
      const passed = out.match(/^\s*(\d+) pass$/m)
      const failed = out.match(/^\s*(\d+) fail$/m)
      const skipped = out.match(/^\s*(\d+) skip$/m)
      return passed || failed
        ? {
            passed: Number(passed?.[1] ?? 0),
            failed: Number(failed?.[1] ?? 0),
            skipped: Number(skipped?.[1] ?? 0),
          }
        : undefined
    },
  },
  deno: {
    cmd: [
      bin("deno"),
      ["test", "--conditions=@vicinal/source", "-A", "--no-check", "--no-lock", `${testDir}/`],
    ],
    parse: (out) => {
      const m = out.match(
        /^(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed(?: \(\d+ steps?\))?(?: \| (\d+) ignored(?: \((\d+) steps?\))?)?/m,
      )
      // A test skipped inside a describe is an ignored step of a passing test: count those too.
      return m
        ? { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3] ?? 0) + Number(m[4] ?? 0) }
        : undefined
    },
  },
}

let ok = true
const lines = []
for (const name of only) {
  const rt = runtimes[name]
  if (rt === undefined) throw new Error(`unknown runtime ${name}`)
  console.log(`\n=== ${pkg}: tests on ${name} ===`)
  const started = Date.now()
  const res = spawnSync(rt.cmd[0], rt.cmd[1], { env, encoding: "utf8", maxBuffer: 1 << 28 })
  const out = `${res.stdout ?? ""}${res.stderr ?? ""}`
  process.stdout.write(out)
  const counts = rt.parse(stripVTControlCharacters(out))
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (counts === undefined) {
    ok = false
    lines.push(
      `vicinal-tests ${pkg} ${name}: 0 passed, 1 failed, 0 skipped (no summary; exit ${res.status}, ${seconds}s)`,
    )
    continue
  }
  if (res.status !== 0 || counts.failed > 0 || counts.passed === 0) ok = false
  const extra = res.status !== 0 && counts.failed === 0 ? 1 : 0
  lines.push(
    `vicinal-tests ${pkg} ${name}: ${counts.passed} passed, ${counts.failed + extra} failed, ${counts.skipped} skipped (${seconds}s)`,
  )
}
console.log("")
for (const line of lines) console.log(line)
process.exit(ok ? 0 : 1)
