import assert from "node:assert/strict"
import { test } from "node:test"
import { Host, Random, Strategy } from "@vicinal/core"
import * as fc from "fast-check"
import { strategy as anyStrategy, hostData, mixer } from "./arbitraries.ts"
import { oneHot } from "./helpers.ts"

test("Uint8Array inputs: outputs stay bytes between the two sources, the caller's data untouched", () => {
  fc.assert(
    fc.property(
      mixer,
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer(),
      (strategy, n, side, seed) => {
        const shape = [n, side, side, 3]
        const size = n * side * side * 3
        const rng = Random.make(seed)
        const x = Uint8Array.from({ length: size }, () => rng.int(256))
        const original = x.slice()
        const labels = Int32Array.from({ length: n }, (_, i) => i % 3)
        const y = oneHot([...labels], 3)
        const plan = Strategy.plan(strategy, { n, shape, labels, features: x }, { epoch: 0, step: 0 }, rng)
        const out = Host.execute(plan, { x, shape, y })
        assert.ok(out.x instanceof Uint8Array)
        assert.deepEqual(x, original)
        const d = size / n
        for (let i = 0; i < n; i++) {
          const j = out.partner[i]!
          for (let t = 0; t < d; t++) {
            const v = out.x[i * d + t]!
            const lo = Math.min(x[i * d + t]!, x[j * d + t]!)
            const hi = Math.max(x[i * d + t]!, x[j * d + t]!)
            assert.ok(v >= lo && v <= hi, `x[${i}][${t}] = ${v} not in [${lo}, ${hi}]`)
          }
          let sum = 0
          for (let k = 0; k < 3; k++) sum += out.y[i * 3 + k]!
          assert.ok(Math.abs(sum - 1) < 1e-5)
        }
      },
    ),
    { numRuns: 100 },
  )
})

test("mismatched host sizes are a tagged ShapeMismatch", () => {
  const plan = Strategy.plan(
    Strategy.mixup({ alpha: 1 }),
    { n: 2, shape: [2, 3] },
    { epoch: 0, step: 0 },
    Random.make(1),
  )
  assert.throws(
    () => Host.execute(plan, { x: new Float32Array(5), shape: [2, 3], y: oneHot([0, 1], 2) }),
    (e: { _tag?: string; message?: string }) =>
      e._tag === "ShapeMismatch" && /x: must have batch size 2/.test(e.message ?? ""),
  )
})

test("host target rows that are not distributions are a tagged NotADistribution naming the row", () => {
  const plan = Strategy.plan(
    Strategy.mixup({ alpha: 1 }),
    { n: 2, shape: [2, 3] },
    { epoch: 0, step: 0 },
    Random.make(1),
  )
  for (const [y, row] of [
    [[1, 0, 0.6, 0.6], 1],
    [[-0.5, 1.5, 0, 1], 0],
    [[Number.NaN, 1, 0, 1], 0],
  ] as const)
    assert.throws(
      () => Host.execute(plan, { x: new Float32Array(6), shape: [2, 3], y: Float32Array.from(y) }),
      (e: { _tag?: string; row?: number }) => e._tag === "NotADistribution" && e.row === row,
    )
})

test("executeInto gives execute's result in the caller's buffers, also when they are the batch's own", () => {
  fc.assert(
    fc.property(anyStrategy, hostData(), fc.integer(), (strategy, d, seed) => {
      const n = d.shape[0]!
      const plan = Strategy.plan(
        strategy,
        { n, shape: d.shape, labels: d.labels, features: d.x },
        { epoch: 1, step: 0 },
        Random.make(seed),
      )
      const expected = Host.execute(plan, { x: d.x, shape: d.shape, y: d.y })
      const into = { x: new Float32Array(d.x.length), y: new Float32Array(d.y.length) }
      const written = Host.executeInto(plan, { x: d.x, shape: d.shape, y: d.y }, into)
      assert.equal(written.x, into.x)
      assert.equal(written.y, into.y)
      assert.deepEqual(written, expected)
      // In place: the batch's arrays as outputs (the input is read before it is overwritten).
      const x = d.x.slice()
      const y = d.y.slice()
      assert.deepEqual(Host.executeInto(plan, { x, shape: d.shape, y }, { x, y }), expected)
      // Other views of the same memory as outputs.
      const x2 = d.x.slice()
      const y2 = d.y.slice()
      const views = { x: new Float32Array(x2.buffer), y: new Float32Array(y2.buffer) }
      assert.deepEqual(Host.executeInto(plan, { x: x2, shape: d.shape, y: y2 }, views), expected)
    }),
    { numRuns: 60 },
  )
})

test("executeInto rejects output buffers of the wrong length or type with a tagged ShapeMismatch", () => {
  const plan = Strategy.plan(
    Strategy.mixup({ alpha: 1 }),
    { n: 2, shape: [2, 3] },
    { epoch: 0, step: 0 },
    Random.make(1),
  )
  const batch = { x: new Float32Array(6), shape: [2, 3], y: oneHot([0, 1], 2) }
  const isMismatch = (argument: string) => (e: { _tag?: string; argument?: string }) =>
    e._tag === "ShapeMismatch" && e.argument === argument
  assert.throws(
    () => Host.executeInto(plan, batch, { x: new Float32Array(5), y: new Float32Array(4) }),
    isMismatch("into.x"),
  )
  assert.throws(
    () => Host.executeInto(plan, batch as never, { x: new Uint8Array(6), y: new Float32Array(4) } as never),
    isMismatch("into.x"),
  )
  assert.throws(
    () => Host.executeInto(plan, batch, { x: new Float32Array(6), y: new Float32Array(3) }),
    isMismatch("into.y"),
  )
})

test("Uint8Array noise is rounded and clamped to [0, 255], never wrapped", () => {
  fc.assert(
    fc.property(fc.integer(), (seed) => {
      const n = 4
      const shape = [n, 8]
      // Values at the ends of the range, so that large noise pushes them past 0 and 255.
      const x = Uint8Array.from({ length: n * 8 }, (_, t) => (t % 2 === 0 ? 0 : 255))
      const plan = Strategy.plan(
        Strategy.gaussianNoise({ sigma: 50 }),
        { n, shape },
        { epoch: 0, step: 0 },
        Random.make(seed),
      )
      const out = Host.execute(plan, { x, shape, y: oneHot([0, 1, 0, 1], 2) }).x
      const onFloats = Host.execute(plan, { x: Float32Array.from(x), shape, y: oneHot([0, 1, 0, 1], 2) }).x
      out.forEach((v, t) => {
        assert.equal(v, Math.min(255, Math.max(0, Math.round(onFloats[t]!))), `x[${t}]`)
      })
    }),
    { numRuns: 30 },
  )
})
