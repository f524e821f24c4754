import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Strategy } from "@vicinal/core"
import type { EpochMetrics } from "@vicinal/train"
import * as fc from "fast-check"
import * as Paper from "../src/Paper.ts"
import * as Reproduce from "../src/Reproduce.ts"
import type { Outcome } from "../src/Runner.ts"
import * as Stats from "../src/Stats.ts"
import * as Tables from "../src/Tables.ts"

const outcome = (seed: number, best: number, last: number): Outcome => {
  const final: EpochMetrics = {
    epoch: 0,
    trainLoss: 1,
    learningRate: 0.1,
    testTop1Error: last,
    testTop5Error: 0,
    bestTestError: best,
    lastTestError: last,
    seconds: 1,
  }
  return {
    name: `m, seed ${seed}`,
    seed,
    epochs: 1,
    history: [final],
    bestTestError: best,
    lastTestError: last,
    final,
    parameters: 1,
    seconds: 1,
  }
}

const rate = fc.double({ min: 0, max: 1, noNaN: true })

describe("Tables", () => {
  test("each cell is the mean ± std over the row's seeds of that metric, beside the paper's number", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(rate, rate), { minLength: 1, maxLength: 5 }), (runs) => {
        const outcomes = runs.map(([best, last], seed) => outcome(seed, best, last))
        const table = Tables.testError([{ method: "mixup", setting: "α = 1", outcomes, paper: 4.2 }])
        const row = table
          .split("\n")[2]!
          .split("|")
          .map((c) => c.trim())
        assert.equal(row[1], "mixup")
        assert.equal(row[3], Stats.percentSummary(Stats.summarise(runs.map(([b]) => b))))
        assert.equal(row[4], Stats.percentSummary(Stats.summarise(runs.map(([, l]) => l))))
        assert.equal(row[5], "4.2")
        assert.equal(row[3]!.includes("±"), runs.length > 1)
      }),
    )
  })

  test("records carry the mean and spread of best and last test error per row", () => {
    const rows = [{ method: "ERM", outcomes: [outcome(0, 0.1, 0.2), outcome(1, 0.3, 0.4)] }]
    const [record] = Tables.records(rows)
    assert.ok(Math.abs(record!.bestTestError - 0.2) < 1e-12)
    assert.ok(Math.abs(record!.lastTestErrorStd - Math.SQRT2 * 0.1) < 1e-12)
    assert.equal(record!.seeds, "0 1")
  })
})

describe("Reproduce settings", () => {
  test("every ablation row is a valid strategy, and the rows the paper reports carry its number", () => {
    const methods = Reproduce.ablationMethods({
      out: "",
      seeds: [0],
      epochs: 1,
      backend: "cpu",
      trainSize: undefined,
      testSize: undefined,
      batchSize: 128,
      lr: 0.1,
      hidden: [8, 8],
      k: 4,
    })
    assert.equal(methods.length, 18)
    for (const m of methods) assert.equal(Strategy.validate(m.strategy), undefined, m.method)
    const names = methods.map((m) => m.method)
    for (const reported of Object.keys(Paper.ablation)) assert.ok(names.includes(reported), reported)
  })

  test("Table 2 uses the paper's alpha and dropout per corruption level", () => {
    assert.deepEqual(Paper.table2Settings(0.2).mixup, { alpha: 8 })
    assert.deepEqual(Paper.table2Settings(0.5)["mixup + dropout"], { alpha: 8, dropout: 0.3 })
    for (const level of ["0.2", "0.5", "0.8"] as const)
      for (const method of ["ERM + dropout", "mixup", "mixup + dropout"] as const) {
        const ours = Paper.table2Settings(Number(level))[method]
        const theirs = Paper.table2[level][method].setting
        if (ours.alpha !== undefined) assert.ok(theirs.includes(`α = ${ours.alpha}`), `${level} ${method}`)
        if (ours.dropout !== undefined)
          assert.ok(theirs.includes(`p = ${ours.dropout}`), `${level} ${method}`)
      }
  })
})
