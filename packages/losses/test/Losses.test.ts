import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Losses, type Reduction } from "@vicinal/losses"
import * as fc from "fast-check"
import {
  binaryCrossEntropy,
  close,
  crossEntropy,
  dims,
  distributionsOf,
  entropy,
  logitsOf,
  type Matrix,
  row,
  sigmoid,
  softmax,
} from "./arbitraries.ts"
import { leakedBy, tf } from "./backend.ts"

type ReductionName = Reduction.Reduction

/** A loss with its (non-logit) inputs fixed, plus the float64 per-example (or per-element) oracle. */
interface Case {
  readonly prepare: () => {
    readonly loss: (z: tf.Tensor2D, reduction: ReductionName) => tf.Tensor
    readonly dispose: () => void
  }
  readonly reference: (z: Matrix) => ReadonlyArray<number>
}

interface LossSpec {
  readonly name: string
  readonly cases: (rows: number, cols: number) => fc.Arbitrary<Case>
}

const tensorOf = (m: Matrix): tf.Tensor2D => tf.tensor2d([...m.values], [m.rows, m.cols], "float32")
const rowsOf = (m: Matrix): ReadonlyArray<ReadonlyArray<number>> =>
  Array.from({ length: m.rows }, (_, i) => row(m, i))

/** Runs `body` with a prepared case and frees the case's own tensors afterwards. */
const withCase = <A>(
  c: Case,
  body: (loss: (z: tf.Tensor2D, reduction: ReductionName) => tf.Tensor) => A,
): A => {
  const prepared = c.prepare()
  try {
    return body(prepared.loss)
  } finally {
    prepared.dispose()
  }
}

const mixingOf = (rows: number) =>
  fc.record({
    lambda: fc.array(fc.double({ min: 0, max: 1, noNaN: true }).map(Math.fround), {
      minLength: rows,
      maxLength: rows,
    }),
    partner: fc.array(fc.integer({ min: 0, max: rows - 1 }), { minLength: rows, maxLength: rows }),
  })

/** lambda * y_i + (1 - lambda) * y_partner(i), in float64. */
const mixTargets = (y: Matrix, lambda: ReadonlyArray<number>, partner: ReadonlyArray<number>): Matrix => ({
  ...y,
  values: rowsOf(y).flatMap((own, i) => {
    const l = lambda[i] ?? 1
    const other = row(y, partner[i] ?? i)
    return own.map((v, c) => l * v + (1 - l) * (other[c] ?? 0))
  }),
})

const smoothTargets = (y: Matrix, epsilon: number): Matrix => ({
  ...y,
  values: y.values.map((v) => (1 - epsilon) * v + epsilon / y.cols),
})

const probabilitiesOf = (rows: number, cols: number): fc.Arbitrary<Matrix> =>
  fc
    .array(fc.double({ min: 0, max: 1, noNaN: true }).map(Math.fround), {
      minLength: rows * cols,
      maxLength: rows * cols,
    })
    .map((values) => ({ rows, cols, values }))

