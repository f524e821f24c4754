import assert from "node:assert/strict"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, test } from "node:test"
import { Effect } from "effect"
import * as fc from "fast-check"
import * as Gan from "../src/Gan.ts"
import { run, tempDir } from "./helpers.ts"

const tiny = (method: Gan.GanMethod, seed: number): Gan.GanRunOptions => ({
  method,
  alpha: 0.2,
  seed,
  iterations: 30,
  batchSize: 16,
  hidden: [8, 8],
  lr: 1e-3,
  latent: 2,
  snapshots: [0, 15, 30],
  samples: 200,
})

describe("GAN on 2-D toy data (ERM vs mixup in the discriminator)", () => {
  test("the toy problems: 8 centres on the radius-2 ring and 25 on the grid -4..4, from the data package's own definition", async () => {
    const ring = await Effect.runPromise(Gan.toy("ring", 0))
    assert.equal(ring.centres.length, 16)
    for (let k = 0; k < 8; k++)
      assert.ok(Math.abs(Math.hypot(ring.centres[2 * k]!, ring.centres[2 * k + 1]!) - 2) < 1e-6)
    const grid = await Effect.runPromise(Gan.toy("grid", 0))
    assert.equal(grid.centres.length, 50)
    assert.deepEqual(
      [...new Set(Array.from(grid.centres, (v) => Math.round(v)))].sort((a, b) => a - b),
      [-4, -2, 0, 2, 4],
    )
  })

  test("property: a sample is high-quality within 3 sd of its nearest centre; a mode is covered with at least 1% of all samples as its high-quality ones", () =>
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 7 }),
            fc.double({ min: 0, max: 6, noNaN: true }).filter((d) => Math.abs(d - 3) > 1e-3),
          ),
          { minLength: 1, maxLength: 300 },
        ),
        (points) => {
          // 8 centres 10 apart on the x axis; mode k's sample d sd to the right of its centre
          const centres = Float32Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 5 * i : 0))
          const sigma = 0.1
          const samples = Float32Array.from(points.flatMap(([k, d]) => [10 * k + d * sigma, 0]))
          const s = Gan.score(samples, centres, sigma)
          const perMode = Array.from(
            { length: 8 },
            (_, k) => points.filter(([m, d]) => m === k && d < 3).length,
          )
          assert.deepEqual(s.perMode, perMode)
          assert.equal(s.highQuality, perMode.reduce((a, b) => a + b, 0) / points.length)
          assert.equal(s.modesCovered, perMode.filter((c) => c > 0 && c >= 0.01 * points.length).length)
        },
      ),
    ))

  test("samples exactly at the centres are all high-quality and cover every mode; far ones none", () => {
    const centres = Float32Array.from([0, 0, 2, 0, 0, 2])
    const atCentres = Float32Array.from([0, 0, 2, 0, 0, 2, 2.01, 0])
    assert.deepEqual(Gan.score(atCentres, centres, 0.02), {
      highQuality: 1,
      modesCovered: 3,
      modes: 3,
      perMode: [1, 2, 1],
    })
    const far = Gan.score(Float32Array.from([1, 1, 5, 5]), centres, 0.02)
    assert.equal(far.highQuality, 0)
    assert.equal(far.modesCovered, 0)
  })

  test("a run is a function of its seed (same seed, same samples); mixup changes the discriminator's step and so the result", async () => {
    const data = await Effect.runPromise(Gan.toy("ring", 3))
    const [a, b, c, m] = await Promise.all([
      Effect.runPromise(Gan.train(data, tiny("erm", 1))),
      Effect.runPromise(Gan.train(data, tiny("erm", 1))),
      Effect.runPromise(Gan.train(data, tiny("erm", 2))),
      Effect.runPromise(Gan.train(data, tiny("mixup", 1))),
    ])
    assert.deepEqual(
      a.snapshots.map((s) => s.iteration),
      [0, 15, 30],
    )
    assert.deepEqual(a.snapshots[2]!.samples, b.snapshots[2]!.samples)
    assert.equal(a.discriminatorLoss, b.discriminatorLoss)
    assert.notDeepEqual(a.snapshots[2]!.samples, c.snapshots[2]!.samples)
    // same seed: same initial generator (snapshot 0), different training
    assert.deepEqual(a.snapshots[0]!.samples, m.snapshots[0]!.samples)
    assert.notDeepEqual(a.snapshots[2]!.samples, m.snapshots[2]!.samples)
    assert.ok(Number.isFinite(a.discriminatorLoss) && Number.isFinite(m.generatorLoss))
    assert.equal(a.snapshots[2]!.samples.length, 400)
    // The same bits on Bun (JavaScriptCore) and Deno (V8): float64 arithmetic, core's portable
    // exp/log1p, powers as repeated products. Values recorded on both runtimes.
    assert.equal(m.discriminatorLoss, 0.7041299335320711)
    assert.equal(m.generatorLoss, 0.6560801325179795)
    assert.deepEqual(
      Array.from(m.snapshots[2]!.samples.slice(0, 4)),
      [-1.7854936122894287, 0.8109763860702515, -0.3027149438858032, 0.28892651200294495],
    )
  })

  test("vicinal reproduce gan writes the tables, the summary and one picture per toy problem", async () => {
    const out = tempDir("gan")
    const result = await run([
      "reproduce",
      "gan",
      "--iterations",
      "8",
      "--seeds",
      "2",
      "--batch-size",
      "8",
      "--hidden",
      "4",
      "--samples",
      "50",
      "--out",
      out,
    ])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /8 Gaussians \(ring\) \| ERM/)
    assert.match(result.stdout, /25 Gaussians \(grid\) \| mixup/)
    for (const file of ["tables.md", "summary.json", "ring.svg", "ring.png", "grid.svg", "grid.png"])
      assert.ok(existsSync(join(out, file)), file)
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"))
    assert.equal(summary.results.length, 4)
    assert.deepEqual(
      summary.results[0].runs[0].snapshots.map((s: { iteration: number }) => s.iteration),
      [0, 2, 4, 6, 8],
    )
    assert.match(readFileSync(join(out, "ring.svg"), "utf8"), /iteration 8/)
  })
})

describe("Gan.dotsSvg (the picture's samples, compactly)", () => {
  test("dots on one half pixel are drawn once with the opacity of that many stacked dots", () => {
    const svg = Gan.dotsSvg(
      [
        [10, 20],
        [10.1, 19.9],
        [30, 40],
      ],
      "#0072b2",
    )
    const paths = [...svg.matchAll(/stroke-opacity="([\d.]+)"[^>]* d="([^"]+)"/g)].map((m) => [m[1], m[2]])
    assert.deepEqual(paths, [
      ["0.450", "M30 40h0"],
      [(1 - 0.55 ** 2).toFixed(3), "M10 20h0"],
    ])
  })
})
