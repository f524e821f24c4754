/**
 * Line charts (e.g. training and test error per epoch, ERM vs mixup) and grouped bar
 * charts (e.g. test error per setting), drawn with Vega-Lite.
 */
import { Effect } from "effect"
import type { TopLevelSpec } from "vega-lite"
import * as Check from "./Check.ts"
import type { InvalidArgument, RenderFailed } from "./Errors.ts"
import * as Palette from "./Palette.ts"
import type { Picture } from "./Picture.ts"
import { render } from "./VegaLite.ts"

export interface Series {
  readonly name: string
  /** [x, y] pairs, drawn in the given order. */
  readonly points: ReadonlyArray<readonly [number, number]>
  /**
   * A shaded band around the line, [x, low, high] (e.g. the min-max or ± std of several seeds
   * around their mean), in the series' colour.
   */
  readonly band?: ReadonlyArray<readonly [number, number, number]>
}

export interface LinesSpec {
  readonly title: string
  /** A second, smaller title line (e.g. how the bands were computed). */
  readonly subtitle?: string
  readonly xLabel: string
  readonly yLabel: string
  /** Up to 8 series, told apart by colour and dash pattern, in the legend in this order. */
  readonly series: ReadonlyArray<Series>
  /** Plot area size in pixels (default 480 × 300). */
  readonly width?: number
  readonly height?: number
  /** Fixed y range, e.g. [0, 1] for error rates; default: fitted to the data. */
  readonly yDomain?: readonly [number, number]
  /** x takes whole numbers only (e.g. epochs): ticks at integers, printed without decimals. */
  readonly integerX?: boolean
}

const dashes: ReadonlyArray<ReadonlyArray<number>> = [
  [],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
  [],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
]

const checkSize = (width: number, height: number): Check.Check =>
  Check.all([
    Check.integerInRange("width", width, 16, 8192),
    Check.integerInRange("height", height, 16, 8192),
  ])

const checkLines = (spec: LinesSpec): Check.Check =>
  Check.all([
    Check.nonEmpty("series", spec.series),
    Check.integerInRange("series.length", spec.series.length, 1, Palette.size),
    Check.distinctNames(
      "series[].name",
      spec.series.map((s) => s.name),
    ),
    ...spec.series.flatMap((s, i) => [
      Check.nonEmpty(`series[${i}].points`, s.points),
      Check.finite(`series[${i}].points (flattened x, y)`, s.points.flat()),
      ...(s.band === undefined
        ? []
        : [Check.finite(`series[${i}].band (flattened x, low, high)`, s.band.flat())]),
    ]),
    checkSize(spec.width ?? 480, spec.height ?? 300),
    spec.yDomain === undefined ? Effect.void : Check.range("yDomain", spec.yDomain),
  ])

/**
 * An explicit scale domain for data whose extent is narrower than Vega can tick (see
 * `Check.minimumSpan`): such values are drawn as one value, at the middle of the axis.
 * Undefined when Vega's own fitting works.
 */
const collapsedDomain = (values: ReadonlyArray<number>): readonly [number, number] | undefined => {
  // A loop, not Math.min(...values): a long series would overflow the argument list.
  let low = Number.POSITIVE_INFINITY
  let high = Number.NEGATIVE_INFINITY
  for (const v of values) {
    if (v < low) low = v
    if (v > high) high = v
  }
  return high - low > 0 && high - low < Check.minimumSpan ? [low, low] : undefined
}

/**
 * A line chart with one line (and point markers when short) per series, each with its optional
 * band shaded under it, and the legend below the plot (long run names beside it would leave a
 * third of the picture empty).
 */
