/** Mean and spread over seeds, and how tables print them. */

export interface Summary {
  readonly mean: number
  /** Sample standard deviation (n - 1); 0 for a single value. */
  readonly std: number
  readonly n: number
}

/** Mean and sample standard deviation of the finite values (NaN mean when there are none). */
export const summarise = (values: ReadonlyArray<number>): Summary => {
  const finite = values.filter(Number.isFinite)
  const n = finite.length
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n: 0 }
  const mean = finite.reduce((a, b) => a + b, 0) / n
  const variance = n < 2 ? 0 : finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)
  return { mean, std: Math.sqrt(variance), n }
}

/** A rate in [0, 1] as a percentage with one decimal ("12.3"); "–" when unknown. */
export const percent = (rate: number | undefined): string =>
  rate === undefined || !Number.isFinite(rate) ? "–" : (100 * rate).toFixed(1)

/** A summary of rates as "12.3 ± 0.4" (the spread only when there are several seeds). */
export const percentSummary = (summary: Summary): string =>
  summary.n > 1 ? `${percent(summary.mean)} ± ${percent(summary.std)}` : percent(summary.mean)
