import assert from "node:assert/strict"
import { test } from "node:test"
import { Errors, Reduction } from "@vicinal/losses"
import { pipe } from "effect/Function"
import * as fc from "fast-check"
import { leakedBy, tf } from "./backend.ts"

test("reduce: none is the input, sum and mean are scalars; data-first equals data-last", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -100, max: 100, noNaN: true }).map(Math.fround), {
        minLength: 1,
        maxLength: 20,
      }),
      (values) => {
        const losses = tf.tensor1d(values, "float32")
        const [sum, mean, none, sumLast] = tf.tidy(() => [
          Reduction.reduce(losses, "sum").dataSync()[0] ?? Number.NaN,
          Reduction.reduce(losses, "mean").dataSync()[0] ?? Number.NaN,
          Reduction.reduce(losses, "none"),
          pipe(losses, Reduction.reduce("sum")).dataSync()[0] ?? Number.NaN,
        ])
        const total = values.reduce((s, v) => s + v, 0)
        assert.ok(Math.abs(sum - total) <= 1e-4 * Math.max(1, Math.abs(total)))
        assert.ok(Math.abs(mean - total / values.length) <= 1e-4 * Math.max(1, Math.abs(total)))
        assert.equal(sumLast, sum)
        assert.equal(none, losses)
        assert.equal(
          leakedBy(() => Reduction.reduce(losses, "mean")),
          0,
        )
        losses.dispose()
      },
    ),
  )
})

test("an unknown reduction is an InvalidArgument naming it", () => {
  const losses = tf.tensor1d([1, 2])
  assert.throws(
    () => Reduction.reduce(losses, "max" as Reduction.Reduction),
    (e: unknown) => Errors.isLossError(e) && e._tag === "InvalidArgument" && e.message.includes("max"),
  )
  losses.dispose()
})
