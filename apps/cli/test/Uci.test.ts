import assert from "node:assert/strict"
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, test } from "node:test"
import { Random } from "@vicinal/core"
import { Effect, Exit } from "effect"
import * as Uci from "../src/Uci.ts"
import { run, tempDir } from "./helpers.ts"

/** Rows shaped like each distributed UCI file (feature columns, label values), fewer of them. */
const fakeRows = (name: string, rows: number, rng: Random.Rng): string => {
  const num = () => (rng.uniform() * 10).toFixed(3)
  const pick = <A>(xs: ReadonlyArray<A>, i: number) => xs[i % xs.length]!
  const line = (i: number): ReadonlyArray<string | number> => {
    switch (name) {
      case "Abalone":
        return [pick(["M", "F", "I"], i + rng.int(3)), ...Array.from({ length: 7 }, num), pick([5, 7, 9], i)]
      case "Arcene":
        return [...Array.from({ length: 10_000 }, () => rng.int(1000)), pick([-1, 1], i)]
      case "Arrhythmia":
        return [...Array.from({ length: 279 }, num), pick([1, 2, 10], i)]
      case "Htru2":
        return [...Array.from({ length: 8 }, num), pick([0, 1], i)]
      case "Iris":
        return [
          ...Array.from({ length: 4 }, num),
          pick(["Iris-setosa", "Iris-versicolor", "Iris-virginica"], i),
        ]
      default:
        return [...Array.from({ length: 30 }, () => rng.int(3) - 1), pick([-1, 1], i)]
    }
  }
  return `${Array.from({ length: rows }, (_, i) => line(i).join(",")).join("\n")}\n`
}

const writeAll = (dir: string, rows: number) => {
  const rng = Random.make(7)
  for (const d of Uci.DATASETS) writeFileSync(join(dir, d.file), fakeRows(d.name, rows, rng))
}

describe("vicinal reproduce uci (the paper's six UCI data sets as CSV files)", () => {
  test("on generated files of the six data sets' shapes: one ERM and one mixup row each, results written", async () => {
    const dir = tempDir("uci-data")
    writeAll(dir, 30)
    const out = tempDir("uci")
    const result = await run([
      "reproduce",
      "uci",
      "--dir",
      dir,
      "--epochs",
      "1",
      "--seeds",
      "1",
      "--hidden",
      "8",
      "--out",
      out,
    ])
    assert.equal(result.code, 0, result.stderr)
    for (const d of Uci.DATASETS) {
      assert.match(result.stdout, new RegExp(`${d.name}: ERM`))
      assert.match(result.stdout, new RegExp(`${d.name}: mixup`))
    }
    for (const file of ["tables.md", "summary.json", "metrics.csv"])
      assert.ok(existsSync(join(out, file)), file)
  })

  test("a folder without the files, or an unknown name, is a usage error naming what is missing", async () => {
    const empty = tempDir("uci-empty")
    const none = await Effect.runPromiseExit(Uci.select(empty, []))
    assert.ok(Exit.isFailure(none))
    assert.match(String(Exit.isFailure(none) && none.cause.reasons[0]), /iris\.csv/)
    writeFileSync(join(empty, "iris.csv"), fakeRows("Iris", 10, Random.make(1)))
    assert.deepEqual(
      (await Effect.runPromise(Uci.select(empty, []))).map((d) => d.name),
      ["Iris"],
    )
    const named = await Effect.runPromiseExit(Uci.select(empty, ["iris", "htru2"]))
    assert.ok(Exit.isFailure(named))
    const unknown = await Effect.runPromiseExit(Uci.select(empty, ["mnist"]))
    assert.ok(Exit.isFailure(unknown))
  })
})