const specs: ReadonlyArray<LossSpec> = [
  {
    name: "softCrossEntropy",
    cases: (rows, cols) =>
      distributionsOf(rows, cols).map((y) => ({
        prepare: () => {
          const targets = tensorOf(y)
          return {
            loss: (z, reduction) => Losses.softCrossEntropy(z, targets, { reduction }),
            dispose: () => targets.dispose(),
          }
        },
        reference: (z) => rowsOf(z).map((zi, i) => crossEntropy(zi, row(y, i))),
      })),
  },
  {
    name: "interpolatedCrossEntropy",
    cases: (rows, cols) =>
      fc.tuple(distributionsOf(rows, cols), mixingOf(rows), fc.boolean()).map(([y, mixing, asTensors]) => ({
        prepare: () => {
          const targets = tensorOf(y)
          const lambda = asTensors ? tf.tensor1d(mixing.lambda, "float32") : Float32Array.from(mixing.lambda)
          const partner = asTensors ? tf.tensor1d(mixing.partner, "int32") : Int32Array.from(mixing.partner)
          return {
            loss: (z, reduction) =>
              Losses.interpolatedCrossEntropy(z, targets, lambda, partner, { reduction }),
            dispose: () => tf.dispose([targets, ...(asTensors ? [lambda, partner] : [])] as tf.Tensor[]),
          }
        },
        reference: (z) =>
          rowsOf(z).map((zi, i) => {
            const l = mixing.lambda[i] ?? 1
            return (
              l * crossEntropy(zi, row(y, i)) + (1 - l) * crossEntropy(zi, row(y, mixing.partner[i] ?? i))
            )
          }),
      })),
  },
  {
    name: "labelSmoothingCrossEntropy",
    cases: (rows, cols) =>
      fc
        .tuple(distributionsOf(rows, cols), fc.double({ min: 0, max: 1, noNaN: true }))
        .map(([y, epsilon]) => ({
          prepare: () => {
            const targets = tensorOf(y)
            return {
              loss: (z, reduction) => Losses.labelSmoothingCrossEntropy(z, targets, { epsilon, reduction }),
              dispose: () => targets.dispose(),
            }
          },
          reference: (z) => {
            const smoothed = smoothTargets(y, epsilon)
            return rowsOf(z).map((zi, i) => crossEntropy(zi, row(smoothed, i)))
          },
        })),
  },
  {
    name: "binaryCrossEntropyWithLogits",
    cases: (rows, cols) =>
      probabilitiesOf(rows, cols).map((t) => ({
        prepare: () => {
          const targets = tensorOf(t)
          return {
            loss: (z, reduction) => Losses.binaryCrossEntropyWithLogits(z, targets, { reduction }),
            dispose: () => targets.dispose(),
          }
        },
        reference: (z) => z.values.map((zi, i) => binaryCrossEntropy(zi, t.values[i] ?? 0)),
      })),
  },
  {
    name: "klDivergence",
    cases: (rows, cols) =>
      distributionsOf(rows, cols).map((y) => ({
        prepare: () => {
          const targets = tensorOf(y)
          return {
            loss: (z, reduction) => Losses.klDivergence(z, targets, { reduction }),
            dispose: () => targets.dispose(),
          }
        },
        reference: (z) => rowsOf(z).map((zi, i) => crossEntropy(zi, row(y, i)) - entropy(row(y, i))),
      })),
  },
]

const scalarOf = (t: tf.Tensor): number => t.dataSync()[0] ?? Number.NaN
const sumOf = (xs: ReadonlyArray<number>): number => xs.reduce((s, v) => s + v, 0)

/** Logits, including huge ones (|z| up to 1e4), where a naive softmax overflows. */
const hugeLogitsOf = (rows: number, cols: number): fc.Arbitrary<Matrix> =>
  fc
    .array(fc.constantFrom(1e4, -1e4, 0, 5000, -3000, 9999.5), {
      minLength: rows * cols,
      maxLength: rows * cols,
    })
    .map((values) => ({ rows, cols, values }))

const logitsAndCase = (spec: LossSpec, logits: (rows: number, cols: number) => fc.Arbitrary<Matrix>) =>
  dims.chain(({ rows, cols }) => fc.tuple(logits(rows, cols), spec.cases(rows, cols)))

