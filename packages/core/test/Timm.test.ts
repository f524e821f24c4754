import assert from "node:assert/strict"
import { before, test } from "node:test"
import { Host, Lambda, type MixPlan, Pairing, type Plan, Random, Strategy } from "@vicinal/core"
import * as fc from "fast-check"
import { boxRange, type HostData, hostData, mixupCutmix, pairing, sampler } from "./arbitraries.ts"
import { useCpu } from "./helpers.ts"
import { context, onBothPaths, planOn } from "./laws.ts"

before(useCpu)

const f = Math.fround
type Cut = Extract<Plan.Step, { _tag: "Cut" }>
const cutStep = (plan: MixPlan): Cut | undefined => {
  const step = plan.steps[0]
  assert.ok(step === undefined || step._tag === "Cut")
  return step as Cut | undefined
}

test("mixup/CutMix switch: each example is its partner's box or an interpolation, both from the unmixed batch", () => {
  fc.assert(
    fc.property(mixupCutmix, hostData(), fc.integer(), (s, d, seed) => {
      const plan = planOn(s, d, seed)
      const step = cutStep(plan)
      const { host, device } = onBothPaths(plan, d)
      assert.deepEqual(host.x, device.x)
      if (step === undefined) return assert.deepEqual(host.x, d.x)
      const [n, h, w, c] = d.shape as [number, number, number, number]
      const size = h * w * c
      for (let i = 0; i < n; i++) {
        const j = step.partner[i]!
        const [y0, y1, x0, x1] = step.boxes.subarray(4 * i, 4 * i + 4) as unknown as [
          number,
          number,
          number,
          number,
        ]
        const l: number = step.inputLambda[i]!
        for (let t = 0; t < size; t++) {
          const r = Math.floor(t / (w * c))
          const col = Math.floor(t / c) % w
          const inBox = r >= y0 && r < y1 && col >= x0 && col < x1
          const own = d.x[i * size + t]!
          const other = d.x[j * size + t]!
          const expected: number =
            step.blend?.[i] === 1 ? f(l * own) + f(f(1 - l) * other) : inBox ? other : own
          assert.equal(host.x[i * size + t], f(expected))
        }
        if (step.blend?.[i] === 1) assert.equal(y1 - y0, 0, "an interpolated example has no box")
        else assert.equal(l, f(1 - ((y1 - y0) * (x1 - x0)) / (h * w)), "the kept area")
      }
    }),
    { numRuns: 150 },
  )
})

test("prob and the switch are drawn per element: their frequencies follow prob and switchProb", () => {
  const n = 4000
  const s = Strategy.mixupCutmix({
    mixupLambda: Lambda.constant(0.5),
    cutmixLambda: Lambda.constant(0.5),
    prob: 0.3,
    switchProb: 0.25,
    granularity: "element",
  })
  const step = Strategy.plan(s, { n, shape: [n, 4, 4, 1] }, context, Random.make(5)).steps[0]
  assert.ok(step?._tag === "Cut" && step.blend !== undefined)
  let applied = 0
  let cut = 0
  for (let i = 0; i < n; i++) {
    const boxed = step.boxes[4 * i + 1]! > step.boxes[4 * i]!
    if (boxed || step.inputLambda[i] !== 1) applied++
    if (boxed) cut++
  }
  // 4 standard deviations of the binomial counts.
  assert.ok(Math.abs(applied / n - 0.3) < 4 * Math.sqrt((0.3 * 0.7) / n), `applied ${applied / n}`)
  assert.ok(Math.abs(cut / applied - 0.25) < 4 * Math.sqrt((0.25 * 0.75) / applied), `cut ${cut / applied}`)
})

test("per pair (flip): both members of a pair share the coin, the method and lambda", () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 12 }), fc.integer(), (n, seed) => {
      const s = Strategy.mixupCutmix({ pairing: Pairing.flip, granularity: "pair", prob: 0.7 })
      const step = cutStep(Strategy.plan(s, { n, shape: [n, 5, 5, 1] }, context, Random.make(seed)))
      if (step === undefined) return
      for (let i = 0; i < n; i++) {
        const j = n - 1 - i
        assert.equal(step.blend?.[i] ?? 0, step.blend?.[j] ?? 0)
        assert.equal(step.labelLambda[i], step.labelLambda[j])
        assert.deepEqual(step.boxes.subarray(4 * i, 4 * i + 4), step.boxes.subarray(4 * j, 4 * j + 4))
      }
    }),
  )
})

