import assert from "node:assert/strict"
import { before, describe, test } from "node:test"
import * as tf from "@tensorflow/tfjs-core"
import { Random } from "@vicinal/core"
import * as fc from "fast-check"
import { Attack, Range } from "../src/index.ts"
import { linear, ready } from "./fixtures.ts"

before(ready)

// The mixup paper's CIFAR statistics (as in @vicinal/data's Augment.cifar10Stats).
const mean = [0.4914, 0.4822, 0.4465]
const std = [0.2023, 0.1994, 0.201]
const channel = (values: ReadonlyArray<number>, i: number): number => values[i % 3] as number

/** Pixels normalised as @vicinal/data's Augment.normalise stores them: (v - mean) / std in float32. */
const normalise = (pixels: ArrayLike<number>): Float32Array =>
  Float32Array.from(pixels, (v, i) => (v - channel(mean, i)) / channel(std, i))

/** The next float32 away from zero (one step beyond a bound). */
const beyond = (v: number): number => {
  const bits = new Int32Array(Float32Array.of(v).buffer)
  bits[0] = (bits[0] as number) + 1
  return new Float32Array(bits.buffer)[0] as number
}

const bounds = (bound: Range.Bound): ReadonlyArray<number> => (typeof bound === "number" ? [bound] : bound)

describe("Range.normalised with float32 data (CIFAR statistics)", () => {
  const range = Range.normalised(mean, std)
  // Black and white pixels in every channel, and mixed: [4 pixels, 3 channels].
  const pixels = [0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1]
  const shape = [4, 3]

  test("the bounds are the float32 values of (0 - mean) / std and (1 - mean) / std", () => {
    assert.deepEqual(bounds(range.min), [...normalise([0, 0, 0])])
    assert.deepEqual(bounds(range.max), [...normalise([1, 1, 1])])
  })

  test("normalised black and white pixels are accepted; one float32 step beyond is not", () => {
    const data = normalise(pixels)
    assert.equal(Range.findOutside("x", data, shape, range), undefined)
    // The same bounds written in float64 compare as the float32 values clip enforces.
    const float64 = {
      min: mean.map((m, c) => (0 - m) / channel(std, c)),
      max: mean.map((m, c) => (1 - m) / channel(std, c)),
    }
    assert.equal(Range.findOutside("x", data, shape, float64), undefined)
    for (let i = 0; i < data.length; i++) {
      const outside = Float32Array.from(data)
      outside[i] = beyond(data[i] as number)
      for (const r of [range, float64]) {
        const error = Range.findOutside("x", outside, shape, r)
        assert.equal(error?._tag, "InvalidArgument", `x[${i}] = ${outside[i]}`)
        assert.equal(error?.argument, `x[${i}]`)
      }
    }
  })

  test("an attack with Range.normalised accepts normalised images and keeps every value in the float32 bounds", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom<"linf" | "l2">("linf", "l2"),
        (seed, norm) => {
          const rng = Random.make(seed)
          const n = 3
          const hw = 4
          // Mostly black and white pixels, where the bounds are reached; the rest uniform.
          const raw = Float32Array.from({ length: n * hw * hw * 3 }, () => {
            const u = rng.uniform()
            return u < 0.35 ? 0 : u > 0.65 ? 1 : rng.uniform()
          })
          const x = tf.tensor4d(normalise(raw), [n, hw, hw, 3])
          const model = linear(seed, hw * hw * 3, 10)
          const before = tf.memory().numTensors
          const adv = Attack.perturbSync(
            Attack.pgd({ epsilon: 0.5, norm, steps: 3, restarts: 2 }),
            model.model,
            x,
            { range },
            rng,
          )
          const values = adv.x.dataSync()
          adv.x.dispose()
          assert.equal(tf.memory().numTensors, before, "tensors leaked")
          const [lo, hi] = [bounds(range.min), bounds(range.max)]
          let onBound = 0
          values.forEach((v, i) => {
            const [min, max] = [channel(lo, i), channel(hi, i)]
            assert.ok(v >= min && v <= max, `x[${i}] = ${v} outside [${min}, ${max}]`)
            if (v === min || v === max) onBound++
          })
          // The attack pushed against the bounds, so the clip was exercised.
          assert.ok(onBound > 0, "no value on a bound")
          tf.dispose(x)
          model.dispose()
        },
      ),
      { numRuns: 10 },
    )
  })
})
