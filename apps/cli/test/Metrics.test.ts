import assert from "node:assert/strict"
import { describe, test } from "node:test"
import type { EpochMetrics } from "@vicinal/train"
import * as fc from "fast-check"
import * as Metrics from "../src/Metrics.ts"

const rate = fc.double({ min: 0, max: 1, noNaN: true })
const epoch = (i: number) =>
  fc
    .record({
      trainLoss: fc.double({ min: 0, max: 10, noNaN: true }),
      testTop1Error: rate,
      trainErrorTrue: fc.option(rate, { nil: undefined }),
    })
    .map(
      (r): EpochMetrics => ({
        epoch: i,
        trainLoss: r.trainLoss,
        learningRate: 0.1,
        testTop1Error: r.testTop1Error,
        testTop5Error: 0,
        bestTestError: r.testTop1Error,
        lastTestError: r.testTop1Error,
        ...(r.trainErrorTrue === undefined ? {} : { trainErrorTrue: r.trainErrorTrue }),
        seconds: 1,
      }),
    )
const history = fc
  .integer({ min: 0, max: 6 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => epoch(i))))

// A minimal CSV reader (quoted fields with doubled quotes) to check the writer against.
const parse = (line: string): Array<string> => {
  const cells: Array<string> = []
  let cell = ""
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ",") {
      cells.push(cell)
      cell = ""
    } else cell += c
  }
  cells.push(cell)
  return cells
}

describe("Metrics.csv", () => {
  test("one header and one row per epoch of every run; every row has the header's columns; names survive quoting", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), history), { minLength: 1, maxLength: 4 }), (runs) => {
        const text = Metrics.csv(runs.map(([name, h]) => ({ keys: { run: name }, history: h })))
        const lines = text.trimEnd().split("\n")
        const header = parse(lines[0]!)
        assert.deepEqual(header, ["run", ...Metrics.columns])
        const rows = lines.slice(1).map(parse)
        assert.equal(
          rows.length,
          runs.reduce((n, [, h]) => n + h.length, 0),
        )
        let r = 0
        for (const [name, h] of runs)
          for (const m of h) {
            const row = rows[r++]!
            assert.equal(row.length, header.length)
            assert.equal(row[0], name)
            assert.equal(Number(row[1]), m.epoch + 1)
            assert.equal(Number(row[4]), m.testTop1Error)
            assert.equal(row[8], m.trainErrorTrue === undefined ? "" : String(m.trainErrorTrue))
          }
      }),
    )
  })
})
