/**
 * A small benchmark harness: warm-up, then repeated samples within a time budget. Two
 * workloads compared are sampled interleaved (A B, B A, A B, ...) in the same process, so that
 * a burst of load from elsewhere lands on both sides of a ratio.
 *
 * Why not mitata or tinybench: both run one task to completion before the next, which is what
 * makes ratios fragile on a shared machine; the interleaving is the point of this harness.
 */
import * as Stats from "./Stats.ts"

/** One call of the measured work; may be async (awaited, outside nothing else). */
export type Work = () => unknown

export interface Options {
  /** Calls before sampling (JIT, wasm and tfjs kernel caches). */
  readonly warmup?: number
  /** A sample repeats the work until it lasts at least this long (ms), to beat timer resolution. */
  readonly minSampleMs?: number
  /** Samples taken at least, unless a single one would exceed the hard limit of twice the budget. */
  readonly minSamples?: number
  readonly maxSamples?: number
  /** Wall time (ms) after which no new sample starts once minSamples are in. */
  readonly budgetMs?: number
}

export interface Measurement {
  /** Milliseconds per call, one entry per sample. */
  readonly samples: ReadonlyArray<number>
  readonly summary: Stats.Summary
  readonly iterations: number
  /** False when the budget stopped sampling before minSamples. */
  readonly complete: boolean
}

export interface Comparison {
  readonly a: Measurement
  readonly b: Measurement
  /** a / b per pair (time ratio: below 1 means a is faster). */
  readonly ratio: Stats.Summary
}

const defaults = { warmup: 2, minSampleMs: 20, minSamples: 5, maxSamples: 30, budgetMs: 5000 }

const settings = (options: Options) => ({ ...defaults, ...options })

const timeCalls = async (work: Work, iterations: number): Promise<number> => {
  const start = performance.now()
  for (let i = 0; i < iterations; i++) await work()
  return (performance.now() - start) / iterations
}

const calibrate = async (
  works: ReadonlyArray<Work>,
  warmup: number,
  minSampleMs: number,
): Promise<number> => {
  let slowest = 0
  for (let w = 0; w < Math.max(1, warmup); w++)
    for (const work of works) slowest = Math.max(slowest, await timeCalls(work, 1))
  return Math.max(1, Math.ceil(minSampleMs / Math.max(slowest, 1e-3)))
}

/** Sample several workloads interleaved; returns one sample list per workload. */
export const interleaved = async (
  works: ReadonlyArray<Work>,
  options: Options = {},
): Promise<{
  readonly samples: ReadonlyArray<ReadonlyArray<number>>
  readonly iterations: number
  readonly complete: boolean
}> => {
  const s = settings(options)
  const began = performance.now()
  const iterations = await calibrate(works, s.warmup, s.minSampleMs)
  const samples: Array<Array<number>> = works.map(() => [])
  let round = 0
  let roundMs = 0
  while (round < s.maxSamples) {
    const elapsed = performance.now() - began
    if (round >= s.minSamples && elapsed >= s.budgetMs) break
    if (round > 0 && elapsed + roundMs > 2 * s.budgetMs) break
    const roundStart = performance.now()
    // Alternate the order so that neither side always runs right after the other.
    const order = round % 2 === 0 ? works.map((_, i) => i) : works.map((_, i) => works.length - 1 - i)
    for (const i of order) samples[i]!.push(await timeCalls(works[i]!, iterations))
    roundMs = performance.now() - roundStart
    round += 1
  }
  return { samples, iterations, complete: round >= s.minSamples }
}

const measurement = (samples: ReadonlyArray<number>, iterations: number, complete: boolean): Measurement => ({
  samples,
  summary: Stats.summarize(samples),
  iterations,
  complete,
})

/** Time one workload: milliseconds per call. */
export const measure = async (work: Work, options: Options = {}): Promise<Measurement> => {
  const run = await interleaved([work], options)
  return measurement(run.samples[0]!, run.iterations, run.complete)
}

/** Time two workloads side by side; `ratio` is time(a) / time(b). */
export const compare = async (a: Work, b: Work, options: Options = {}): Promise<Comparison> => {
  const run = await interleaved([a, b], options)
  const [sa, sb] = [run.samples[0]!, run.samples[1]!]
  return {
    a: measurement(sa, run.iterations, run.complete),
    b: measurement(sb, run.iterations, run.complete),
    ratio: Stats.ratio(sa, sb),
  }
}
