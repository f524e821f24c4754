import assert from "node:assert/strict"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "node:test"
import * as fc from "fast-check"
import { fromJson, orderFolders, read } from "../src/report/ReadResults.ts"

const epochRecords = fc
  .array(
    fc.record({
      testError: fc.double({ min: 0, max: 1, noNaN: true }),
      trainLoss: fc.double({ min: 0, max: 10, noNaN: true }),
      seconds: fc.double({ min: 0, max: 100, noNaN: true }),
    }),
    { minLength: 2, maxLength: 30 },
  )
  .map((rows) => rows.map((r, epoch) => ({ epoch, ...r })))

test("an epoch history becomes a table with every row and a plot of its errors and losses", () => {
  fc.assert(
    fc.property(epochRecords, (history) => {
      const found = fromJson("metrics", history)
      assert.equal(found.tables.length, 1)
      assert.equal(found.tables[0]!.rows.length, history.length)
      assert.deepEqual(found.tables[0]!.columns, ["epoch", "testError", "trainLoss", "seconds"])
      assert.equal(found.plots.length, 1)
      const plot = found.plots[0]!
      assert.equal(plot.xLabel, "epoch")
      // Timings are left out of the plot: they would flatten the error curves.
      assert.deepEqual(
        plot.lines.map((l) => l.name),
        ["testError", "trainLoss"],
      )
      for (const line of plot.lines)
        assert.deepEqual(
          line.points,
          history.map((r) => [r.epoch, r[line.name as "testError" | "trainLoss"]]),
        )
    }),
  )
})

test("nested histories are found under each run's name", () => {
  fc.assert(
    fc.property(fc.array(epochRecords, { minLength: 1, maxLength: 4 }), (histories) => {
      const runs = histories.map((history, i) => ({ run: `run ${i}`, seed: i, history }))
      const found = fromJson("metrics", runs)
      const titles = found.plots.map((p) => p.title)
      assert.deepEqual(
        titles,
        runs.map((r) => `metrics / ${r.run} / history`),
      )
    }),
  )
})

test("a results folder: Markdown kept as source, PNG preferred over its SVG, model and config files skipped", () => {
  const dir = mkdtempSync(join(tmpdir(), "vicinal-results-"))
  try {
    const exp = join(dir, "mnist-2026")
    mkdirSync(join(exp, "runs/seed0/model"), { recursive: true })
    writeFileSync(join(exp, "tables.md"), "| a | b |\n|---|---|\n| 1 | 2 |\n")
    writeFileSync(
      join(exp, "summary.json"),
      JSON.stringify({
        experiment: "mnist",
        results: [{ method: "mixup", error: 0.1 }],
        pictures: [{ name: "curve", png: "/abs/curve.png" }],
      }),
    )
    writeFileSync(join(exp, "config.json"), JSON.stringify({ epochs: 3 }))
    writeFileSync(join(exp, "curve.svg"), "<svg/>")
    writeFileSync(join(exp, "curve.png"), "png")
    writeFileSync(join(exp, "only.svg"), "<svg/>")
    writeFileSync(join(exp, "runs/seed0/model/model.json"), JSON.stringify({ layers: [{ a: 1 }] }))
    writeFileSync(join(exp, "broken.json"), "{ half written")
    const results = read(dir)
    assert.deepEqual(results.images, ["mnist-2026/curve.png", "mnist-2026/only.svg"])
    assert.deepEqual(
      results.sections.map((s) => s.file),
      ["mnist-2026/summary.json", "mnist-2026/tables.md"],
    )
    assert.match(results.sections[1]!.markdown ?? "", /\| 1 \| 2 \|/)
    const summary = results.sections[0]!
    assert.deepEqual(
      summary.tables.map((t) => t.title),
      ["summary", "summary / results"],
    )
    assert.deepEqual(summary.tables[1]!.rows, [["mixup", 0.1]])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("no results folder means no results, not an error", () => {
  assert.deepEqual(read(undefined), { dir: undefined, sections: [], images: [], claims: [] })
  assert.deepEqual(read(join(tmpdir(), "vicinal-no-such-folder")), {
    dir: undefined,
    sections: [],
    images: [],
    claims: [],
  })
})

test("the page order puts the demo first, then the paper's tables; claims follow that order", () => {
  assert.deepEqual(orderFolders(["ablation", "other", "table3", "quick", "table2", "alpha"]), [
    "quick",
    "table2",
    "table3",
    "ablation",
    "alpha",
    "other",
  ])
  const dir = mkdtempSync(join(tmpdir(), "vicinal-claims-"))
  try {
    const verdict = (claim: string) => ({
      claim,
      paper: "5.6 -> 4.2",
      ours: "mixup 5.0 vs ERM 6.0",
      holds: "yes",
    })
    for (const [folder, claims] of [
      ["ablation", [verdict("mixup is best")]],
      ["quick", [verdict("mixup lowers clean test error"), verdict("mixup is more robust to FGSM")]],
      ["table3", []],
    ] as const) {
      mkdirSync(join(dir, folder))
      writeFileSync(join(dir, folder, "summary.json"), JSON.stringify({ results: { verdicts: claims } }))
    }
    assert.deepEqual(
      read(dir).claims.map((c) => [c.folder, c.claim, c.holds]),
      [
        ["quick", "mixup lowers clean test error", "yes"],
        ["quick", "mixup is more robust to FGSM", "yes"],
        ["ablation", "mixup is best", "yes"],
      ],
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
