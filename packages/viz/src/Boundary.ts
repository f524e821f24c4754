/**
 * Decision boundaries on 2-D data — the paper's toy figure of ERM vs mixup: the plane
 * coloured by the predicted class, paler where the model is less sure, with the data
 * points on top.
 *
 * The class probabilities on a grid become one small raster (a pixel per grid point),
 * drawn by Vega-Lite as an image mark under the points, with axes and a legend; this keeps
 * the SVG small (a 100 × 100 grid is one embedded PNG, not 10,000 rectangles).
 */
import { Effect } from "effect"
import { encode } from "fast-png"
import type { TopLevelSpec } from "vega-lite"
import * as Check from "./Check.ts"
import type { InvalidArgument, RenderFailed } from "./Errors.ts"
import * as Palette from "./Palette.ts"
import { type Picture, pngDataUri } from "./Picture.ts"
import { render } from "./VegaLite.ts"

export interface ProbabilityGrid {
  /** Grid coordinates along x and y, increasing and evenly spaced (cell centres). */
  readonly xs: ArrayLike<number>
  readonly ys: ArrayLike<number>
  /**
   * Class probabilities (or any non-negative scores) per grid point: entry
   * `(iy * xs.length + ix) * numClasses + c` is class c at (xs[ix], ys[iy]).
   */
  readonly probabilities: Float32Array
  readonly numClasses: number
}

export interface Points {
  /** n points as (x, y) pairs, row-major n × 2. */
  readonly x: Float32Array
  readonly labels: Int32Array
}

export interface BoundarySpec {
  readonly grid: ProbabilityGrid
  readonly points?: Points
  readonly title?: string
  readonly classNames?: ReadonlyArray<string>
  readonly xLabel?: string
  readonly yLabel?: string
  /** Plot area in pixels (default 300 × 300). */
  readonly width?: number
  readonly height?: number
}

export interface Raster {
  readonly width: number
  readonly height: number
  /** RGBA bytes, row 0 at the top (largest y). */
  readonly rgba: Uint8Array
}

/** How strongly a region is tinted: a uniform prediction gives `faint`, a certain one `strong`. */
const faint = 0.12
const strong = 0.7

/** Region colours: the argmax class's colour, tinted towards white as confidence drops. */
export const regions = (grid: ProbabilityGrid): Raster => {
  const nx = grid.xs.length
  const ny = grid.ys.length
  const k = grid.numClasses
  const colours = Array.from({ length: k }, (_, c) => Palette.toRgb(Palette.colour(c)))
  const rgba = new Uint8Array(nx * ny * 4)
  for (let iy = 0; iy < ny; iy++)
    for (let ix = 0; ix < nx; ix++) {
      const base = (iy * nx + ix) * k
      let best = 0
      let sum = 0
      for (let c = 0; c < k; c++) {
        const p = grid.probabilities[base + c]!
        sum += p
        if (p > grid.probabilities[base + best]!) best = c
      }
      const top = sum > 0 ? grid.probabilities[base + best]! / sum : 1 / k
      const confidence = Math.min(1, Math.max(0, (top - 1 / k) / (1 - 1 / k)))
      const [r, g, b] = Palette.tint(colours[best]!, faint + (strong - faint) * confidence)
      const dst = ((ny - 1 - iy) * nx + ix) * 4
      rgba[dst] = r
      rgba[dst + 1] = g
      rgba[dst + 2] = b
      rgba[dst + 3] = 255
    }
  return { width: nx, height: ny, rgba }
}

/** The data range the raster covers: half a grid step beyond the outer grid points. */
const extent = (values: ArrayLike<number>): readonly [number, number] => {
  const first = values[0]!
  const last = values[values.length - 1]!
  const half = (last - first) / (values.length - 1) / 2
  return [first - half, last + half]
}

const padding = { left: 60, top: 40, bottom: 50 }

// Room for the legend: symbol, gap and the longest class name (12 px DejaVu Sans is ≤ 7.5 px a glyph).
const rightPadding = (names: ReadonlyArray<string>): number =>
  Math.max(130, 60 + Math.ceil(Math.max(...names.map((n) => n.length)) * 7.5))

export interface PlotArea {
  /** Top-left corner and size of the plot area in picture pixels. */
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
  readonly xDomain: readonly [number, number]
  readonly yDomain: readonly [number, number]
}

/** Where `plot` draws the plane, so that callers can map data coordinates to pixels. */
export const plotArea = (spec: BoundarySpec): PlotArea => ({
  x: padding.left,
  y: padding.top,
  width: spec.width ?? 300,
  height: spec.height ?? 300,
  xDomain: extent(spec.grid.xs),
  yDomain: extent(spec.grid.ys),
})

const classNames = (spec: BoundarySpec): ReadonlyArray<string> =>
  spec.classNames ?? Array.from({ length: spec.grid.numClasses }, (_, c) => `class ${c}`)

