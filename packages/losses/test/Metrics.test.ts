import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Metrics } from "@vicinal/losses"
import { pipe } from "effect/Function"
import * as fc from "fast-check"
import { type Matrix, oneHot, row } from "./arbitraries.ts"
import { leakedBy, tf } from "./backend.ts"

const tensorOf = (m: Matrix): tf.Tensor2D => tf.tensor2d([...m.values], [m.rows, m.cols], "float32")

/** Logits from a few small integers (so ties are frequent) with labels. */
const scored = fc
  .record({ rows: fc.integer({ min: 1, max: 12 }), cols: fc.integer({ min: 1, max: 7 }) })
  .chain(({ rows, cols }) =>
    fc.record({
      logits: fc
        .array(fc.integer({ min: -2, max: 2 }), { minLength: rows * cols, maxLength: rows * cols })
        .map((values): Matrix => ({ rows, cols, values })),
      labels: fc.array(fc.integer({ min: 0, max: cols - 1 }), { minLength: rows, maxLength: rows }),
    }),
  )

/** Oracle: classes sorted by logit descending, ties to the lower index (a stable sort). */
const order = (z: ReadonlyArray<number>): number[] =>
  z.map((_, c) => c).sort((a, b) => (z[b] ?? 0) - (z[a] ?? 0) || a - b)

const referenceTopKCorrect = (m: Matrix, labels: ReadonlyArray<number>, k: number): number =>
  labels.filter((label, i) => order(row(m, i)).slice(0, k).includes(label)).length

const histogram = (values: ReadonlyArray<number>, classes: number): number[] => {
  const counts = new Array<number>(classes).fill(0)
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1
  return counts
}

/** Runs a metric on fresh tensors, asserting it leaves the tensor count unchanged. */
const measured = <A>(m: Matrix, metric: (logits: tf.Tensor2D) => A): A => {
  const logits = tensorOf(m)
  let result: A | undefined
  assert.equal(
    leakedBy(() => {
      result = metric(logits)
    }),
    0,
  )
  logits.dispose()
  return result as A
}

describe("Metrics.topKError and topKCorrect", () => {
  test("match a sort-based reference for every k (ties to the lower class index), and leak nothing", () => {
    fc.assert(
      fc.property(scored, fc.integer({ min: 1, max: 9 }), ({ logits, labels }, k) => {
        const y = Int32Array.from(labels)
        const expected = referenceTopKCorrect(logits, labels, k)
        assert.equal(
          measured(logits, (z) => Metrics.topKCorrect(z, y, k)),
          expected,
        )
        const error = measured(logits, (z) => Metrics.topKError(z, y, k))
        assert.ok(Math.abs(error - (1 - expected / labels.length)) < 1e-12)
        assert.equal(
          measured(logits, (z) => pipe(z, Metrics.topKError(y, k))),
          error,
        )
      }),
    )
  })

  test("is non-increasing in k and 0 once k reaches the number of classes", () => {
    fc.assert(
      fc.property(scored, ({ logits, labels }) => {
        const y = Int32Array.from(labels)
        const errors = [1, 2, 3, 5, 8].map((k) => measured(logits, (z) => Metrics.topKError(z, y, k)))
        errors.slice(1).forEach((e, i) => {
          assert.ok(e <= (errors[i] ?? 1), `top-k error increased: ${errors}`)
        })
        assert.equal(
          measured(logits, (z) => Metrics.topKError(z, y, logits.cols)),
          0,
        )
      }),
    )
  })

  test("a NaN logit for the true class counts as a miss; infinite logits elsewhere do not spoil the rank", () => {
    const logits = tf.tensor2d([
      [Number.NaN, 0, 1],
      [0, Number.NaN, 5],
      [Number.NEGATIVE_INFINITY, 0, 1],
      [Number.POSITIVE_INFINITY, 0, 1],
    ])
    // ranks: miss, 0, 1, 1
    assert.equal(Metrics.topKCorrect(logits, Int32Array.from([0, 2, 1, 2]), 3), 3)
    assert.equal(Metrics.topKCorrect(logits, Int32Array.from([0, 2, 1, 2]), 2), 3)
    assert.equal(Metrics.topKCorrect(logits, Int32Array.from([0, 2, 1, 2]), 1), 1)
    logits.dispose()
  })
})

