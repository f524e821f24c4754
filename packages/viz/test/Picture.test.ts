import assert from "node:assert/strict"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, test } from "node:test"
import { Charts, Picture } from "@vicinal/viz"
import { assertInvalid, assertWellFormed, decodePng, failure, run, texts } from "./helpers.ts"

const square = (fill: string, size: number): Picture.Picture => ({
  svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}"><defs><clipPath id="clip1"><rect width="${size / 2}" height="${size}"/></clipPath></defs><rect width="${size}" height="${size}" fill="${fill}" clip-path="url(#clip1)"/></svg>`,
  width: size,
  height: size,
})

describe("Picture", () => {
  test("fromSvg reads the root size and rejects an SVG without one", async () => {
    const picture = await run(Picture.fromSvg(square("red", 12).svg))
    assert.deepEqual([picture.width, picture.height], [12, 12])
    await assertInvalid(Picture.fromSvg("<svg></svg>"), "svg")
  })

  test("toPng renders at the given scale; bad scale and bad SVG are typed errors", async () => {
    const png = decodePng(await run(Picture.toPng(square("#ff0000", 10), { scale: 3 })))
    assert.deepEqual([png.width, png.height], [30, 30])
    assert.deepEqual(png.pixel(5, 15), [255, 0, 0])
    assert.deepEqual(png.pixel(25, 15), [255, 255, 255], "clipped half is the white background")
    await assertInvalid(Picture.toPng(square("red", 10), { scale: 0 }), "options.scale")
    const error = await failure(Picture.toPng({ svg: "<svg", width: 1, height: 1 }))
    assert.equal(error._tag, "RenderFailed")
  })

  test("beside lays pictures left to right, keeps each one's clip paths apart, and labels them", async () => {
    const picture = await run(
      Picture.beside([square("#ff0000", 20), square("#0000ff", 30)], { gap: 10, labels: ["ERM", "mixup"] }),
    )
    assertWellFormed(picture.svg)
    assert.equal(picture.width, 20 + 10 + 30)
    assert.deepEqual(texts(picture.svg), ["ERM", "mixup"])
    const ids = [...picture.svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1])
    assert.equal(new Set(ids).size, ids.length, "ids are unique")
    const png = decodePng(await run(Picture.toPng(picture, { scale: 1 })))
    assert.equal(png.height, picture.height)
    const top = picture.height - 30
    assert.deepEqual(png.pixel(5, top + 5), [255, 0, 0])
    assert.deepEqual(png.pixel(35, top + 5), [0, 0, 255], "second picture's own clip path applies")
    assert.deepEqual(png.pixel(55, top + 5), [255, 255, 255])
    await assertInvalid(Picture.beside([]), "pictures")
    await assertInvalid(Picture.beside([square("red", 5)], { labels: ["a", "b"] }), "options.labels")
  })

  test("write saves the SVG and a decodable PNG; data-last form composes with pipe", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vicinal-viz-"))
    try {
      const chart = await run(
        Charts.lines({
          title: "t",
          xLabel: "x",
          yLabel: "y",
          series: [
            {
              name: "s",
              points: [
                [0, 1],
                [1, 0],
              ],
            },
          ],
        }),
      )
      const paths = await run(Picture.write(join(dir, "nested", "chart"), { scale: 1 })(chart))
      assert.equal(await readFile(paths.svg, "utf8"), chart.svg)
      const png = decodePng(new Uint8Array(await readFile(paths.png)))
      assert.deepEqual([png.width, png.height], [chart.width, chart.height])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
