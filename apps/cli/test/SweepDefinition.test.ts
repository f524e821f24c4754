/** Sweep definitions: decoding (JSON and YAML), expansion into runs with stable ids, validation naming the field. */
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { describe, test } from "node:test"
import { fileURLToPath } from "node:url"
import { Effect, Exit } from "effect"
import fc from "fast-check"
import * as Definition from "../src/SweepDefinition.ts"

const base = {
  epochs: 2,
  batchSize: 20,
  backend: "cpu",
  strategy: {
    _tag: "Mixup",
    lambda: { _tag: "Beta", a: 1, b: 1 },
    pairing: { _tag: "RandomPermutation" },
    granularity: "batch",
    labels: "interpolate",
  },
  model: { kind: "mlp", hidden: [16] },
  data: { dataset: "twoMoons", n: 200, noise: 0.2 },
  optimizer: { _tag: "sgd", lr: 0.05, momentum: 0.9, weightDecay: 0 },
  schedule: { _tag: "constant" },
}

const yaml = `
name: grid
base:
  epochs: 2
  batchSize: 20
  backend: cpu
  strategy: { _tag: Mixup, lambda: { _tag: Beta, a: 1, b: 1 }, pairing: { _tag: RandomPermutation }, granularity: batch, labels: interpolate }
  model: { kind: mlp, hidden: [16] }
  data: { dataset: twoMoons, n: 200, noise: 0.2 }
  optimizer: { _tag: sgd, lr: 0.05, momentum: 0.9, weightDecay: 0 }
  schedule: { _tag: constant }
axes:
  strategy.alpha: [0.2, 1, 8, 32]
  data.labelNoise: [0.2, 0.5, 0.8]
seeds: [0, 1]
`

const sweepOf = (text: string, file: string) =>
  Effect.runSync(Effect.flatMap(Definition.parse(text, file), (json) => Definition.decode(json, file)))

describe("sweep definitions", () => {
  test("YAML and JSON give the same runs; the grid is the product of the axes times the seeds", () => {
    const fromYaml = Effect.runSync(Definition.expand(sweepOf(yaml, "grid.yaml")))
    const json = JSON.stringify({
      name: "grid",
      base,
      axes: { "strategy.alpha": [0.2, 1, 8, 32], "data.labelNoise": [0.2, 0.5, 0.8] },
      seeds: [0, 1],
    })
    const fromJson = Effect.runSync(Definition.expand(sweepOf(json, "grid.json")))
    assert.equal(fromYaml.length, 4 * 3 * 2)
    assert.deepEqual(
      fromYaml.map((r) => r.id),
      fromJson.map((r) => r.id),
    )
    assert.equal(new Set(fromYaml.map((r) => r.id)).size, 24)
    const first = fromYaml[0]!
    assert.equal(first.label, "strategy.alpha=0.2, data.labelNoise=0.2")
    assert.deepEqual((first.config as { strategy: { lambda: unknown } }).strategy.lambda, {
      _tag: "Beta",
      a: 0.2,
      b: 0.2,
    })
    assert.equal((first.config as { data: { labelNoise: number } }).data.labelNoise, 0.2)
    for (const run of fromYaml) assert.ok(Exit.isSuccess(Effect.runSyncExit(Definition.validate(run))))
  })

  test("the docs' example sweep decodes into 24 valid runs", () => {
    const file = join(
      dirname(fileURLToPath(import.meta.url)),
      "../../../docs/examples/sweep-label-noise.yaml",
    )
    const runs = Effect.runSync(Definition.expand(sweepOf(readFileSync(file, "utf8"), file)))
    assert.equal(runs.length, 24)
    for (const run of runs) assert.ok(Exit.isSuccess(Effect.runSyncExit(Definition.validate(run))), run.label)
  })

  test("a seed count n means seeds 0..n-1", () => {
    const runs = Effect.runSync(Definition.expand({ base, seeds: 3 }))
    assert.deepEqual(
      runs.map((r) => r.seed),
      [0, 1, 2],
    )
    assert.equal(runs[0]!.label, "base")
  })

  test("ids are a hash of the canonical config: key order does not matter, any change does", () => {
    const shuffle = (value: unknown, rng: () => number): unknown => {
      if (Array.isArray(value)) return value.map((v) => shuffle(v, rng))
      if (typeof value !== "object" || value === null) return value
      const entries = Object.entries(value).map(([k, v]) => [k, shuffle(v, rng)] as const)
      entries.sort(() => rng() - 0.5)
      return Object.fromEntries(entries)
    }
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (seed, lr) => {
          let state = seed
          const rng = () => {
            state = (state * 48271) % 2147483647
            return state / 2147483647
          }
          const config = { ...base, optimizer: { ...base.optimizer, lr } }
          assert.equal(Definition.runId(shuffle(config, rng)), Definition.runId(config))
          assert.notEqual(Definition.runId({ ...config, seed: 1 }), Definition.runId({ ...config, seed: 2 }))
        },
      ),
    )
  })

  test("an invalid point fails validation naming the field; the others stay valid", () => {
    const runs = Effect.runSync(Definition.expand({ base, axes: { "optimizer.lr": [0.05, -1] }, seeds: [0] }))
    assert.equal(runs.length, 2)
    assert.ok(Exit.isSuccess(Effect.runSyncExit(Definition.validate(runs[0]!))))
    const error = Effect.runSync(Effect.flip(Definition.validate(runs[1]!)))
    assert.equal(error._tag, "InvalidArgument")
    assert.equal(error.argument, "optimizer.lr")
    assert.match(error.message, /optimizer\.lr/)
  })

  test("a bad sweep file names the field of the file", () => {
    const missing = Effect.runSync(Effect.flip(Definition.decode({ base, seeds: [] }, "s.json")))
    assert.match(missing.argument, /^seeds/)
    const badAxis = Effect.runSync(
      Effect.flip(Definition.decode({ base, axes: { lr: [] }, seeds: 1 }, "s.json")),
    )
    assert.match(badAxis.argument, /^axes\.lr/)
    const notYaml = Effect.runSync(Effect.flip(Definition.parse("a: [1", "s.yaml")))
    assert.match(notYaml.message, /s\.yaml: not valid YAML/)
    const through = Effect.runSync(
      Effect.flip(Definition.expand({ base, axes: { "epochs.x": [1] }, seeds: 1 })),
    )
    assert.equal(through.argument, "axes.epochs.x")
  })

  test("setPath creates objects on the way and replaces array items, leaving the input alone", () => {
    const input = { a: { list: [1, 2, 3] } }
    assert.deepEqual(Definition.setPath(input, "a.list.1", 9), { a: { list: [1, 9, 3] } })
    assert.deepEqual(Definition.setPath(input, "b.c", true), { a: { list: [1, 2, 3] }, b: { c: true } })
    assert.deepEqual(input, { a: { list: [1, 2, 3] } })
  })
})
