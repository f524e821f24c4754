/**
 * The pictures of a results folder, drawn with `@vicinal/viz` (Vega-Lite, resvg): test error
 * curves per run, a grid of mixed training examples with their soft labels, and for 2-D data
 * the decision boundary (the paper's ERM vs mixup figure). Each is written as SVG and PNG.
 */
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs-core"
import { Host, Random, Strategy } from "@vicinal/core"
import { Dataset, type DatasetType } from "@vicinal/data"
import type { Classifier } from "@vicinal/models"
import type { EpochMetrics } from "@vicinal/train"
import { Boundary, Charts, Images, Picture } from "@vicinal/viz"
import { Effect } from "effect"
import { type CliError, stepFailed } from "./Errors.ts"

/** PNG pixels per SVG pixel. */
export const PNG_SCALE = 2

/** A picture on disk: both files and the SVG size (the PNG is `PNG_SCALE` times larger). */
export interface Written {
  readonly name: string
  readonly svg: string
  readonly png: string
  readonly width: number
  readonly height: number
  readonly pngScale: number
}

/** Write `<dir>/<name>.svg` and `.png`. */
export const write = (
  picture: Effect.Effect<Picture.Picture, unknown>,
  dir: string,
  name: string,
): Effect.Effect<Written, CliError> =>
  picture.pipe(
    Effect.flatMap((p) =>
      Effect.map(Picture.write(p, join(dir, name), { scale: PNG_SCALE }), (paths) => ({
        name,
        ...paths,
        width: p.width,
        height: p.height,
        pngScale: PNG_SCALE,
      })),
    ),
    Effect.mapError(stepFailed(`picture ${name}`)),
  )

const MAX_CURVES = 8

/** Up to 8 runs' curves of one metric against the epoch (1-based); the title says when more were left out. */
export const curves = (
  runs: ReadonlyArray<{ readonly name: string; readonly history: ReadonlyArray<EpochMetrics> }>,
  options: {
    readonly title: string
    readonly metric: (m: EpochMetrics) => number | undefined
    readonly yLabel: string
  },
) =>
  Charts.lines({
    title:
      runs.length > MAX_CURVES
        ? `${options.title} (first ${MAX_CURVES} of ${runs.length} runs)`
        : options.title,
    xLabel: "epoch",
    integerX: true,
    yLabel: options.yLabel,
    series: runs.slice(0, MAX_CURVES).map((r) => ({
      name: r.name,
      points: r.history.flatMap((m) => {
        const y = options.metric(m)
        return y === undefined || !Number.isFinite(y) ? [] : [[m.epoch + 1, y] as const]
      }),
    })),
  })

/**
 * One line per row (a method over several seeds): the mean of `metric` over the seeds at each
 * epoch, in percent, with the min-max over the seeds shaded around it.
 */
export const seedBands = (
  rows: ReadonlyArray<{
    readonly name: string
    readonly histories: ReadonlyArray<ReadonlyArray<EpochMetrics>>
  }>,
  options: {
    readonly title: string
    readonly metric: (m: EpochMetrics) => number | undefined
    readonly yLabel: string
  },
) => {
  const seeds = Math.max(...rows.map((r) => r.histories.length))
  const series = rows.slice(0, MAX_CURVES).map((r) => {
    const epochs = Math.max(0, ...r.histories.map((h) => h.length))
    const at = Array.from({ length: epochs }, (_, e) => {
      const ys = r.histories.flatMap((h) => {
        const y = h[e] === undefined ? undefined : options.metric(h[e]!)
        return y === undefined || !Number.isFinite(y) ? [] : [100 * y]
      })
      return { x: e + 1, ys }
    }).filter((p) => p.ys.length > 0)
    return {
      name: r.name,
      points: at.map((p) => [p.x, p.ys.reduce((a, b) => a + b, 0) / p.ys.length] as const),
      ...(seeds > 1 ? { band: at.map((p) => [p.x, Math.min(...p.ys), Math.max(...p.ys)] as const) } : {}),
    }
  })
  return Charts.lines({
    title:
      rows.length > MAX_CURVES
        ? `${options.title} (first ${MAX_CURVES} of ${rows.length} rows)`
        : options.title,
    ...(seeds > 1 ? { subtitle: `mean of ${seeds} seeds, min-max shaded` } : {}),
    xLabel: "epoch",
    integerX: true,
    yLabel: options.yLabel,
    series: series.filter((s) => s.points.length > 0),
  })
}

/**
 * The first `count` training examples mixed by `strategy` (its plan executed on the host),
 * captioned with their soft labels, e.g. "0.62·3 + 0.38·8". Image data only ([n, h, w, c]).
 */