for (const spec of specs) {
  describe(`Losses.${spec.name}`, () => {
    test("matches the float64 reference for none, sum and mean, for moderate and huge logits", () => {
      for (const logits of [logitsOf, hugeLogitsOf])
        fc.assert(
          fc.property(logitsAndCase(spec, logits), ([z, c]) =>
            withCase(c, (loss) => {
              const expected = c.reference(z)
              const [none, sum, mean] = tf.tidy(() => {
                const zt = tensorOf(z)
                return [loss(zt, "none"), loss(zt, "sum"), loss(zt, "mean")].map((t) =>
                  Array.from(t.dataSync()),
                )
              })
              assert.ok(none !== undefined && sum !== undefined && mean !== undefined)
              assert.equal(none.length, expected.length)
              none.forEach((v, i) => {
                assert.ok(close(v, expected[i] ?? Number.NaN, 1e-4), `example ${i}: ${v} vs ${expected[i]}`)
              })
              assert.ok(close(sum[0] ?? Number.NaN, sumOf(expected), 1e-4), `sum ${sum[0]}`)
              assert.ok(
                close(mean[0] ?? Number.NaN, sumOf(expected) / expected.length, 1e-4),
                `mean ${mean[0]}`,
              )
            }),
          ),
          { numRuns: 60 },
        )
    })

    test("is >= 0 for any logits and targets", () => {
      fc.assert(
        fc.property(
          logitsAndCase(spec, (r, k) => logitsOf(r, k, 30)),
          ([z, c]) =>
            withCase(c, (loss) => {
              const values = tf.tidy(() => loss(tensorOf(z), "none").dataSync())
              for (const v of values) assert.ok(v >= -1e-5, `negative loss ${v}`)
            }),
        ),
      )
    })

    test("gradients agree with central finite differences", () => {
      const h = 1e-2
      fc.assert(
        fc.property(
          logitsAndCase(spec, (r, k) => logitsOf(r, k, 3)),
          ([z, c]) =>
            withCase(c, (loss) => {
              const at = (values: ReadonlyArray<number>): number =>
                tf.tidy(() => scalarOf(loss(tensorOf({ ...z, values }), "sum")))
              const analytic = tf.tidy(() =>
                tf
                  .grad((x) => loss(x as tf.Tensor2D, "sum") as tf.Scalar)(tensorOf(z))
                  .dataSync(),
              )
              z.values.forEach((_, i) => {
                const plus = z.values.map((v, j) => (j === i ? v + h : v))
                const minus = z.values.map((v, j) => (j === i ? v - h : v))
                const numeric = (at(plus) - at(minus)) / (2 * h)
                const g = analytic[i] ?? Number.NaN
                assert.ok(
                  close(g, numeric, 2e-2),
                  `d/dz[${i}]: autodiff ${g} vs finite difference ${numeric}`,
                )
              })
            }),
        ),
        { numRuns: 30 },
      )
    })

    test("logits of magnitude 1e4 give finite values and finite gradients", () => {
      fc.assert(
        fc.property(logitsAndCase(spec, hugeLogitsOf), ([z, c]) =>
          withCase(c, (loss) => {
            const [value, gradient] = tf.tidy(() => {
              const zt = tensorOf(z)
              const { value, grads } = tf.valueAndGrads(
                (x: tf.Tensor) => loss(x as tf.Tensor2D, "mean") as tf.Scalar,
              )([zt])
              return [value.dataSync(), grads[0]?.dataSync() ?? new Float32Array([Number.NaN])]
            })
            for (const v of [...value, ...gradient]) assert.ok(Number.isFinite(v), `not finite: ${v}`)
          }),
        ),
        { numRuns: 40 },
      )
    })

    test("leaks no tensors and does not modify its inputs", () => {
      fc.assert(
        fc.property(
          logitsAndCase(spec, logitsOf),
          fc.constantFrom<ReductionName>("none", "sum", "mean"),
          ([z, c], r) =>
            withCase(c, (loss) => {
              const zt = tensorOf(z)
              assert.equal(
                leakedBy(() => loss(zt, r)),
                0,
              )
              assert.equal(
                leakedBy(() => tf.grad((x) => loss(x as tf.Tensor2D, "sum") as tf.Scalar)(zt)),
                0,
              )
              assert.deepEqual(Array.from(zt.dataSync()), z.values)
              zt.dispose()
            }),
        ),
        { numRuns: 30 },
      )
    })
  })
}

