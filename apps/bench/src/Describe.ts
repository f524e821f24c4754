/** Short "how measured" texts for report rows. */
import type { Comparison, Measurement } from "./Harness.ts"

const ms = (value: number): string =>
  value >= 100
    ? `${value.toFixed(0)} ms`
    : value >= 1
      ? `${value.toFixed(2)} ms`
      : `${(value * 1000).toFixed(1)} µs`

const pct = (value: number): string => `${(value * 100).toFixed(0)}%`

export const measurement = (m: Measurement): string =>
  `median ${ms(m.summary.median)}/call, ${m.summary.n} samples x ${m.iterations} calls, IQR ${pct(m.summary.relativeSpread)}${m.complete ? "" : " (budget hit before the minimum sample count)"}`

/** "A 12.1 ms vs B 11.8 ms per call; 9 interleaved pairs x 4 calls; ratio IQR 1.01-1.05". */
export const comparison = (c: Comparison, a: string, b: string): string =>
  `${a} ${ms(c.a.summary.median)} vs ${b} ${ms(c.b.summary.median)} per call; ${c.ratio.n} interleaved pairs x ${c.a.iterations} calls; ratio quartiles ${c.ratio.q1.toFixed(3)}-${c.ratio.q3.toFixed(3)}${c.a.complete ? "" : " (budget hit before the minimum sample count)"}`