describe("Metrics.accuracy, predictions and confusion", () => {
  test("top-1 error, accuracy, predictions and the confusion diagonal agree", () => {
    fc.assert(
      fc.property(scored, ({ logits, labels }) => {
        const y = Int32Array.from(labels)
        const n = labels.length
        const classes = logits.cols
        const predicted = measured(logits, Metrics.predictions)
        assert.deepEqual(
          Array.from(predicted),
          labels.map((_, i) => order(row(logits, i))[0]),
        )
        const counts = measured(logits, (z) => Metrics.confusion(z, y))
        assert.equal(counts.length, classes * classes)
        const diagonal = Array.from({ length: classes }, (_, c) => counts[c * classes + c] ?? 0)
        const correct = diagonal.reduce((s, v) => s + v, 0)
        const accuracy = measured(logits, (z) => Metrics.accuracy(z, y))
        assert.ok(Math.abs(accuracy - correct / n) < 1e-12)
        assert.ok(Math.abs(measured(logits, (z) => Metrics.topKError(z, y, 1)) - (1 - accuracy)) < 1e-12)
        // rows: true labels, columns: predictions
        const rowSums = Array.from({ length: classes }, (_, c) =>
          counts.subarray(c * classes, (c + 1) * classes).reduce((s, v) => s + v, 0),
        )
        const columnSums = Array.from({ length: classes }, (_, c) =>
          Array.from({ length: classes }, (_, r) => counts[r * classes + c] ?? 0).reduce((s, v) => s + v, 0),
        )
        assert.deepEqual(rowSums, histogram(labels, classes))
        assert.deepEqual(columnSums, histogram(Array.from(predicted), classes))
        assert.deepEqual(
          measured(logits, (z) => pipe(z, Metrics.confusion(y))),
          counts,
        )
      }),
    )
  })

  test("confusion of a known batch; addConfusion accumulates; perClassError reads the rows", () => {
    const logits = tf.tensor2d([
      [3, 1, 0],
      [0, 2, 1],
      [0, 5, 1],
      [1, 0, 0],
    ])
    const counts = Metrics.confusion(logits, Int32Array.from([0, 1, 2, 2]))
    logits.dispose()
    // true 0 -> 0; true 1 -> 1; true 2 -> 1; true 2 -> 0
    assert.deepEqual(Array.from(counts), [1, 0, 0, 0, 1, 0, 1, 1, 0])
    const twice = Metrics.addConfusion(counts, counts)
    assert.deepEqual(
      Array.from(twice),
      Array.from(counts, (c) => 2 * c),
    )
    assert.deepEqual(Array.from(Metrics.perClassError(twice)), [0, 0, 1])
    assert.ok(Number.isNaN(Metrics.perClassError(new Int32Array(4))[0]))
  })

  test("softAccuracy compares arg-maxes; with one-hot targets it is accuracy", () => {
    fc.assert(
      fc.property(
        scored.chain((s) =>
          fc.tuple(
            fc.constant(s),
            fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
              minLength: s.logits.rows * s.logits.cols,
              maxLength: s.logits.rows * s.logits.cols,
            }),
          ),
        ),
        ([{ logits, labels }, soft]) => {
          const softTargets: Matrix = { ...logits, values: soft.map(Math.fround) }
          const expected =
            labels.filter((_, i) => order(row(logits, i))[0] === order(row(softTargets, i))[0]).length /
            labels.length
          const targets = tensorOf(softTargets)
          assert.ok(Math.abs(measured(logits, (z) => Metrics.softAccuracy(z, targets)) - expected) < 1e-12)
          targets.dispose()
          const hard = tensorOf(oneHot(labels, logits.cols))
          assert.equal(
            measured(logits, (z) => pipe(z, Metrics.softAccuracy(hard))),
            measured(logits, (z) => Metrics.accuracy(z, Int32Array.from(labels))),
          )
          hard.dispose()
        },
      ),
    )
  })
})
