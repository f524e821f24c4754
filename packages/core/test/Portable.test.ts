import assert from "node:assert/strict"
import { test } from "node:test"
import { Portable } from "@vicinal/core"
import * as fc from "fast-check"

// Within a few units in the last place of the engine's own function (both approximate the
// true value to about one ulp).
const close = (ours: number, engine: number): boolean =>
  Object.is(ours, engine) ||
  Math.abs(ours - engine) <= 4 * Number.EPSILON * Math.max(Math.abs(engine), 1e-300)

test("the portable functions agree with the engine's Math to a few ulps", () => {
  const finite = fc.double({ noNaN: true, noDefaultInfinity: true })
  fc.assert(
    fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), (x) =>
      close(Portable.log(x), Math.log(x)),
    ),
  )
  fc.assert(
    fc.property(fc.double({ min: -700, max: 700, noNaN: true }), (x) => close(Portable.exp(x), Math.exp(x))),
  )
  fc.assert(
    fc.property(fc.double({ min: -0.999, max: 1e6, noNaN: true }), (x) =>
      close(Portable.log1p(x), Math.log1p(x)),
    ),
  )
  fc.assert(
    fc.property(fc.double({ min: -1e4, max: 1e4, noNaN: true }), (x) => close(Portable.sin(x), Math.sin(x))),
  )
  fc.assert(
    fc.property(fc.double({ min: -1e4, max: 1e4, noNaN: true }), (x) => close(Portable.cos(x), Math.cos(x))),
  )
  fc.assert(fc.property(finite, (x) => Number.isNaN(Portable.log(-Math.abs(x) - 1))))
  assert.equal(Portable.log(0), Number.NEGATIVE_INFINITY)
  assert.equal(Portable.exp(Number.NEGATIVE_INFINITY), 0)
})
