import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import * as Report from "../src/Report.ts"

const target = fc.record({
  op: fc.constantFrom("<=" as const, ">=" as const),
  value: fc.double({ min: -1e3, max: 1e3, noNaN: true }).map((v) => v + 0),
})
const value = fc.option(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { nil: null })

const aRow = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 12 }),
    section: fc.constantFrom("A", "B | pipes", "C"),
    title: fc.string({ maxLength: 30 }),
    runtime: fc.constantFrom("bun 1.4.5", "deno 2.9.6"),
    backend: fc.constantFrom("cpu", "wasm (SIMD, 1 thread)"),
    value,
    unit: fc.constantFrom("x", "ms", ""),
    target: fc.option(target, { nil: undefined }),
    detail: fc.string({ maxLength: 40 }),
  })
  .map(({ target, ...rest }) =>
    target === undefined ? Report.row(rest) : Report.row({ ...rest, target: { ...target } }),
  )

const report = (rows: ReadonlyArray<Report.Row>): Report.Report => ({
  formatVersion: 1,
  startedAt: "2026-01-01T00:00:00.000Z",
  wallSeconds: 1,
  machine: { cpus: 2, platform: "linux x64", note: "" },
  rows,
})

describe("Report", () => {
  test("a row passes exactly when its value meets the target; no target is info; no value is skipped", () => {
    fc.assert(
      fc.property(value, fc.option(target, { nil: undefined }), (v, t) => {
        const status = Report.judge(v, t)
        if (v === null) assert.equal(status, "skipped")
        else if (t === undefined) assert.equal(status, "info")
        else assert.equal(status, (t.op === "<=" ? v <= t.value : v >= t.value) ? "pass" : "miss")
      }),
    )
    assert.equal(Report.judge(Number.NaN, { op: "<=", value: 1 }), "skipped")
    // A value exactly at its target meets it, either way round.
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        assert.equal(Report.judge(v, { op: "<=", value: v }), "pass")
        assert.equal(Report.judge(v, { op: ">=", value: v }), "pass")
      }),
    )
  })

  test("a ratio whose quartiles are more than 1.5x apart is noisy, not judged; tighter ones are judged", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        target,
        (median, spread, t) => {
          const r = Report.row({
            id: "x",
            section: "s",
            title: "t",
            runtime: "bun",
            backend: "wasm",
            value: median,
            unit: "x",
            target: t,
            ratioQuartiles: { q1: median / Math.sqrt(spread), q3: median * Math.sqrt(spread) },
            detail: "d",
          })
          const judged = Report.judge(median, t)
          // (Rounding of q3 / q1 aside, exactly at the bound either way is fine.)
          if (spread > Report.NOISY_SPREAD * (1 + 1e-9)) {
            assert.equal(r.status, "noisy")
            assert.match(r.detail, /not judged/)
          } else if (spread < Report.NOISY_SPREAD * (1 - 1e-9)) assert.equal(r.status, judged)
        },
      ),
    )
  })

  test("reports built from rows survive a JSON round trip through the schema", () => {
    fc.assert(
      fc.property(fc.array(aRow, { maxLength: 8 }), (rows) => {
        const r = report(rows)
        assert.deepEqual(Report.decode(JSON.parse(JSON.stringify(r))), r)
      }),
    )
  })

  test("the schema rejects a report with a malformed row, naming the field", () => {
    const bad = { ...report([]), rows: [{ id: "x", status: "great" }] }
    assert.throws(() => Report.decode(bad), /status|section|title/)
    assert.throws(() => Report.decode({ ...report([]), formatVersion: 2 }), /formatVersion/)
  })

  test("the Markdown has one table line per row, under its section's heading, with pipes escaped", () => {
    fc.assert(
      fc.property(fc.array(aRow, { maxLength: 8 }), (rows) => {
        const md = Report.toMarkdown(report(rows))
        const lines = md.split("\n")
        const sections = [...new Set(rows.map((r) => r.section))]
        assert.equal(lines.filter((l) => l.startsWith("## ")).length, sections.length)
        const tableRows = lines.filter(
          (l) => l.startsWith("| ") && !l.startsWith("| benchmark") && !l.startsWith("| ---"),
        )
        assert.equal(tableRows.length, rows.length)
        // Every table line has the 7 columns: unescaped pipes only as separators.
        for (const l of tableRows) assert.equal(l.split(/(?<!\\)\|/).length, 9, l)
        for (const [i, s] of sections.entries()) assert.ok(lines.includes(`## ${s}`), `section ${i}`)
      }),
    )
  })
})
