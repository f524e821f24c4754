/** fast-check arbitraries and float64 host references (test oracles) shared by the test files. */
import * as fc from "fast-check"

export interface Matrix {
  readonly rows: number
  readonly cols: number
  readonly values: ReadonlyArray<number> // row-major
}

export const row = (m: Matrix, i: number): ReadonlyArray<number> =>
  m.values.slice(i * m.cols, (i + 1) * m.cols)

/** A small batch size and class count. */
export const dims = fc.record({ rows: fc.integer({ min: 1, max: 5 }), cols: fc.integer({ min: 2, max: 6 }) })

const matrixOf = (rows: number, cols: number, entry: fc.Arbitrary<number>): fc.Arbitrary<Matrix> =>
  fc
    .array(entry, { minLength: rows * cols, maxLength: rows * cols })
    .map((values) => ({ rows, cols, values }))

/** Logits of moderate size, as a float32-representable matrix. */
export const logitsOf = (rows: number, cols: number, bound = 4): fc.Arbitrary<Matrix> =>
  matrixOf(rows, cols, fc.double({ min: -bound, max: bound, noNaN: true }).map(Math.fround))

/** Rows of a probability distribution; `floor` > 0 makes every entry positive (so log t is finite). */
export const distributionsOf = (rows: number, cols: number, floor = 0): fc.Arbitrary<Matrix> =>
  fc
    .array(
      fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })), {
        minLength: cols,
        maxLength: cols,
      }),
      { minLength: rows, maxLength: rows },
    )
    .map((raw) => ({
      rows,
      cols,
      values: raw.flatMap((r) => {
        const lifted = r.map((v) => v + floor)
        const total = lifted.reduce((s, v) => s + v, 0)
        // an all-zero row becomes one-hot on class 0
        return total === 0
          ? lifted.map((_, c) => (c === 0 ? 1 : 0))
          : lifted.map((v) => Math.fround(v / total))
      }),
    }))

/** One-hot rows for the given labels. */
export const oneHot = (labels: ReadonlyArray<number>, cols: number): Matrix => ({
  rows: labels.length,
  cols,
  values: labels.flatMap((label) => Array.from({ length: cols }, (_, c) => (c === label ? 1 : 0))),
})

// ---- float64 references ----

export const logSoftmax = (z: ReadonlyArray<number>): number[] => {
  const max = Math.max(...z)
  const logSum = Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0))
  return z.map((v) => v - max - logSum)
}

export const softmax = (z: ReadonlyArray<number>): number[] => logSoftmax(z).map(Math.exp)

export const crossEntropy = (z: ReadonlyArray<number>, t: ReadonlyArray<number>): number =>
  -logSoftmax(z).reduce((s, lp, c) => s + (t[c] ?? 0) * lp, 0)

export const entropy = (t: ReadonlyArray<number>): number =>
  -t.reduce((s, p) => s + (p > 0 ? p * Math.log(p) : 0), 0)

export const sigmoid = (z: number): number =>
  z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))

export const binaryCrossEntropy = (z: number, t: number): number =>
  Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)))

/** |a - b| <= tolerance * max(1, |b|). */
export const close = (a: number, b: number, tolerance: number): boolean =>
  Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b))
