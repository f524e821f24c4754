import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Boundary, Palette, Picture } from "@vicinal/viz"
import * as fc from "fast-check"
import { assertInvalid, assertWellFormed, decodePng, nearestTintOf, run, texts } from "./helpers.ts"

const colours = Palette.okabeIto.map(Palette.toRgb)

const argmax = (row: ArrayLike<number>): number => {
  let best = 0
  for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c
  return best
}

const arbGrid = fc
  .record({
    nx: fc.integer({ min: 2, max: 6 }),
    ny: fc.integer({ min: 2, max: 6 }),
    k: fc.integer({ min: 2, max: 8 }),
  })
  .chain(({ nx, ny, k }) =>
    fc.array(fc.integer({ min: 0, max: 20 }), { minLength: nx * ny * k, maxLength: nx * ny * k }).map(
      (scores): Boundary.ProbabilityGrid => ({
        xs: Array.from({ length: nx }, (_, i) => -1 + i * 0.5),
        ys: Array.from({ length: ny }, (_, i) => 2 + i * 0.25),
        probabilities: Float32Array.from(scores, (s) => s / 20),
        numClasses: k,
      }),
    ),
  )

const row = (grid: Boundary.ProbabilityGrid, ix: number, iy: number) =>
  grid.probabilities.subarray(
    (iy * grid.xs.length + ix) * grid.numClasses,
    (iy * grid.xs.length + ix + 1) * grid.numClasses,
  )

describe("Boundary.regions", () => {
  test("each grid point is a tint of its argmax class colour (ties: lower class), y up", () => {
    fc.assert(
      fc.property(arbGrid, (grid) => {
        const raster = Boundary.regions(grid)
        assert.equal(raster.width, grid.xs.length)
        assert.equal(raster.height, grid.ys.length)
        for (let iy = 0; iy < grid.ys.length; iy++)
          for (let ix = 0; ix < grid.xs.length; ix++) {
            const at = ((grid.ys.length - 1 - iy) * raster.width + ix) * 4
            const rgb = Array.from(raster.rgba.subarray(at, at + 3))
            assert.equal(raster.rgba[at + 3], 255)
            assert.equal(
              nearestTintOf(rgb, colours.slice(0, grid.numClasses)),
              argmax(row(grid, ix, iy)),
              `(${ix}, ${iy})`,
            )
          }
      }),
    )
  })

  test("a more confident prediction is drawn stronger (further from white)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 50, max: 100 }), fc.integer({ min: 50, max: 100 }), (a, b) => {
        fc.pre(a !== b)
        const grid: Boundary.ProbabilityGrid = {
          xs: [0, 1],
          ys: [0, 1],
          probabilities: Float32Array.from([a / 100, 1 - a / 100, b / 100, 1 - b / 100, 0.5, 0.5, 0.5, 0.5]),
          numClasses: 2,
        }
        const { rgba } = Boundary.regions(grid)
        // Bottom row of the raster is iy = 0: pixels 2 (ix = 0) and 3 (ix = 1).
        const distance = (p: number) =>
          Math.hypot(255 - rgba[p * 4]!, 255 - rgba[p * 4 + 1]!, 255 - rgba[p * 4 + 2]!)
        assert.equal(distance(2) > distance(3), a > b)
      }),
    )
  })
})

