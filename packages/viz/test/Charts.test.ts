import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Charts, Picture } from "@vicinal/viz"
import * as fc from "fast-check"
import { assertInvalid, assertWellFormed, decodePng, run, texts } from "./helpers.ts"

const series = (name: string, n: number, slope: number): Charts.Series => ({
  name,
  points: Array.from({ length: n }, (_, i) => [i + 1, 0.9 - slope * i] as const),
})

const spec: Charts.LinesSpec = {
  title: "Test error",
  xLabel: "epoch",
  yLabel: "error",
  series: [series("ERM", 10, 0.05), series("mixup", 10, 0.07)],
}

// Names with XML specials and spaces, short enough that Vega never truncates them.
const arbName = fc
  .string({ unit: fc.constantFrom(..."ab XYZ<>&'\"01·λ"), minLength: 1, maxLength: 10 })
  .filter((s) => s.trim() === s && s.length > 0)
const arbSeries = fc.uniqueArray(arbName, { minLength: 1, maxLength: 5 }).chain((names) =>
  fc.tuple(
    ...names.map((name) =>
      fc
        .array(
          fc.tuple(
            fc.double({ min: -1e3, max: 1e3, noNaN: true }),
            fc.double({ min: -1e3, max: 1e3, noNaN: true }),
          ),
          {
            minLength: 1,
            maxLength: 8,
          },
        )
        .map((points): Charts.Series => ({ name, points })),
    ),
  ),
)

describe("Charts.lines", () => {
  test("is well-formed SVG with the title, axis labels and every series name in the legend", async () => {
    await fc.assert(
      fc.asyncProperty(arbSeries, arbName, async (all, title) => {
        const picture = await run(Charts.lines({ title, xLabel: "epoch", yLabel: "error", series: all }))
        assertWellFormed(picture.svg)
        const shown = texts(picture.svg)
        for (const expected of [title, "epoch", "error", ...all.map((s) => s.name)])
          assert.ok(shown.includes(expected), `${JSON.stringify(expected)} is shown`)
      }),
      { numRuns: 12 },
    )
  })

  test("PNG decodes with the picture's size times the scale", async () => {
    const picture = await run(Charts.lines(spec))
    for (const scale of [1, 2]) {
      const png = decodePng(await run(Picture.toPng(picture, { scale })))
      assert.equal(png.width, Math.round(picture.width * scale))
      assert.equal(png.height, Math.round(picture.height * scale))
    }
  })

  test("a band is shaded in its series' colour under the line; the legend names each series once, below the plot", async () => {
    const banded = spec.series.map((s) => ({
      ...s,
      band: s.points.map(([x, y]) => [x, y - 0.02, y + 0.03] as const),
    }))
    const picture = await run(Charts.lines({ ...spec, subtitle: "mean of 3 seeds", series: banded }))
    assertWellFormed(picture.svg)
    const areas =
      picture.svg.match(/class="mark-area role-mark[^"]*"[^>]*>\s*<path[^>]*fill="#[0-9A-Fa-f]{6}"/g) ?? []
    assert.equal(areas.length, 2, "one shaded area per series")
    assert.ok(areas[0]!.includes('fill="#0072B2"') && areas[1]!.includes('fill="#E69F00"'))
    const shown = texts(picture.svg)
    for (const name of ["ERM", "mixup"])
      assert.equal(shown.filter((t) => t === name).length, 1, `${name} once in the legend`)
    assert.ok(shown.includes("mean of 3 seeds"), "the subtitle")
    await assertInvalid(
      Charts.lines({ ...spec, series: [{ ...spec.series[0]!, band: [[1, Number.NaN, 1]] }] }),
      "series[0].band",
    )
  })

  test("each series is drawn in its own palette colour", async () => {
    const picture = await run(Charts.lines(spec))
    assert.ok(picture.svg.includes('stroke="#0072B2"'), "first series blue")
    assert.ok(picture.svg.includes('stroke="#E69F00"'), "second series orange")
  })

  test("values closer together than Vega can tick are drawn on one value, not a crash", async () => {
    // Found by the legend property: x = ±5e-324 made Vega's tick arithmetic underflow.
    for (const [low, high] of [
      [-5e-324, 5e-324],
      [1e-310, 2e-310],
    ] as const) {
      for (const points of [
        [
          [low, 0],
          [high, 1],
        ],
        [
          [0, low],
          [1, high],
        ],
      ] as const) {
        const picture = await run(Charts.lines({ ...spec, series: [{ name: "tiny", points }] }))
        assertWellFormed(picture.svg)
        assert.ok(texts(picture.svg).includes("tiny"))
      }
      const bars = await run(
        Charts.bars({
          title: "t",
          yLabel: "y",
          bars: [
            { group: "a", series: "s", value: low },
            { group: "b", series: "s", value: high },
          ],
        }),
      )
      assertWellFormed(bars.svg)
    }
    await assertInvalid(Charts.lines({ ...spec, yDomain: [0, 5e-324] }), "yDomain")
  })

  test("bad input is a typed error naming the argument", async () => {
    await assertInvalid(Charts.lines({ ...spec, series: [] }), "series")
    await assertInvalid(
      Charts.lines({ ...spec, series: [spec.series[0]!, { name: "empty", points: [] }] }),
      "series[1].points",
    )
    await assertInvalid(
      Charts.lines({ ...spec, series: [spec.series[0]!, { ...spec.series[1]!, name: "ERM" }] }),
      "series[].name[1]",
    )
    await assertInvalid(Charts.lines({ ...spec, yDomain: [1, 0] }), "yDomain")
    await assertInvalid(Charts.lines({ ...spec, width: 0 }), "width")
    await assertInvalid(
      Charts.lines({ ...spec, series: Array.from({ length: 9 }, (_, i) => series(`s${i}`, 2, 0.1)) }),
      "series.length",
    )
  })

  test("a NaN or infinity anywhere is reported with its series", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbSeries,
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
        async (all, si, pi, onY, bad) => {
          const s = si % all.length
          const p = pi % all[s]!.points.length
          const broken = all.map((one, i) =>
            i !== s
              ? one
              : {
                  ...one,
                  points: one.points.map((pt, j) =>
                    j !== p ? pt : onY ? ([pt[0], bad] as const) : ([bad, pt[1]] as const),
                  ),
                },
          )
          const error = await assertInvalid(Charts.lines({ ...spec, series: broken }), `series[${s}].points`)
          assert.ok(Number.isNaN(error.value) || error.value === bad)
        },
      ),
      { numRuns: 40 },
    )
  })
})

