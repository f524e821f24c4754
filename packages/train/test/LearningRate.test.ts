import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import { Errors, LearningRate } from "../src/index.ts"

const position = fc
  .record({ epoch: fc.integer({ min: 0, max: 300 }), stepsPerEpoch: fc.integer({ min: 1, max: 50 }) })
  .chain(({ epoch, stepsPerEpoch }) =>
    fc.record({
      epoch: fc.constant(epoch),
      stepsPerEpoch: fc.constant(stepsPerEpoch),
      step: fc.integer({ min: 0, max: stepsPerEpoch - 1 }),
    }),
  )
const rate = fc.double({ min: 1e-4, max: 1, noNaN: true })
const later = (p: LearningRate.Position, q: LearningRate.Position) =>
  LearningRate.progress(p) <= LearningRate.progress(q)

describe("LearningRate.step", () => {
  test("the paper's schedule: 0.1, then 0.01 from epoch 100, then 0.001 from epoch 150", () => {
    const lr = LearningRate.step({ lr: 0.1, milestones: [100, 150] })
    const at = (epoch: number) => lr({ epoch, step: 0, stepsPerEpoch: 391 })
    assert.deepEqual(
      [at(0), at(99), at(100), at(149), at(150), at(199)].map((x) => +x.toPrecision(6)),
      [0.1, 0.1, 0.01, 0.01, 0.001, 0.001],
    )
  })

  test("equals lr * gamma^(milestones reached) and never increases", () => {
    fc.assert(
      fc.property(
        rate,
        fc.array(fc.integer({ min: 0, max: 300 })),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        position,
        position,
        (lr, milestones, gamma, p, q) => {
          const s = LearningRate.step({ lr, milestones, gamma })
          const reached = milestones.filter((m) => p.epoch >= m).length
          assert.equal(s(p), lr * gamma ** reached)
          if (later(p, q)) assert.ok(s(q) <= s(p))
        },
      ),
    )
  })
})

describe("LearningRate.cosine", () => {
  test("starts at lr, ends at minLr, never increases", () => {
    fc.assert(
      fc.property(
        rate,
        fc.double({ min: 0, max: 1e-4, noNaN: true }),
        fc.integer({ min: 1, max: 300 }),
        position,
        position,
        (lr, minLr, epochs, p, q) => {
          const s = LearningRate.cosine({ lr, epochs, minLr })
          assert.ok(Math.abs(s({ epoch: 0, step: 0, stepsPerEpoch: 10 }) - lr) <= 1e-12 * lr)
          assert.ok(Math.abs(s({ epoch: epochs, step: 0, stepsPerEpoch: 10 }) - minLr) < 1e-12)
          if (later(p, q)) assert.ok(s(q) <= s(p) + 1e-15)
          assert.ok(s(p) >= minLr - 1e-15 && s(p) <= lr * (1 + 1e-12))
        },
      ),
    )
  })
})

describe("LearningRate.warmup", () => {
  test("rises linearly to the wrapped schedule and equals it after the warm-up", () => {
    fc.assert(
      fc.property(rate, fc.integer({ min: 1, max: 10 }), position, (lr, warm, p) => {
        const base = LearningRate.constant(lr)
        const s = LearningRate.warmup(base, { epochs: warm })
        const data = LearningRate.warmup({ epochs: warm })(base)
        assert.equal(s(p), data(p))
        const taken = p.epoch * p.stepsPerEpoch + p.step + 1
        const expected = lr * Math.min(1, taken / (warm * p.stepsPerEpoch))
        assert.ok(Math.abs(s(p) - expected) <= 1e-12 * lr)
        if (p.epoch >= warm) assert.equal(s(p), lr)
      }),
    )
  })
})

describe("LearningRate.fromConfig", () => {
  test("builds the configured schedule (step with warm-up)", () => {
    const s = LearningRate.fromConfig(
      { _tag: "step", milestones: [2], gamma: 0.5, warmupEpochs: 1 },
      { lr: 0.2, epochs: 4 },
    )
    assert.equal(s({ epoch: 0, step: 0, stepsPerEpoch: 4 }), 0.05)
    assert.equal(s({ epoch: 1, step: 0, stepsPerEpoch: 4 }), 0.2)
    assert.equal(s({ epoch: 3, step: 0, stepsPerEpoch: 4 }), 0.1)
  })

  test("bad options throw an InvalidArgument naming the option", () => {
    for (const [f, field] of [
      [() => LearningRate.step({ lr: 0.1, milestones: [-1] }), "milestones[0]"],
      [() => LearningRate.cosine({ lr: 0, epochs: 3 }), "lr"],
      [() => LearningRate.warmup(LearningRate.constant(1), { epochs: -2 }), "warmupEpochs"],
    ] as const)
      assert.throws(f, (e: unknown) => e instanceof Errors.InvalidArgument && e.argument === field)
  })
})