describe("Boundary.plot", () => {
  // 5 × 4 grid, 3 classes: class = (ix + 2·iy) mod 3 with probability 0.8.
  const nx = 5
  const ny = 4
  const grid: Boundary.ProbabilityGrid = {
    xs: Array.from({ length: nx }, (_, i) => i),
    ys: Array.from({ length: ny }, (_, i) => 10 + 2 * i),
    probabilities: Float32Array.from({ length: nx * ny * 3 }, (_, n) => {
      const point = Math.floor(n / 3)
      return n % 3 === ((point % nx) + 2 * Math.floor(point / nx)) % 3 ? 0.8 : 0.1
    }),
    numClasses: 3,
  }
  const spec: Boundary.BoundarySpec = {
    grid,
    title: "ERM on three classes",
    classNames: ["red", "green", "blue"],
    width: 250,
    height: 200,
  }

  test("in the PNG, the plane at each grid point has the colour of its argmax class", async () => {
    const picture = await run(Boundary.plot(spec))
    const png = decodePng(await run(Picture.toPng(picture, { scale: 1 })))
    const area = Boundary.plotArea(spec)
    const [x0, x1] = area.xDomain
    const [y0, y1] = area.yDomain
    for (let iy = 0; iy < ny; iy++)
      for (let ix = 0; ix < nx; ix++) {
        const px = area.x + ((grid.xs[ix]! - x0) / (x1 - x0)) * area.width
        const py = area.y + ((y1 - grid.ys[iy]!) / (y1 - y0)) * area.height
        const shown = nearestTintOf(png.pixel(px, py), colours.slice(0, 3))
        assert.equal(shown, argmax(row(grid, ix, iy)), `grid point (${ix}, ${iy}) at pixel (${px}, ${py})`)
      }
  })

  test("data points are drawn on top in their class colour", async () => {
    const points: Boundary.Points = {
      x: Float32Array.from([0.5, 11, 3.5, 15]),
      labels: Int32Array.from([2, 0]),
    }
    const picture = await run(Boundary.plot({ ...spec, points }))
    const area = Boundary.plotArea(spec)
    const png = decodePng(await run(Picture.toPng(picture, { scale: 1 })))
    const [x0, x1] = area.xDomain
    const [y0, y1] = area.yDomain
    points.labels.forEach((label, i) => {
      const px = area.x + ((points.x[2 * i]! - x0) / (x1 - x0)) * area.width
      const py = area.y + ((y1 - points.x[2 * i + 1]!) / (y1 - y0)) * area.height
      const shown = png.pixel(px, py)
      const expected = colours[label]!
      assert.ok(
        shown.every((v, ch) => Math.abs(v - expected[ch]!) <= 3),
        `point ${i}: ${shown} vs ${expected}`,
      )
    })
  })

  test("SVG is well-formed with the title, axis labels and class names", async () => {
    const picture = await run(Boundary.plot({ ...spec, xLabel: "feature 1", yLabel: "feature 2" }))
    assertWellFormed(picture.svg)
    const shown = texts(picture.svg)
    for (const expected of ["ERM on three classes", "feature 1", "feature 2", "red", "green", "blue"])
      assert.ok(shown.includes(expected), `${expected} is shown`)
    assert.equal(picture.width, Boundary.plotArea(spec).x + 250 + 130)
  })

  test("compare puts panels side by side with their titles and one legend", async () => {
    const panels = [
      { ...spec, title: "ERM" },
      { ...spec, title: "mixup" },
    ]
    const picture = await run(Boundary.compare(panels, { title: "ERM vs mixup" }))
    assertWellFormed(picture.svg)
    const shown = texts(picture.svg)
    for (const expected of ["ERM vs mixup", "ERM", "mixup"])
      assert.ok(shown.includes(expected), `${expected} is shown`)
    assert.equal(shown.filter((t) => t === "green").length, 1, "one shared legend")
    assert.ok(picture.width > 2 * 250)
    const png = decodePng(await run(Picture.toPng(picture)))
    assert.equal(png.width, picture.width * 2)
  })

  test("bad input is a typed error naming the argument", async () => {
    const g = spec.grid
    await assertInvalid(
      Boundary.plot({ ...spec, grid: { ...g, probabilities: g.probabilities.slice(1) } }),
      "spec.grid.probabilities",
    )
    const nan = g.probabilities.slice()
    nan[7] = Number.NaN
    await assertInvalid(
      Boundary.plot({ ...spec, grid: { ...g, probabilities: nan } }),
      "spec.grid.probabilities[7]",
    )
    const negative = g.probabilities.slice()
    negative[4] = -0.1
    await assertInvalid(
      Boundary.plot({ ...spec, grid: { ...g, probabilities: negative } }),
      "spec.grid.probabilities[4]",
    )
    await assertInvalid(Boundary.plot({ ...spec, grid: { ...g, xs: [0, 1, 3, 4, 5] } }), "spec.grid.xs[2]")
    // A subnormal step cannot be ticked (Vega's tick arithmetic underflows).
    await assertInvalid(
      Boundary.plot({ ...spec, grid: { ...g, xs: Array.from({ length: nx }, (_, i) => i * 5e-324) } }),
      "spec.grid.xs",
    )
    await assertInvalid(Boundary.plot({ ...spec, grid: { ...g, ys: [1] } }), "spec.grid.ys")
    await assertInvalid(Boundary.plot({ ...spec, grid: { ...g, numClasses: 9 } }), "spec.grid.numClasses")
    await assertInvalid(
      Boundary.plot({ ...spec, points: { x: new Float32Array(3), labels: new Int32Array(2) } }),
      "spec.points.x",
    )
    await assertInvalid(
      Boundary.plot({ ...spec, points: { x: new Float32Array(4), labels: Int32Array.from([0, 3]) } }),
      "spec.points.labels[1]",
    )
    await assertInvalid(Boundary.plot({ ...spec, classNames: ["a", "b"] }), "spec.classNames")
    await assertInvalid(Boundary.compare([]), "panels")
    await assertInvalid(
      Boundary.compare([
        { ...spec, title: "ERM" },
        { ...spec, title: "mixup", grid: { ...g, probabilities: nan } },
      ]),
      "panels[1].grid.probabilities[7]",
    )
  })
})
