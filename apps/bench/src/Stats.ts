/**
 * The arithmetic of a benchmark: medians, spreads and ratios of repeated samples. Pure
 * functions on plain arrays; callers never see a mutated input.
 */

/** Linear-interpolation quantile (the "type 7" of R and NumPy's default), q in [0, 1]; NaN when empty. */
export const quantile = (samples: ReadonlyArray<number>, q: number): number => {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q))
  const below = Math.floor(position)
  const above = Math.ceil(position)
  const low = sorted[below]!
  return low + (sorted[above]! - low) * (position - below)
}

export const median = (samples: ReadonlyArray<number>): number => quantile(samples, 0.5)

export interface Summary {
  readonly n: number
  readonly median: number
  readonly min: number
  readonly max: number
  readonly q1: number
  readonly q3: number
  /** Interquartile range over the median: the relative spread, robust to a few outliers. */
  readonly relativeSpread: number
}

export const summarize = (samples: ReadonlyArray<number>): Summary => {
  const m = median(samples)
  const q1 = quantile(samples, 0.25)
  const q3 = quantile(samples, 0.75)
  return {
    n: samples.length,
    median: m,
    min: samples.length === 0 ? Number.NaN : Math.min(...samples),
    max: samples.length === 0 ? Number.NaN : Math.max(...samples),
    q1,
    q3,
    relativeSpread: m === 0 ? Number.NaN : (q3 - q1) / m,
  }
}

/**
 * Per-pair ratios a_i / b_i of samples taken side by side (interleaved), so that load which
 * shifts both members of a pair cancels. Pairs beyond the shorter array are dropped.
 */
export const pairRatios = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): ReadonlyArray<number> =>
  Array.from({ length: Math.min(a.length, b.length) }, (_, i) => a[i]! / b[i]!)

/** The comparison figure: median of the per-pair ratios, with its quartiles. */
export const ratio = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): Summary =>
  summarize(pairRatios(a, b))

/** Throughput (items per second) of one sample that took `ms` milliseconds for `items` items. */
export const perSecond = (items: number, ms: number): number => (items * 1000) / ms
