import assert from "node:assert/strict"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { test } from "node:test"
import { Effect } from "effect"
import { main } from "../examples/quickstart.ts"
import { tempDir } from "./helpers.ts"

test("the README's library example writes a results folder with both runs and the boundary figure", async () => {
  const out = tempDir("example")
  const written = await Effect.runPromise(main(out, 2))
  assert.match(written.tables, /\| ERM +\| +\| [\d.]+ +\| [\d.]+ +\| – +\|/)
  assert.match(written.tables, /\| mixup \+ smoothing \| α = 1, ε = 0\.1 \|/)
  for (const file of [
    "config.json",
    "metrics.json",
    "metrics.csv",
    "tables.md",
    "summary.json",
    "decision-boundary.png",
    "decision-boundary.svg",
  ])
    assert.ok(existsSync(join(out, file)), file)
  const history = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"))
  assert.deepEqual(
    history.map((h: { run: string; history: ReadonlyArray<unknown> }) => [h.run, h.history.length]),
    [
      ["ERM, seed 0", 2],
      ["mixup + smoothing, α = 1, ε = 0.1, seed 0", 2],
    ],
  )
})