describe("Charts.bars", () => {
  const table: Charts.BarsSpec = {
    title: "CIFAR-10 test error",
    yLabel: "error (%)",
    bars: [
      { group: "PreAct ResNet-18", series: "ERM", value: 5.6 },
      { group: "PreAct ResNet-18", series: "mixup", value: 4.2 },
      { group: "WRN-28-10", series: "ERM", value: 3.8 },
      { group: "WRN-28-10", series: "mixup", value: 2.7 },
    ],
    digits: 1,
  }

  test("is well-formed SVG showing groups, series and the values", async () => {
    const picture = await run(Charts.bars(table))
    assertWellFormed(picture.svg)
    const shown = texts(picture.svg)
    for (const expected of [
      "CIFAR-10 test error",
      "error (%)",
      "PreAct ResNet-18",
      "WRN-28-10",
      "ERM",
      "mixup",
      "5.6",
      "4.2",
      "3.8",
      "2.7",
    ])
      assert.ok(shown.includes(expected), `${expected} is shown`)
    const png = decodePng(await run(Picture.toPng(picture, { scale: 1 })))
    assert.equal(png.width, picture.width)
  })

  test("bad input is a typed error naming the argument", async () => {
    await assertInvalid(Charts.bars({ ...table, bars: [] }), "bars")
    await assertInvalid(
      Charts.bars({ ...table, bars: [...table.bars, { group: "x", series: "ERM", value: Number.NaN }] }),
      "bars[].value[4]",
    )
    await assertInvalid(
      Charts.bars({ ...table, bars: [...table.bars, { ...table.bars[0]!, value: 1 }] }),
      "bars[] (group, series) pairs[4]",
    )
    await assertInvalid(Charts.bars({ ...table, digits: 1.5 }), "digits")
  })
})