describe("minimum at the target distribution", () => {
  /** Per-example losses at `z` (a [rows, cols] matrix of values). */
  const perExample = (loss: (z: tf.Tensor2D) => tf.Tensor, z: Matrix): Float32Array =>
    tf.tidy(() => loss(tensorOf(z)).dataSync() as Float32Array)
  const gradientAt = (loss: (z: tf.Tensor2D) => tf.Tensor, z: Matrix): Float32Array =>
    tf.tidy(
      () =>
        tf
          .grad((x) => tf.sum(loss(x as tf.Tensor2D)) as tf.Scalar)(tensorOf(z))
          .dataSync() as Float32Array,
    )

  /** The loss at `best` equals `minimum` per example, its gradient vanishes, and `other` is no lower. */
  const assertMinimum = (
    loss: (z: tf.Tensor2D) => tf.Tensor,
    best: Matrix,
    other: Matrix,
    minimum: ReadonlyArray<number>,
  ): void => {
    const atBest = perExample(loss, best)
    const atOther = perExample(loss, other)
    atBest.forEach((v, i) => {
      assert.ok(close(v, minimum[i] ?? Number.NaN, 1e-4), `at the target: ${v} vs minimum ${minimum[i]}`)
      assert.ok((atOther[i] ?? Number.NaN) >= v - 1e-4, `elsewhere ${atOther[i]} < ${v}`)
    })
    for (const g of gradientAt(loss, best)) assert.ok(Math.abs(g) < 1e-4, `gradient ${g} at the minimum`)
  }
  const logOf = (m: Matrix): Matrix => ({ ...m, values: m.values.map(Math.log) })
  const inputs = (floor: number) =>
    dims.chain(({ rows, cols }) => fc.tuple(distributionsOf(rows, cols, floor), logitsOf(rows, cols, 6)))

  test("softCrossEntropy: minimum = entropy(t) at log t", () => {
    fc.assert(
      fc.property(inputs(0.05), ([y, other]) => {
        const targets = tensorOf(y)
        const loss = (z: tf.Tensor2D) => Losses.softCrossEntropy(z, targets, { reduction: "none" })
        assertMinimum(loss, logOf(y), other, rowsOf(y).map(entropy))
        targets.dispose()
      }),
    )
  })

  test("klDivergence: minimum 0 at log t", () => {
    fc.assert(
      fc.property(inputs(0.05), ([y, other]) => {
        const targets = tensorOf(y)
        const loss = (z: tf.Tensor2D) => Losses.klDivergence(z, targets, { reduction: "none" })
        assertMinimum(
          loss,
          logOf(y),
          other,
          rowsOf(y).map(() => 0),
        )
        targets.dispose()
      }),
    )
  })

  test("labelSmoothingCrossEntropy: minimum at log of the smoothed targets (even for one-hot targets)", () => {
    fc.assert(
      fc.property(inputs(0), fc.double({ min: 0.05, max: 1, noNaN: true }), ([y, other], epsilon) => {
        const targets = tensorOf(y)
        const smoothed = smoothTargets(y, epsilon)
        const loss = (z: tf.Tensor2D) =>
          Losses.labelSmoothingCrossEntropy(z, targets, { epsilon, reduction: "none" })
        assertMinimum(loss, logOf(smoothed), other, rowsOf(smoothed).map(entropy))
        targets.dispose()
      }),
    )
  })

  test("interpolatedCrossEntropy: minimum at log of the mixed targets", () => {
    fc.assert(
      fc.property(
        inputs(0.05).chain(([y, other]) => fc.tuple(fc.constant(y), fc.constant(other), mixingOf(y.rows))),
        ([y, other, mixing]) => {
          const targets = tensorOf(y)
          const lambda = Float32Array.from(mixing.lambda)
          const partner = Int32Array.from(mixing.partner)
          const mixed = mixTargets(y, mixing.lambda, mixing.partner)
          const loss = (z: tf.Tensor2D) =>
            Losses.interpolatedCrossEntropy(z, targets, lambda, partner, { reduction: "none" })
          assertMinimum(loss, logOf(mixed), other, rowsOf(mixed).map(entropy))
          targets.dispose()
        },
      ),
    )
  })

  test("binaryCrossEntropyWithLogits: minimum = binary entropy at logit(t)", () => {
    fc.assert(
      fc.property(
        dims.chain(({ rows, cols }) =>
          fc.tuple(
            probabilitiesOf(rows, cols).map((m) => ({ ...m, values: m.values.map((v) => 0.02 + 0.96 * v) })),
            logitsOf(rows, cols, 6),
          ),
        ),
        ([t, other]) => {
          const targets = tensorOf(t)
          const loss = (z: tf.Tensor2D) =>
            Losses.binaryCrossEntropyWithLogits(z, targets, { reduction: "none" })
          const best = { ...t, values: t.values.map((p) => Math.log(p / (1 - p))) }
          assertMinimum(
            loss,
            best,
            other,
            t.values.map((p) => entropy([p, 1 - p])),
          )
          targets.dispose()
        },
      ),
    )
  })
})

