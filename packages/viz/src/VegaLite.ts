/**
 * Vega-Lite specs to SVG pictures, headless: Vega's scenegraph is rendered straight to
 * an SVG string (no DOM, no canvas; text widths are estimated from the font size).
 */
import { Effect } from "effect"
import { parse, View } from "vega"
import { type Config, compile, type TopLevelSpec } from "vega-lite"
import { RenderFailed } from "./Errors.ts"
import type { Picture } from "./Picture.ts"

/** House style: readable sizes, light grid, no chart border. */
export const config: Config = {
  font: "sans-serif",
  background: "white",
  view: { stroke: null },
  title: { fontSize: 16, fontWeight: "normal", anchor: "middle", offset: 10 },
  axis: {
    labelFontSize: 12,
    titleFontSize: 13,
    titleFontWeight: "normal",
    gridColor: "#e6e6e6",
    domainColor: "#888",
  },
  legend: { labelFontSize: 12, titleFontSize: 12, symbolSize: 120, labelLimit: 240 },
}

/** Compiles and renders; the returned SVG carries its own width and height. */
export const render = (spec: TopLevelSpec): Effect.Effect<Picture, RenderFailed> =>
  Effect.tryPromise({
    try: async () => {
      const view = new View(parse(compile({ config, ...spec }).spec), { renderer: "none" })
      try {
        const svg = await view.toSVG()
        const size = /<svg\b[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg)
        if (size === null) throw new Error("Vega returned an SVG without width/height")
        // Whole pixels, so that a PNG at scale s is exactly s·width × s·height.
        const width = Math.ceil(Number(size[1]))
        const height = Math.ceil(Number(size[2]))
        const root = /<svg\b[^>]*>/.exec(svg)![0]
        const sized = root
          .replace(/\swidth="[\d.]+"/, ` width="${width}"`)
          .replace(/\sheight="[\d.]+"/, ` height="${height}"`)
          .replace(/\sviewBox="[^"]*"/, ` viewBox="0 0 ${width} ${height}"`)
        return { svg: svg.replace(root, sized), width, height }
      } finally {
        view.finalize()
      }
    },
    catch: (cause) => new RenderFailed({ stage: "chart", cause }),
  })
