/** The contract with @vicinal/core: its MixedBatch's lambda and partner drive the interpolated loss. */
import assert from "node:assert/strict"
import { test } from "node:test"
import { Pairing, Random, Strategy } from "@vicinal/core"
import { Losses } from "@vicinal/losses"
import { Effect } from "effect"
import * as fc from "fast-check"
import { run } from "../examples/quickstart.ts"
import { close, oneHot } from "./arbitraries.ts"
import { tf } from "./backend.ts"

const strategies = fc.constantFrom(
  Strategy.mixup({ alpha: 1 }),
  Strategy.mixup({ alpha: 0.4, granularity: "element" }),
  Strategy.mixup({ alpha: 2, pairing: Pairing.flip, granularity: "pair" }),
  Strategy.cutmix({ alpha: 1 }),
  Strategy.erm,
  Strategy.mixImages({ alpha: 1 }),
)

test("interpolated CE on (batch.y, lambda, partner) equals soft CE on the MixedBatch's y, for core's label-mixing strategies", () => {
  fc.assert(
    fc.property(
      strategies,
      fc.integer({ min: 1, max: 4 }).map((half) => 2 * half),
      fc.integer({ min: 2, max: 5 }),
      fc.integer(),
      (strategy, n, classes, seed) => {
        const rng = Random.make(seed)
        const labels = Array.from({ length: n }, () => rng.int(classes))
        const batch = {
          x: tf.tensor4d(
            Float32Array.from({ length: n * 16 }, () => rng.uniform()),
            [n, 4, 4, 1],
          ),
          // host one-hot: tf.oneHot(..., "float32") on the wasm backend (tfjs 4.22) writes integer bit patterns
          y: tf.tensor2d(oneHot(labels, classes).values as number[], [n, classes]),
        }
        const logitsValues = Float32Array.from({ length: n * classes }, () => 3 * rng.normal())
        const mixed = Effect.runSync(
          Strategy.apply(strategy, batch, { epoch: 0, step: 0 }).pipe(Random.withSeed(seed)),
        )
        const [interpolated, soft] = tf.tidy(() => {
          const logits = tf.tensor2d(logitsValues, [n, classes])
          return [
            Losses.interpolatedCrossEntropy(logits, batch.y, mixed.lambda, mixed.partner, {
              reduction: "none",
            }),
            Losses.softCrossEntropy(logits, mixed.y, { reduction: "none" }),
          ].map((t) => Array.from(t.dataSync()))
        })
        interpolated?.forEach((v, i) => {
          assert.ok(close(v, soft?.[i] ?? Number.NaN, 1e-4), `example ${i}: ${v} vs ${soft?.[i]}`)
        })
        tf.dispose([batch.x, batch.y, mixed.x, mixed.y])
      },
    ),
    { numRuns: 40 },
  )
})

test("a batch mixed by a chain of mixers is refused by mixedCrossEntropy, which one mixer is not", () => {
  const n = 6
  const batch = {
    x: tf.tensor4d(new Float32Array(n * 16).fill(0.5), [n, 4, 4, 1]),
    y: tf.tensor2d(oneHot([0, 1, 2, 0, 1, 2], 3).values as number[], [n, 3]),
  }
  const apply = (strategy: Strategy.Strategy) =>
    Effect.runSync(Strategy.apply(strategy, batch, { epoch: 0, step: 0 }).pipe(Random.withSeed(1)))
  const once = apply(Strategy.mixup({ alpha: 1 }))
  const twice = apply(Strategy.chain(Strategy.mixup({ alpha: 1 }), Strategy.cutmix({ alpha: 1 })))
  assert.deepEqual([once.mixingSteps, twice.mixingSteps], [1, 2])
  const logits = tf.zeros([n, 3]) as tf.Tensor2D
  tf.dispose(Losses.mixedCrossEntropy(logits, batch.y, once))
  assert.throws(
    () => Losses.mixedCrossEntropy(logits, batch.y, twice),
    (e: { _tag?: string; message?: string }) =>
      e._tag === "InvalidArgument" && /chain of mixers/.test(e.message ?? ""),
  )
  tf.dispose([logits, batch.x, batch.y, once.x, once.y, twice.x, twice.y])
})