describe("relations between losses", () => {
  const batch = dims.chain(({ rows, cols }) =>
    fc.tuple(logitsOf(rows, cols), distributionsOf(rows, cols), mixingOf(rows)),
  )

  test("interpolated CE equals soft-target CE on the mixed labels, and does not modify lambda or partner", () => {
    fc.assert(
      fc.property(batch, ([z, y, mixing]) => {
        const lambda = Float32Array.from(mixing.lambda)
        const partner = Int32Array.from(mixing.partner)
        const [interpolated, soft, viaObject] = tf.tidy(() => {
          const logits = tensorOf(z)
          const targets = tensorOf(y)
          const mixed = tensorOf(mixTargets(y, mixing.lambda, mixing.partner))
          return [
            Losses.interpolatedCrossEntropy(logits, targets, lambda, partner, { reduction: "none" }),
            Losses.softCrossEntropy(logits, mixed, { reduction: "none" }),
            Losses.mixedCrossEntropy(logits, targets, { lambda, partner }, { reduction: "none" }),
          ].map((t) => Array.from(t.dataSync()))
        })
        interpolated?.forEach((v, i) => {
          assert.ok(close(v, soft?.[i] ?? Number.NaN, 1e-4), `example ${i}: ${v} vs ${soft?.[i]}`)
          assert.equal(v, viaObject?.[i])
        })
        assert.deepEqual(Array.from(lambda), mixing.lambda)
        assert.deepEqual(Array.from(partner), mixing.partner)
      }),
    )
  })

  test("interpolated CE with lambda = 1 is the soft CE of the own labels; with lambda = 0 that of the partners", () => {
    fc.assert(
      fc.property(batch, ([z, y, mixing]) => {
        const n = z.rows
        const partner = Int32Array.from(mixing.partner)
        const [own, withOne, partners, withZero] = tf.tidy(() => {
          const logits = tensorOf(z)
          const targets = tensorOf(y)
          const partnerTargets = tf.gather(targets, tf.tensor1d(partner, "int32"))
          return [
            Losses.softCrossEntropy(logits, targets, { reduction: "none" }),
            Losses.interpolatedCrossEntropy(logits, targets, new Float32Array(n).fill(1), partner, {
              reduction: "none",
            }),
            Losses.softCrossEntropy(logits, partnerTargets as tf.Tensor2D, { reduction: "none" }),
            Losses.interpolatedCrossEntropy(logits, targets, new Float32Array(n), partner, {
              reduction: "none",
            }),
          ].map((t) => Array.from(t.dataSync()))
        })
        own?.forEach((v, i) => {
          assert.ok(close(v, withOne?.[i] ?? Number.NaN, 1e-5))
        })
        partners?.forEach((v, i) => {
          assert.ok(close(v, withZero?.[i] ?? Number.NaN, 1e-5))
        })
      }),
    )
  })

  test("label smoothing with epsilon = 0 is soft CE; KL = soft CE - entropy(t)", () => {
    fc.assert(
      fc.property(batch, ([z, y]) => {
        const [soft, smoothedZero, kl] = tf.tidy(() => {
          const logits = tensorOf(z)
          const targets = tensorOf(y)
          return [
            Losses.softCrossEntropy(logits, targets, { reduction: "none" }),
            Losses.labelSmoothingCrossEntropy(logits, targets, { epsilon: 0, reduction: "none" }),
            Losses.klDivergence(logits, targets, { reduction: "none" }),
          ].map((t) => Array.from(t.dataSync()))
        })
        soft?.forEach((v, i) => {
          assert.ok(close(v, smoothedZero?.[i] ?? Number.NaN, 1e-5))
          assert.ok(close((kl?.[i] ?? Number.NaN) + entropy(row(y, i)), v, 1e-4))
        })
      }),
    )
  })

  test("soft CE gradient is softmax(z) * sum(t) - t; binary CE gradient is sigmoid(z) - t", () => {
    fc.assert(
      fc.property(batch, ([z, y]) => {
        const [softGradient, binaryGradient] = tf.tidy(() => {
          const targets = tensorOf(y)
          const soft = tf.grad((x) =>
            Losses.softCrossEntropy(x as tf.Tensor2D, targets, { reduction: "sum" }),
          )
          const binary = tf.grad((x) => Losses.binaryCrossEntropyWithLogits(x, targets, { reduction: "sum" }))
          return [soft(tensorOf(z)).dataSync(), binary(tensorOf(z)).dataSync()]
        })
        rowsOf(z).forEach((zi, i) => {
          const p = softmax(zi)
          const t = row(y, i)
          const mass = sumOf(t)
          p.forEach((pc, c) => {
            const k = i * z.cols + c
            assert.ok(close(softGradient?.[k] ?? Number.NaN, pc * mass - (t[c] ?? 0), 1e-4))
            assert.ok(close(binaryGradient?.[k] ?? Number.NaN, sigmoid(zi[c] ?? 0) - (t[c] ?? 0), 1e-4))
          })
        })
      }),
    )
  })
})