export const mixedExamples = (
  dataset: DatasetType,
  strategy: Strategy.Strategy,
  options: {
    readonly count: number
    readonly seed: number
    readonly title: string
    readonly columns?: number
  },
) =>
  Effect.gen(function* () {
    const [total = 0, h = 1, w = 1, c = 1] = dataset.shape
    const n = Math.min(options.count, total)
    const size = h * w * c
    const x = dataset.x.slice(0, n * size)
    const labels = dataset.labels.slice(0, n)
    const y = Dataset.oneHot(labels, dataset.numClasses)
    const shape = [n, h, w, c] as const
    const mixed = yield* Effect.try({
      try: () =>
        Host.execute(
          Strategy.plan(
            strategy,
            { n, shape, labels, features: x },
            { epoch: 0, step: 0 },
            Random.make(options.seed),
          ),
          { x, shape, y },
        ),
      catch: stepFailed("mixed examples"),
    })
    const captions = yield* Images.softLabels(mixed.y, dataset.numClasses, {
      ...(dataset.classNames === undefined ? {} : { classNames: dataset.classNames }),
    })
    return yield* Images.grid({
      images: mixed.x,
      shape,
      captions,
      columns: options.columns ?? Math.min(8, n),
      scale: 3,
      title: options.title,
    })
  })

/** Class probabilities of a 2-D classifier on a `resolution` × `resolution` grid covering `dataset`. */
export const probabilityGrid = (
  classifier: Classifier,
  dataset: DatasetType,
  resolution = 80,
): Boundary.ProbabilityGrid => {
  const n = dataset.shape[0] ?? 0
  const axis = (d: number) => {
    let lo = Number.POSITIVE_INFINITY
    let hi = Number.NEGATIVE_INFINITY
    for (let i = 0; i < n; i++) {
      const v = dataset.x[i * 2 + d]!
      lo = Math.min(lo, v)
      hi = Math.max(hi, v)
    }
    const margin = 0.1 * (hi - lo) + 1e-3
    const step = (hi - lo + 2 * margin) / (resolution - 1)
    return Float32Array.from({ length: resolution }, (_, i) => lo - margin + i * step)
  }
  const xs = axis(0)
  const ys = axis(1)
  const points = new Float32Array(resolution * resolution * 2)
  for (let iy = 0; iy < resolution; iy++)
    for (let ix = 0; ix < resolution; ix++) {
      points[(iy * resolution + ix) * 2] = xs[ix]!
      points[(iy * resolution + ix) * 2 + 1] = ys[iy]!
    }
  const probabilities = tf.tidy(() =>
    tf
      .softmax(classifier.forward(tf.tensor2d(points, [resolution * resolution, 2]), { training: false }))
      .dataSync(),
  ) as Float32Array
  return { xs, ys, probabilities: Float32Array.from(probabilities), numClasses: dataset.numClasses }
}

/** A probability grid as JSON-friendly arrays (it travels in `summary.json`). */
export interface GridJson {
  readonly xs: ReadonlyArray<number>
  readonly ys: ReadonlyArray<number>
  readonly probabilities: ReadonlyArray<number>
  readonly numClasses: number
}

export const gridToJson = (grid: Boundary.ProbabilityGrid): GridJson => ({
  xs: Array.from(grid.xs),
  ys: Array.from(grid.ys),
  probabilities: Array.from(grid.probabilities, (p) => Math.round(p * 1e4) / 1e4),
  numClasses: grid.numClasses,
})

export const gridFromJson = (json: GridJson): Boundary.ProbabilityGrid => ({
  xs: Float64Array.from(json.xs),
  ys: Float64Array.from(json.ys),
  probabilities: Float32Array.from(json.probabilities),
  numClasses: json.numClasses,
})

/** Side-by-side decision boundaries (ERM | mixup) with the training points on top. */
export const boundaries = (
  panels: ReadonlyArray<{ readonly title: string; readonly grid: GridJson }>,
  points: DatasetType,
  title: string,
) =>
  Boundary.compare(
    panels.map((p) => ({
      title: p.title,
      grid: gridFromJson(p.grid),
      points: { x: points.x, labels: points.labels },
      width: 260,
      height: 260,
    })),
    { title },
  )

/** The boundary panels of rows whose first run measured one (`extra.boundary`), titled by method and setting. */
export const panelsOf = (
  rows: ReadonlyArray<{
    readonly method: string
    readonly setting?: string
    readonly outcomes: ReadonlyArray<{ readonly extra?: unknown }>
  }>,
): ReadonlyArray<{ readonly title: string; readonly grid: GridJson }> =>
  rows.flatMap((r) => {
    const grid = (r.outcomes[0]?.extra as { readonly boundary?: GridJson } | undefined)?.boundary
    const title = r.setting === undefined || r.setting === "" ? r.method : `${r.method} (${r.setting})`
    return grid === undefined ? [] : [{ title, grid }]
  })
