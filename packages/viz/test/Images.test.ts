import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Images, Picture } from "@vicinal/viz"
import * as fc from "fast-check"
import { assertInvalid, assertWellFormed, decodePng, run, texts } from "./helpers.ts"

const arbGrid = fc
  .record({
    n: fc.integer({ min: 1, max: 7 }),
    h: fc.integer({ min: 1, max: 5 }),
    w: fc.integer({ min: 1, max: 5 }),
    c: fc.constantFrom(1, 3),
    columns: fc.integer({ min: 1, max: 4 }),
    scale: fc.integer({ min: 1, max: 4 }),
    captioned: fc.boolean(),
  })
  .chain((g) =>
    fc.record({
      g: fc.constant(g),
      k: fc.integer({ min: 0, max: g.n - 1 }),
      i: fc.integer({ min: 0, max: g.h - 1 }),
      j: fc.integer({ min: 0, max: g.w - 1 }),
      // A colour with at least one channel on (for grey images only the first counts).
      rgb: fc
        .tuple(fc.constantFrom(0, 1), fc.constantFrom(0, 1), fc.constantFrom(0, 1))
        .filter(([r, g2, b]) => r + g2 + b > 0 && (g.c === 3 || r === 1)),
    }),
  )

describe("Images.grid", () => {
  test("a lit pixel of image k appears in cell k, at its position, in its colour, and nowhere else", async () => {
    await fc.assert(
      fc.asyncProperty(arbGrid, async ({ g, k, i, j, rgb }) => {
        const images = new Float32Array(g.n * g.h * g.w * g.c)
        for (let ch = 0; ch < g.c; ch++) images[((k * g.h + i) * g.w + j) * g.c + ch] = rgb[ch]!
        const spec: Images.GridSpec = {
          images,
          shape: [g.n, g.h, g.w, g.c],
          columns: g.columns,
          scale: g.scale,
          ...(g.captioned ? { captions: Array.from({ length: g.n }, (_, m) => `#${m}`) } : {}),
        }
        const picture = await run(Images.grid(spec))
        const png = decodePng(await run(Picture.toPng(picture, { scale: 1 })))
        assert.equal(png.width, picture.width)
        assert.equal(png.height, picture.height)
        const expected = g.c === 3 ? rgb.map((v) => v * 255) : [255, 255, 255]
        Images.layout(spec).cells.forEach((cell, m) => {
          // Every device pixel of the scale × scale block, not just one.
          for (let di = 0; di < g.scale; di++)
            for (let dj = 0; dj < g.scale; dj++) {
              const shown = png.pixel(cell.x + j * g.scale + dj, cell.y + i * g.scale + di)
              assert.deepEqual(shown, m === k ? expected : [0, 0, 0], `cell ${m}`)
            }
        })
      }),
      { numRuns: 20 },
    )
  })

  test("grey values map to bytes, clamped to [0, 1]", async () => {
    const values = [-0.5, 0, 0.25, 0.5, 1, 1.5]
    const spec: Images.GridSpec = {
      images: Float32Array.from(values),
      shape: [1, 1, 6, 1],
      columns: 1,
      scale: 1,
    }
    const png = decodePng(await run(Picture.toPng(await run(Images.grid(spec)), { scale: 1 })))
    const cell = Images.layout(spec).cells[0]!
    const shown = values.map((_, x) => png.pixel(cell.x + x, cell.y)[0])
    assert.deepEqual(shown, [0, 0, 64, 128, 255, 255])
  })

  test("cells lie inside the picture and never overlap", () => {
    fc.assert(
      fc.property(arbGrid, ({ g }) => {
        const spec: Images.GridSpec = {
          images: new Float32Array(0),
          shape: [g.n, g.h, g.w, g.c],
          columns: g.columns,
          scale: g.scale,
          captions: Array.from({ length: g.n }, () => "0.62·3 + 0.38·8"),
        }
        const { width, height, cells } = Images.layout(spec)
        assert.equal(cells.length, g.n)
        for (const [a, cell] of cells.entries()) {
          assert.ok(
            cell.x >= 0 && cell.y >= 0 && cell.x + cell.width <= width && cell.y + cell.height <= height,
          )
          for (const other of cells.slice(a + 1))
            assert.ok(
              cell.x + cell.width <= other.x ||
                other.x + other.width <= cell.x ||
                cell.y + cell.height <= other.y ||
                other.y + other.height <= cell.y,
            )
        }
      }),
    )
  })

  test("captions and title are SVG text, escaped", async () => {
    const captions = ["0.62·3 + 0.38·8", 'a<b & "c"', "7"]
    const picture = await run(
      Images.grid({
        images: new Float32Array(3 * 4),
        shape: [3, 2, 2, 1],
        captions,
        columns: 2,
        title: "Mixed <examples>",
      }),
    )
    assertWellFormed(picture.svg)
    assert.deepEqual(texts(picture.svg), ["Mixed <examples>", ...captions])
  })

  test("bad input is a typed error naming the argument", async () => {
    const ok: Images.GridSpec = { images: new Float32Array(2 * 3 * 3), shape: [2, 3, 3, 1], columns: 2 }
    await assertInvalid(Images.grid({ ...ok, images: new Float32Array(17) }), "images")
    await assertInvalid(Images.grid({ ...ok, images: new Float32Array(18).fill(Number.NaN, 5) }), "images[5]")
    await assertInvalid(Images.grid({ ...ok, shape: [2, 3, 3, 2], images: new Float32Array(36) }), "shape[3]")
    await assertInvalid(Images.grid({ ...ok, shape: [0, 3, 3, 1] }), "shape[0]")
    await assertInvalid(Images.grid({ ...ok, captions: ["one"] }), "captions")
    await assertInvalid(Images.grid({ ...ok, columns: 0 }), "columns")
    await assertInvalid(Images.grid({ ...ok, scale: 1.5 }), "scale")
  })
})

describe("Images.softLabel", () => {
  test("a one-hot row is just the class; a mix lists both weights, largest first", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 10 }).chain((k) => fc.tuple(fc.constant(k), fc.nat(k - 1), fc.nat(k - 1))),
        fc.integer({ min: 1, max: 99 }).map((p) => p / 100),
        ([k, a, b], lambda) => {
          const oneHot = new Float32Array(k)
          oneHot[a] = 1
          assert.equal(Images.softLabel(oneHot), String(a))
          fc.pre(a !== b)
          const row = new Float32Array(k)
          row[a] = lambda
          row[b] = 1 - lambda
          const [first, second] = lambda > 1 - lambda || (lambda === 0.5 && a < b) ? [a, b] : [b, a]
          const text = Images.softLabel(row, { classNames: Array.from({ length: k }, (_, c) => `c${c}`) })
          assert.equal(text, `${row[first]!.toFixed(2)}·c${first} + ${row[second]!.toFixed(2)}·c${second}`)
        },
      ),
    )
  })

  test("softLabels gives one caption per row and rejects a ragged matrix", async () => {
    const y = Float32Array.from([0, 0.62, 0.38, 1, 0, 0])
    assert.deepEqual(await run(Images.softLabels(y, 3)), ["0.62·1 + 0.38·2", "0"])
    await assertInvalid(Images.softLabels(y, 4), "y")
    await assertInvalid(Images.softLabels(y, 0), "numClasses")
  })
})