test("the README quick start trains, agrees with soft CE and gives the same numbers twice", async () => {
  const before = tf.memory().numTensors
  const first = await run(40, 3)
  assert.equal(tf.memory().numTensors, before, "the example leaked tensors")
  assert.ok(first.sameAsSoftTarget)
  assert.ok((first.losses.at(-1) ?? Number.NaN) < (first.losses[0] ?? Number.NaN), `losses ${first.losses}`)
  assert.ok(first.top1Error < 0.25, `top-1 error ${first.top1Error}`)
  assert.equal(
    first.confusion.reduce((s, v) => s + v, 0),
    64,
  )
  const second = await run(40, 3)
  assert.deepEqual(second.losses, first.losses)
})

test("chain(mixup, labelSmoothing): mixedCrossEntropy refuses the batch instead of dropping the smoothing", () => {
  const classes = 4
  const batch = {
    x: tf.tensor2d([0, 1, 2, 3], [4, 1]),
    y: tf.tensor2d(oneHot([0, 1, 2, 3], classes).values as number[], [4, classes]),
  }
  const logits = tf.tensor2d(
    [
      [0, 3, 0, -1],
      [-1, 0, 3, 0],
      [0, -1, 0, 3],
      [3, 0, -1, 0],
    ],
    [4, classes],
  )
  const strategy = Strategy.chain(
    Strategy.mixup({ lambda: { _tag: "Constant", value: 0.7 }, pairing: Pairing.flip }),
    Strategy.labelSmoothing({ epsilon: 0.3 }),
  )
  const mixed = Effect.runSync(
    Strategy.apply(strategy, batch, { epoch: 0, step: 0 }).pipe(Random.withSeed(1)),
  )
  assert.deepEqual([mixed.mixingSteps, mixed.labelSteps], [1, 2])
  const value = (t: tf.Tensor) => {
    const v = t.dataSync()[0]!
    t.dispose()
    return v
  }
  // The loss of the smoothed mixed targets, and what the interpolated loss gives when it drops the smoothing.
  const soft = value(Losses.softCrossEntropy(logits, mixed.y))
  const dropped = value(Losses.interpolatedCrossEntropy(logits, batch.y, mixed.lambda, mixed.partner))
  // Every row's logits are a permutation of (0, 3, 0, -1), so mean_c(-log softmax) is the same for all:
  // log(2 + e^3 + e^-1) - 1/2; the smoothed loss is (1 - 0.3) * dropped + 0.3 * that.
  const uniform = Math.log(2 + Math.exp(3) + Math.exp(-1)) - 0.5
  assert.ok(close(dropped, 2.8114, 1e-4), `interpolated loss without the smoothing ${dropped}`)
  assert.ok(close(soft, 2.7514, 1e-4), `soft-target loss ${soft}`)
  assert.ok(close(soft, 0.7 * dropped + 0.3 * uniform, 1e-5))
  assert.throws(
    () => Losses.mixedCrossEntropy(logits, batch.y, mixed),
    (e: { _tag?: string; message?: string }) =>
      e._tag === "InvalidArgument" &&
      /labelSteps: must equal mixingSteps \(1\).*smoothed/.test(e.message ?? ""),
  )
  // Mixup alone still passes, with the interpolated value.
  const once = Effect.runSync(
    Strategy.apply(strategy._tag === "Chain" ? strategy.strategies[0]! : strategy, batch, {
      epoch: 0,
      step: 0,
    }).pipe(Random.withSeed(1)),
  )
  assert.ok(close(value(Losses.mixedCrossEntropy(logits, batch.y, once)), dropped, 1e-6))
  tf.dispose([batch.x, batch.y, logits, mixed.x, mixed.y, once.x, once.y])
})
