import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Random } from "@vicinal/core"
import * as fc from "fast-check"
import { Augment, type HostBatch } from "../src/index.ts"

const batchArb = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 6 }),
    w: fc.integer({ min: 1, max: 6 }),
    c: fc.integer({ min: 1, max: 3 }),
  })
  .chain(({ n, h, w, c }) =>
    fc.float32Array({ min: 0, max: 1, noNaN: true, minLength: n * h * w * c, maxLength: n * h * w * c }).map(
      (x): HostBatch => ({
        x,
        shape: [n, h, w, c],
        labels: new Int32Array(n),
        trueLabels: new Int32Array(n),
        indices: Int32Array.from({ length: n }, (_, i) => i),
        numClasses: 2,
      }),
    ),
  )

/** A batch whose values are 1 + their flat position, so every value names its source pixel. */
const numbered = (n: number, h: number, w: number, c: number): HostBatch => ({
  x: Float32Array.from({ length: n * h * w * c }, (_, i) => i + 1),
  shape: [n, h, w, c],
  labels: new Int32Array(n),
  trueLabels: new Int32Array(n),
  indices: new Int32Array(n),
  numClasses: 1,
})

describe("Augment", () => {
  test("crop + flip keep the shape and the valid range, and never write the input", () =>
    fc.assert(
      fc.property(batchArb, fc.integer({ min: 0, max: 4 }), fc.integer(), (batch, padding, seed) => {
        const before = batch.x.slice()
        const out = Augment.compose(Augment.randomCrop({ padding }), Augment.horizontalFlip())(
          batch,
          Random.make(seed),
        )
        assert.deepEqual(out.shape, batch.shape)
        assert.equal(out.x.length, batch.x.length)
        assert.ok(out.x.every((v) => v >= 0 && v <= 1))
        assert.notEqual(out.x, batch.x)
        assert.deepEqual(batch.x, before)
        assert.deepEqual(out.labels, batch.labels)
      }),
    ))

  test("random crop is a shift with zero fill, the same shift for all pixels of an image, within the padding", () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer(),
        (n, h, w, c, padding, seed) => {
          const batch = numbered(n, h, w, c)
          const out = Augment.randomCrop({ padding })(batch, Random.make(seed)).x
          for (let i = 0; i < n; i++) {
            const shifts = new Set<string>()
            let kept = 0
            for (let y = 0; y < h; y++)
              for (let x = 0; x < w; x++)
                for (let k = 0; k < c; k++) {
                  const v = out[((i * h + y) * w + x) * c + k]!
                  if (v === 0) continue
                  kept++
                  const source = v - 1
                  const sk = source % c
                  const sx = Math.floor(source / c) % w
                  const sy = Math.floor(source / (c * w)) % h
                  const si = Math.floor(source / (c * w * h))
                  assert.equal(si, i)
                  assert.equal(sk, k)
                  shifts.add(`${sy - y},${sx - x}`)
                }
            assert.ok(shifts.size <= 1, `one shift per image, got ${[...shifts]}`)
            const [dy, dx] = (shifts.values().next().value ?? "0,0").split(",").map(Number) as [
              number,
              number,
            ]
            assert.ok(Math.abs(dy) <= padding && Math.abs(dx) <= padding)
            if (kept > 0) assert.equal(kept, (h - Math.abs(dy)) * (w - Math.abs(dx)) * c)
          }
        },
      ),
    ))

  test("padding 0 crops nothing; flip with probability 1 mirrors, twice is the identity", () =>
    fc.assert(
      fc.property(batchArb, fc.integer(), (batch, seed) => {
        const rng = Random.make(seed)
        assert.deepEqual(Augment.randomCrop({ padding: 0 })(batch, rng).x, batch.x)
        const flip = Augment.horizontalFlip({ probability: 1 })
        const once = flip(batch, rng)
        const [, h = 0, w = 0, c = 0] = batch.shape
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++)
            for (let k = 0; k < c; k++)
              assert.equal(once.x[(y * w + x) * c + k], batch.x[(y * w + (w - 1 - x)) * c + k])
        assert.deepEqual(flip(once, rng).x, batch.x)
        assert.deepEqual(Augment.horizontalFlip({ probability: 0 })(batch, rng).x, batch.x)
      }),
    ))

  test("flip probability 0.5 flips about half of the images", () => {
    const batch = numbered(2000, 1, 2, 1)
    const out = Augment.horizontalFlip()(batch, Random.make(4)).x
    let flipped = 0
    for (let i = 0; i < 2000; i++) if (out[2 * i]! > out[2 * i + 1]!) flipped++
    assert.ok(Math.abs(flipped - 1000) < 4 * Math.sqrt(500), `${flipped}`)
  })

  test("normalise is (x - mean) / std per channel", () =>
    fc.assert(
      fc.property(batchArb, fc.integer(), (batch, seed) => {
        const c = batch.shape[3]!
        const mean = Array.from({ length: c }, (_, k) => 0.1 * (k + 1))
        const std = Array.from({ length: c }, (_, k) => 0.2 + 0.1 * k)
        const out = Augment.normalise({ mean, std })(batch, Random.make(seed))
        out.x.forEach((v, i) => {
          const k = i % c
          assert.ok(Math.abs(v * std[k]! + mean[k]! - batch.x[i]!) < 1e-5)
        })
      }),
    ))

  test("a batch that is not NHWC, or mismatched statistics, throw tagged errors", () => {
    const flat: HostBatch = { ...numbered(2, 1, 1, 1), shape: [2, 1] }
    assert.throws(() => Augment.horizontalFlip()(flat, Random.make(1)), { _tag: "InvalidArgument" })
    assert.throws(() => Augment.normalise(Augment.cifar10Stats)(numbered(1, 2, 2, 1), Random.make(1)), {
      _tag: "InvalidArgument",
      argument: "normalise: mean",
    })
    assert.throws(() => Augment.randomCrop({ padding: -1 })(numbered(1, 2, 2, 1), Random.make(1)), {
      _tag: "InvalidArgument",
    })
  })

  test("the paper's CIFAR pipeline keeps the shape and normalises", () => {
    const batch = { ...numbered(2, 32, 32, 3), x: new Float32Array(2 * 32 * 32 * 3).fill(0.5) }
    const out = Augment.cifarStandard(batch, Random.make(0))
    assert.deepEqual(out.shape, [2, 32, 32, 3])
    // Zero padding becomes (0 - mean) / std; kept pixels (0.5 - mean) / std.
    const centre = ((16 * 32 + 16) * 3 + 0) as number
    assert.ok(Math.abs(out.x[centre]! - (0.5 - 0.4914) / 0.2023) < 1e-5)
  })
})