export const lines = (spec: LinesSpec): Effect.Effect<Picture, InvalidArgument | RenderFailed> =>
  Effect.andThen(
    checkLines(spec),
    Effect.suspend(() => {
      const names = spec.series.map((s) => s.name)
      const values = spec.series.flatMap((s) =>
        s.points.map(([x, y], order) => ({ series: s.name, x, y, order })),
      )
      const bands = spec.series.flatMap((s) =>
        (s.band ?? []).map(([x, low, high]) => ({ series: s.name, x, low, high })),
      )
      const longest = Math.max(...spec.series.map((s) => s.points.length))
      const xCollapsed = collapsedDomain(values.map((v) => v.x))
      const yCollapsed = collapsedDomain([
        ...values.map((v) => v.y),
        ...bands.flatMap((b) => [b.low, b.high]),
      ])
      const colour = {
        field: "series",
        type: "nominal",
        title: null,
        scale: { domain: names, range: names.map((_, k) => Palette.colour(k)) },
        legend: {
          symbolType: "stroke",
          symbolStrokeWidth: 2.5,
          symbolSize: 300,
          orient: "bottom",
          direction: "horizontal",
          columns: Math.min(names.length, 2),
        },
      } as const
      const line = {
        data: { values },
        mark: { type: "line", strokeWidth: 2, point: longest <= 60 ? { size: 30, filled: true } : false },
        encoding: {
          x: {
            field: "x",
            type: "quantitative",
            title: spec.xLabel,
            scale: {
              zero: false,
              nice: false,
              ...(xCollapsed === undefined ? {} : { domain: [...xCollapsed] }),
            },
            ...(spec.integerX === true ? { axis: { format: "d", tickMinStep: 1 } } : {}),
          },
          y: {
            field: "y",
            type: "quantitative",
            title: spec.yLabel,
            scale:
              spec.yDomain !== undefined
                ? { domain: [...spec.yDomain], clamp: true }
                : yCollapsed !== undefined
                  ? { zero: false, domain: [...yCollapsed] }
                  : { zero: false },
          },
          color: colour,
          strokeDash: {
            field: "series",
            type: "nominal",
            title: null,
            scale: { domain: names, range: names.map((_, k) => [...dashes[k]!]) },
          },
          order: { field: "order", type: "quantitative" },
        },
      } as const
      // One layer per band with its series' colour as a constant: no encoding of the series, so
      // the line layer's legend (colour and dash) stays the only one.
      const bandLayers = spec.series.flatMap((series, k) =>
        series.band === undefined || series.band.length === 0
          ? []
          : [
              {
                data: { values: series.band.map(([x, low, high]) => ({ x, low, high })) },
                mark: { type: "area", opacity: 0.18, color: Palette.colour(k) },
                encoding: {
                  x: { field: "x", type: "quantitative" },
                  y: { field: "low", type: "quantitative" },
                  y2: { field: "high" },
                },
              } as const,
            ],
      )
      const vl: TopLevelSpec = {
        title: spec.subtitle === undefined ? spec.title : { text: spec.title, subtitle: spec.subtitle },
        width: spec.width ?? 480,
        height: spec.height ?? 300,
        layer: [...bandLayers, line],
      } as TopLevelSpec
      return render(vl)
    }),
  )

export interface Bar {
  /** Position on the category axis, e.g. "CIFAR-10 / PreAct ResNet-18". */
  readonly group: string
  /** Colour within the group, e.g. "ERM" or "mixup". */
  readonly series: string
  readonly value: number
}

export interface BarsSpec {
  readonly title: string
  readonly yLabel: string
  readonly xLabel?: string
  readonly bars: ReadonlyArray<Bar>
  /** Width of one group in pixels (default 90) and plot height (default 260). */
  readonly groupWidth?: number
  readonly height?: number
  /** Digits of the value printed above each bar (default 2; -1 prints no values). */
  readonly digits?: number
}

const distinct = (items: ReadonlyArray<string>): ReadonlyArray<string> => [...new Set(items)]

/** Grouped bars: one group per `group`, one coloured bar per `series`, values printed on top. */
export const bars = (spec: BarsSpec): Effect.Effect<Picture, InvalidArgument | RenderFailed> => {
  const groups = distinct(spec.bars.map((b) => b.group))
  const series = distinct(spec.bars.map((b) => b.series))
  const digits = spec.digits ?? 2
  const keys = spec.bars.map((b) => JSON.stringify([b.group, b.series]))
  return Effect.andThen(
    Check.all([
      Check.nonEmpty("bars", spec.bars),
      Check.finite(
        "bars[].value",
        spec.bars.map((b) => b.value),
      ),
      Check.integerInRange("number of distinct bars[].series", series.length, 1, Palette.size),
      Check.distinctNames("bars[] (group, series) pairs", keys),
      Check.integerInRange("groupWidth", spec.groupWidth ?? 90, 8, 2048),
      Check.integerInRange("height", spec.height ?? 260, 16, 8192),
      Check.integerInRange("digits", digits, -1, 10),
    ]),
    Effect.suspend(() => {
      // Bars start at zero, so zero belongs to the extent.
      const yCollapsed = collapsedDomain([0, ...spec.bars.map((b) => b.value)])
      const encoding = {
        x: {
          field: "group",
          type: "nominal",
          title: spec.xLabel ?? null,
          sort: groups,
          axis: { labelAngle: 0 },
        },
        xOffset: { field: "series", type: "nominal", sort: series },
        y: {
          field: "value",
          type: "quantitative",
          title: spec.yLabel,
          ...(yCollapsed === undefined ? {} : { scale: { domain: [...yCollapsed] } }),
        },
      } as const
      const color = {
        field: "series",
        type: "nominal",
        title: null,
        scale: { domain: [...series], range: series.map((_, k) => Palette.colour(k)) },
      } as const
      const vl: TopLevelSpec = {
        title: spec.title,
        width: { step: Math.max(8, Math.floor((spec.groupWidth ?? 90) / series.length)) },
        height: spec.height ?? 260,
        data: { values: spec.bars.map((b) => ({ ...b })) },
        encoding,
        layer: [
          { mark: { type: "bar" }, encoding: { color } },
          ...(digits < 0
            ? []
            : [
                {
                  mark: { type: "text" as const, dy: -6, fontSize: 11, color: "#333" },
                  encoding: {
                    text: { field: "value", type: "quantitative" as const, format: `.${digits}f` },
                  },
                },
              ]),
        ],
      }
      return render(vl)
    }),
  )
}