test("CutMix with a box size range: sides in [min, max) of the image whatever lambda, label weight the kept area", () => {
  fc.assert(
    fc.property(
      boxRange,
      sampler,
      pairing,
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 1, max: 20 }),
      fc.integer(),
      ([min, max], lambda, p, h, w, seed) => {
        const s = Strategy.cutmix({
          lambda,
          pairing: p,
          granularity: "element",
          minMax: [min, max],
          correctLambda: false,
        })
        const n = 4
        const info = {
          n,
          shape: [n, h, w, 1],
          labels: Int32Array.from([0, 1, 0, 1]),
          features: new Float32Array(n * h * w),
        }
        const step = cutStep(Strategy.plan(s, info, context, Random.make(seed)))
        // A sampler switched off (lambda 1, e.g. by a schedule) still switches CutMix off.
        assert.equal(step === undefined, Lambda.isOff(lambda, context.epoch))
        if (step === undefined) return
        for (let i = 0; i < n; i++) {
          const [y0, y1, x0, x1] = step.boxes.subarray(4 * i, 4 * i + 4) as unknown as [
            number,
            number,
            number,
            number,
          ]
          for (const [side, size] of [
            [y1 - y0, h],
            [x1 - x0, w],
          ] as const) {
            const lo = Math.floor(size * min)
            assert.ok(
              side >= lo && side < Math.max(lo + 1, Math.floor(size * max)),
              `side ${side} of ${size}`,
            )
          }
          assert.ok(y0 >= 0 && y1 <= h && x0 >= 0 && x1 <= w, "inside the image, never clipped")
          assert.equal(step.labelLambda[i], step.inputLambda[i])
        }
      },
    ),
  )
})

// [n, H, W, C] <-> [n, C, H, W]
const toChannelsFirst = (d: HostData): HostData => {
  const [n, h, w, c] = d.shape as [number, number, number, number]
  const x = new Float32Array(d.x.length)
  for (let i = 0; i < n; i++)
    for (let p = 0; p < h * w; p++)
      for (let k = 0; k < c; k++) x[(i * c + k) * h * w + p] = d.x[(i * h * w + p) * c + k]!
  return { ...d, x, shape: [n, c, h, w] }
}

test('layout "NCHW": the same plan as on the NHWC batch, the same pixels moved, on tensors and typed arrays', () => {
  const imageMixers = fc
    .record({
      lambda: sampler,
      granularity: fc.constantFrom("batch" as const, "element" as const),
      which: fc.nat(3),
    })
    .map(({ which, ...o }) =>
      which === 0
        ? (layout?: "NCHW") => Strategy.cutmix({ ...o, layout })
        : which === 1
          ? (layout?: "NCHW") => Strategy.fmix({ ...o, layout })
          : which === 2
            ? (layout?: "NCHW") => Strategy.resizeMix({ granularity: o.granularity, layout })
            : (layout?: "NCHW") => Strategy.mixupCutmix({ granularity: o.granularity, layout }),
    )
  fc.assert(
    fc.property(imageMixers, hostData(), fc.integer(), (make, d, seed) => {
      const first = toChannelsFirst(d)
      const planLast = planOn(make(), d, seed)
      const planFirst = planOn(make("NCHW"), first, seed)
      // The same draws; only the step's layout differs.
      assert.deepEqual(
        planFirst.steps.map((step) => ({ ...step, layout: undefined })),
        planLast.steps.map((step) => ({ ...step, layout: undefined })),
      )
      assert.ok(planFirst.steps.every((step) => "layout" in step && step.layout === "NCHW"))
      const last = onBothPaths(planLast, d)
      const mixedFirst = onBothPaths(planFirst, first)
      assert.deepEqual(mixedFirst.host.x, mixedFirst.device.x)
      assert.deepEqual(mixedFirst.host.x, toChannelsFirst({ ...d, x: last.host.x }).x)
      assert.deepEqual(mixedFirst.host.y, last.host.y)
    }),
    { numRuns: 100 },
  )
})

test("NHWC is the default (a [2, 3, 8, 8] batch is 3 pixels high); NCHW on a rank-3 batch is a typed error", () => {
  const shape = [2, 3, 8, 8]
  const plan = Strategy.plan(Strategy.cutmix({ alpha: 1 }), { n: 2, shape }, context, Random.make(1))
  assert.equal(cutStep(plan)?.height, 3)
  assert.equal(
    cutStep(
      Strategy.plan(Strategy.cutmix({ alpha: 1, layout: "NCHW" }), { n: 2, shape }, context, Random.make(1)),
    )?.height,
    8,
  )
  assert.throws(
    () =>
      Strategy.plan(
        Strategy.fmix({ alpha: 1, layout: "NCHW" }),
        { n: 2, shape: [2, 8, 8] },
        context,
        Random.make(1),
      ),
    (e: { _tag?: string; message?: string }) =>
      e._tag === "ShapeMismatch" && /\[n, C, H, W\]/.test(e.message ?? ""),
  )
  const nchwPlan = Strategy.plan(
    Strategy.cutmix({ alpha: 1, layout: "NCHW" }),
    { n: 2, shape },
    context,
    Random.make(1),
  )
  assert.throws(
    () =>
      Host.execute(nchwPlan, {
        x: new Float32Array(2 * 8 * 8 * 3),
        shape: [2, 8, 8, 3],
        y: new Float32Array([1, 0, 0, 1]),
      }),
    (e: { _tag?: string; message?: string }) =>
      e._tag === "ShapeMismatch" && /channels first/.test(e.message ?? ""),
  )
})