const checkSpec = (spec: BoundarySpec, argument = "spec"): Check.Check => {
  const { grid, points } = spec
  const k = grid.numClasses
  return Check.all([
    Check.integerInRange(`${argument}.grid.numClasses`, k, 2, Palette.size),
    Check.evenlySpaced(`${argument}.grid.xs`, grid.xs),
    Check.evenlySpaced(`${argument}.grid.ys`, grid.ys),
    Check.length(
      `${argument}.grid.probabilities`,
      grid.probabilities,
      grid.xs.length * grid.ys.length * k,
      "xs.length · ys.length · numClasses",
    ),
    Check.finite(`${argument}.grid.probabilities`, grid.probabilities),
    ...(points === undefined
      ? []
      : [
          Check.length(`${argument}.points.x`, points.x, points.labels.length * 2, "2 coordinates per label"),
          Check.finite(`${argument}.points.x`, points.x),
          Check.labels(`${argument}.points.labels`, points.labels, k),
        ]),
    spec.classNames === undefined
      ? Effect.void
      : Check.all([
          Check.length(`${argument}.classNames`, spec.classNames, k, "one per class"),
          Check.distinctNames(`${argument}.classNames`, spec.classNames),
        ]),
    Check.integerInRange(`${argument}.width`, spec.width ?? 300, 16, 4096),
    Check.integerInRange(`${argument}.height`, spec.height ?? 300, 16, 4096),
  ])
}

const negativeProbability = (spec: BoundarySpec, argument: string): Check.Check => {
  const i = spec.grid.probabilities.findIndex((p) => p < 0)
  return i < 0
    ? Effect.void
    : Check.integerInRange(
        `${argument}.grid.probabilities[${i}] (must be >= 0)`,
        spec.grid.probabilities[i]!,
        0,
      )
}

type Layer = Extract<TopLevelSpec, { layer: unknown }>["layer"][number]

/** The image layer and the point layer of one panel, sharing fixed x/y domains. */
const layers = (spec: BoundarySpec): ReadonlyArray<Layer> => {
  const area = plotArea(spec)
  const names = classNames(spec)
  const raster = regions(spec.grid)
  const url = pngDataUri(
    encode({ width: raster.width, height: raster.height, data: raster.rgba, channels: 4 }),
  )
  const x = {
    field: "x",
    type: "quantitative" as const,
    title: spec.xLabel ?? "x₁",
    scale: { domain: [...area.xDomain], nice: false, zero: false },
  }
  const y = {
    field: "y",
    type: "quantitative" as const,
    title: spec.yLabel ?? "x₂",
    scale: { domain: [...area.yDomain], nice: false, zero: false },
  }
  const points = spec.points
  const values =
    points === undefined
      ? []
      : Array.from(points.labels, (label, i) => ({
          x: points.x[2 * i]!,
          y: points.x[2 * i + 1]!,
          class: names[label]!,
        }))
  return [
    {
      data: {
        values: [{ x: area.xDomain[0], x2: area.xDomain[1], y: area.yDomain[1], y2: area.yDomain[0], url }],
      },
      mark: { type: "image", aspect: false, aria: false },
      encoding: { x, x2: { field: "x2" }, y, y2: { field: "y2" }, url: { field: "url", type: "nominal" } },
    },
    {
      data: { values },
      mark: {
        type: "point",
        filled: true,
        size: 36,
        stroke: "#222",
        strokeWidth: 0.8,
        opacity: 1,
        clip: true,
      },
      encoding: {
        x,
        y,
        color: {
          field: "class",
          type: "nominal",
          title: null,
          scale: { domain: [...names], range: names.map((_, c) => Palette.colour(c)) },
        },
        shape: { field: "class", type: "nominal", title: null, scale: { domain: [...names] } },
      },
    },
  ]
}

/** One decision-boundary plot. */
export const plot = (spec: BoundarySpec): Effect.Effect<Picture, InvalidArgument | RenderFailed> =>
  Effect.andThen(
    Check.all([checkSpec(spec), negativeProbability(spec, "spec")]),
    Effect.suspend(() => {
      const area = plotArea(spec)
      return render({
        ...(spec.title === undefined ? {} : { title: spec.title }),
        width: area.width,
        height: area.height,
        autosize: { type: "none" },
        padding: { ...padding, right: rightPadding(classNames(spec)) },
        layer: [...layers(spec)],
      })
    }),
  )

export interface Panel extends BoundarySpec {
  /** Panel title, e.g. "ERM" or "mixup (α = 1)". */
  readonly title: string
}

/** Panels side by side (ERM | mixup) with one shared class legend and an optional overall title. */
export const compare = (
  panels: ReadonlyArray<Panel>,
  options?: { readonly title?: string },
): Effect.Effect<Picture, InvalidArgument | RenderFailed> =>
  Effect.andThen(
    Check.all([
      Check.nonEmpty("panels", panels),
      ...panels.flatMap((panel, i) => [
        checkSpec(panel, `panels[${i}]`),
        negativeProbability(panel, `panels[${i}]`),
      ]),
      Check.all(
        panels.map((panel, i) =>
          Check.integerInRange(
            `panels[${i}].grid.numClasses (same in every panel)`,
            panel.grid.numClasses,
            panels[0]!.grid.numClasses,
            panels[0]!.grid.numClasses,
          ),
        ),
      ),
    ]),
    Effect.suspend(() =>
      render({
        ...(options?.title === undefined ? {} : { title: options.title }),
        hconcat: panels.map((panel) => {
          const area = plotArea(panel)
          return { title: panel.title, width: area.width, height: area.height, layer: [...layers(panel)] }
        }),
        resolve: { scale: { color: "shared", shape: "shared" } },
      }),
    ),
  )
