import assert from "node:assert/strict"
import { before, describe, test } from "node:test"
import { type Batch, Execute, Host, Lambda, type MixPlan, Pairing, Random, Strategy } from "@vicinal/core"
import { Effect, Exit } from "effect"
import * as fc from "fast-check"
import { type HostData, hostData, inputStrategy, mixer } from "./arbitraries.ts"
import { noLeak, oneHot, tf, useCpu } from "./helpers.ts"

before(useCpu)

const toBatch = (d: HostData): Batch => ({
  x: tf.tensor(d.x, [...d.shape]),
  y: tf.tensor2d(d.y, [d.shape[0]!, d.classes]),
})

const disposeBatch = (b: Batch) => {
  b.x.dispose()
  b.y.dispose()
}

const context = { epoch: 1, step: 0 }

/** Apply and read back as host arrays, asserting that nothing but the result's two tensors stays alive. */
const applyHost = (s: Strategy.Strategy, d: HostData, seed: number) => {
  const batch = toBatch(d)
  const before = tf.memory().numTensors
  const mixed = Effect.runSync(Strategy.apply(s, batch, context).pipe(Random.withSeed(seed)))
  assert.equal(tf.memory().numTensors, before + 2, "apply leaves exactly x and y")
  const out = {
    x: mixed.x.dataSync() as Float32Array,
    y: mixed.y.dataSync() as Float32Array,
    shape: mixed.x.shape,
    lambda: mixed.lambda,
    inputLambda: mixed.inputLambda,
    partner: mixed.partner,
  }
  Execute.dispose(mixed)
  assert.equal(tf.memory().numTensors, before, "dispose frees the result")
  assert.deepEqual(batch.x.dataSync(), d.x, "the caller's x is unchanged")
  disposeBatch(batch)
  return out
}

const failure = <A, E>(effect: Effect.Effect<A, E, Random.Random>): E => {
  const exit = Effect.runSyncExit(effect.pipe(Random.withSeed(1)))
  if (Exit.isSuccess(exit)) assert.fail("expected a failure")
  const error = exit.cause.reasons[0]
  assert.ok(error !== undefined && error._tag === "Fail", "a typed failure, not a defect")
  return (error as { error: E }).error
}

describe("Strategy.apply invariants", () => {
  test("for any composed strategy: label rows are distributions, shapes kept, lambdas in [0, 1], no leak", () => {
    fc.assert(
      fc.property(inputStrategy, hostData(), fc.integer(), (s, d, seed) => {
        const out = applyHost(s, d, seed)
        const n = d.shape[0]!
        assert.deepEqual(out.shape, d.shape)
        for (let i = 0; i < n; i++) {
          let sum = 0
          for (let k = 0; k < d.classes; k++) {
            const v = out.y[i * d.classes + k]!
            assert.ok(v >= -1e-6 && v <= 1 + 1e-6, `y[${i}][${k}] = ${v}`)
            sum += v
          }
          assert.ok(Math.abs(sum - 1) < 1e-5, `row ${i} sums to ${sum}`)
          assert.ok(out.lambda[i]! >= 0 && out.lambda[i]! <= 1)
          assert.ok(out.inputLambda[i]! >= 0 && out.inputLambda[i]! <= 1)
          assert.ok(out.partner[i]! >= 0 && out.partner[i]! < n)
        }
      }),
      { numRuns: 150 },
    )
  })

  test("every mixed input lies elementwise between its two sources; labels interpolate with lambda", () => {
    fc.assert(
      fc.property(mixer, hostData(), fc.integer(), (s, d, seed) => {
        const out = applyHost(s, d, seed)
        const n = d.shape[0]!
        const dim = d.x.length / n
        for (let i = 0; i < n; i++) {
          const j = out.partner[i]!
          for (let t = 0; t < dim; t++) {
            const a = d.x[i * dim + t]!
            const b = d.x[j * dim + t]!
            const v = out.x[i * dim + t]!
            const eps = 1e-6 * Math.max(1, Math.abs(a), Math.abs(b))
            assert.ok(
              v >= Math.min(a, b) - eps && v <= Math.max(a, b) + eps,
              `x[${i}][${t}] = ${v} not in [${a}, ${b}]`,
            )
          }
          for (let k = 0; k < d.classes; k++) {
            const l = out.lambda[i]!
            const expected = l * d.y[i * d.classes + k]! + (1 - l) * d.y[j * d.classes + k]!
            assert.ok(Math.abs(out.y[i * d.classes + k]! - expected) < 1e-6)
          }
        }
      }),
      { numRuns: 150 },
    )
  })

  test("lambda = 1 returns the first input unchanged and lambda = 0 its partner, exactly", () => {
    fc.assert(
      fc.property(hostData(), fc.integer(), (d, seed) => {
        const n = d.shape[0]!
        const rng = Random.make(seed)
        const partner = Pairing.permutation(n, rng)
        const inputLambda = Float32Array.from({ length: n }, () => rng.int(2))
        const plan: MixPlan = {
          n,
          steps: [{ _tag: "Interpolate", partner, inputLambda, labelLambda: inputLambda }],
        }
        const batch = toBatch(d)
        const mixed = noLeak(() => {
          const out = Execute.inputs(plan, batch.x)
          const values = out.dataSync()
          out.dispose()
          return values
        })
        disposeBatch(batch)
        const dim = d.x.length / n
        for (let i = 0; i < n; i++) {
          const src = inputLambda[i] === 1 ? i : partner[i]!
          // Equal as numbers (=== treats -0 and 0 alike: 1 * -0 + 0 * v is +0).
          for (let t = 0; t < dim; t++) assert.ok(mixed[i * dim + t] === d.x[src * dim + t], `x[${i}][${t}]`)
        }
      }),
      { numRuns: 60 },
    )
  })

  test("the CutMix, ResizeMix and FMix label weight equals the fraction of pixels kept, exactly", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 16 }),
        fc.constantFrom<Strategy.Granularity>("batch", "pair", "element"),
        fc.integer(),
        fc.constantFrom("cutmix", "resizeMix", "fmix"),
        (n, h, w, granularity, seed, kind) => {
          // Example i is filled with i + 1, so kept pixels are recognisable.
          const c = 2
          const x = Float32Array.from({ length: n * h * w * c }, (_, t) => Math.floor(t / (h * w * c)) + 1)
          const d: HostData = {
            shape: [n, h, w, c],
            x,
            y: oneHot(
              [...Array(n).keys()].map((i) => i % 2),
              2,
            ),
            classes: 2,
            labels: new Int32Array(n),
          }
          const strategy =
            kind === "resizeMix"
              ? Strategy.resizeMix({ granularity, pairing: Pairing.flip })
              : kind === "fmix"
                ? Strategy.fmix({ alpha: 1, granularity, pairing: Pairing.flip })
                : Strategy.cutmix({ alpha: 1, granularity, pairing: Pairing.flip })
          const out = applyHost(strategy, d, seed)
          for (let i = 0; i < n; i++) {
            let kept = 0
            for (let t = 0; t < h * w * c; t++) if (out.x[i * h * w * c + t] === i + 1) kept++
            const expected = out.partner[i] === i ? out.lambda[i] : Math.fround(kept / (h * w * c))
            assert.equal(out.lambda[i], expected, `example ${i}`)
            assert.equal(out.inputLambda[i], out.lambda[i])
          }
        },
      ),
      { numRuns: 80 },
    )
  })

  test("CutMix with correctLambda false: the label weight is the sampled lambda, the input weight the kept area", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 2, max: 12 }),
        fc.constantFrom<Strategy.Granularity>("batch", "element"),
        fc.integer(),
        (n, h, w, granularity, seed) => {
          const sampler = Lambda.symmetricBeta(1)
          const plan = Strategy.plan(
            Strategy.cutmix({ lambda: sampler, granularity, correctLambda: false }),
            { n, shape: [n, h, w, 1] },
            context,
            Random.make(seed),
          )
          const step = plan.steps[0]!
          assert.ok(step._tag === "Cut")
          // The same generator, replayed: the partners, then one lambda per draw.
          const rng = Random.make(seed)
          Pairing.partners(Pairing.randomPermutation, { n }, rng)
          const draws = granularity === "batch" ? 1 : n
          const sampled = Float32Array.from({ length: draws }, () =>
            Lambda.sample(sampler, rng, context.epoch),
          )
          for (let i = 0; i < n; i++) {
            assert.equal(step.labelLambda[i], sampled[granularity === "batch" ? 0 : i])
            const [y0, y1, x0, x1] = step.boxes.subarray(4 * i, 4 * i + 4)
            assert.equal(step.inputLambda[i], Math.fround(1 - ((y1! - y0!) * (x1! - x0!)) / (h * w)))
          }
        },
      ),
    )
  })

  test("pair granularity with flip gives both members of a pair the same lambda", () => {
    fc.assert(
      fc.property(hostData(), fc.integer(), (d, seed) => {
        const out = applyHost(
          Strategy.mixup({ alpha: 0.4, pairing: Pairing.flip, granularity: "pair" }),
          d,
          seed,
        )
        const n = d.shape[0]!
        for (let i = 0; i < n; i++) assert.equal(out.lambda[i], out.lambda[n - 1 - i])
        // ... and distinct pairs their own lambdas (one per pair, not one per batch).
        const perPair = new Set(Array.from({ length: Math.ceil(n / 2) }, (_, i) => out.lambda[i]))
        assert.equal(perPair.size, Math.ceil(n / 2), `lambdas ${out.lambda}`)
      }),
      { numRuns: 40 },
    )
  })

  test("determinism: one seed, identical outputs (plans and both execution paths: Laws.test.ts)", () => {
    fc.assert(
      fc.property(inputStrategy, hostData(), fc.integer(), (s, d, seed) => {
        assert.deepEqual(applyHost(s, d, seed), applyHost(s, d, seed))
      }),
      { numRuns: 40 },
    )
  })
})

describe("combinators", () => {
  const d: HostData = {
    shape: [6, 2, 2, 1],
    x: Float32Array.from({ length: 24 }, (_, t) => t / 24),
    y: oneHot([0, 1, 2, 0, 1, 2], 3),
    classes: 3,
    labels: Int32Array.from([0, 1, 2, 0, 1, 2]),
  }

  test("withProbability 0 is ERM; chain(mixup, smoothing) smooths the mixed targets", () => {
    const erm = applyHost(Strategy.erm, d, 1)
    assert.deepEqual(applyHost(Strategy.withProbability(Strategy.mixup({ alpha: 1 }), 0), d, 1), erm)
    const mixed = applyHost(Strategy.mixup({ alpha: 1 }), d, 4)
    const chained = applyHost(
      Strategy.chain(Strategy.mixup({ alpha: 1 }), Strategy.labelSmoothing({ epsilon: 0.1 })),
      d,
      4,
    )
    chained.y.forEach((v, t) => {
      assert.ok(Math.abs(v - (0.9 * mixed.y[t]! + 0.1 / 3)) < 1e-6)
    })
    assert.deepEqual(chained.x, mixed.x)
    assert.deepEqual(chained.lambda, mixed.lambda)
  })

  test("oneOf follows its weights; schedule and until switch by epoch", () => {
    const s = Strategy.oneOf([
      { weight: 3, strategy: Strategy.labelSmoothing({ epsilon: 0.5 }) },
      { weight: 1, strategy: Strategy.erm },
    ])
    const rng = Random.make(11)
    let smoothed = 0
    const runs = 2000
    for (let r = 0; r < runs; r++) {
      if (Strategy.plan(s, { n: 1, shape: [1, 1] }, context, rng).steps.length > 0) smoothed++
    }
    assert.ok(Math.abs(smoothed / runs - 0.75) < 0.04, `${smoothed / runs}`)
    const late = Strategy.until(Strategy.labelSmoothing({ epsilon: 0.5 }), 180)
    const at = (epoch: number) =>
      Strategy.plan(late, { n: 1, shape: [1, 1] }, { epoch, step: 0 }, rng).steps.length
    assert.deepEqual([at(0), at(179), at(180), at(300)], [1, 1, 0, 0])
    // A decoded config may list segments in any order: the latest start <= epoch wins.
    const unsorted: Strategy.Strategy = {
      _tag: "Schedule",
      segments: [
        { fromEpoch: 10, strategy: Strategy.erm },
        { fromEpoch: 0, strategy: Strategy.labelSmoothing({ epsilon: 0.5 }) },
      ],
    }
    const stepsAt = (epoch: number) =>
      Strategy.plan(unsorted, { n: 1, shape: [1, 1] }, { epoch, step: 0 }, rng).steps.length
    assert.deepEqual([stepsAt(0), stepsAt(9), stepsAt(10), stepsAt(50)], [1, 1, 0, 0])
    const unsortedLambda: Lambda.Sampler = {
      _tag: "Schedule",
      segments: [
        { fromEpoch: 5, sampler: Lambda.constant(1) },
        { fromEpoch: 0, sampler: Lambda.symmetricBeta(1) },
      ],
    }
    assert.deepEqual([Lambda.isOff(unsortedLambda, 4), Lambda.isOff(unsortedLambda, 7)], [false, true])
    const m = Strategy.manifold({ stages: [2, 3] })
    for (let r = 0; r < 20; r++)
      assert.ok([2, 3].includes(Strategy.plan(m, { n: 2, shape: [2, 4] }, context, rng).stage!))
  })

  test("custom pairings are provided through Pairing.CustomPairings", () => {
    const s = Strategy.mixup({ alpha: 1, pairing: Pairing.custom("next") })
    const batch = toBatch(d)
    const mixed = Effect.runSync(
      Strategy.apply(s, batch, context).pipe(
        Effect.provideService(Pairing.CustomPairings, {
          next: ({ n }) => Int32Array.from({ length: n }, (_, i) => (i + 1) % n),
        }),
        Random.withSeed(1),
      ),
    )
    assert.deepEqual([...mixed.partner], [1, 2, 3, 4, 5, 0])
    Execute.dispose(mixed)
    assert.equal(
      failure(Strategy.apply(Strategy.mixup({ alpha: 1, pairing: Pairing.custom("x") }), batch, context))
        ._tag,
      "InvalidArgument",
    )
    disposeBatch(batch)
  })
})

describe("typed errors", () => {
  const batch = (): Batch => ({ x: tf.zeros([3, 2]), y: tf.tensor2d(oneHot([0, 1, 0], 2), [3, 2]) })

  test("bad parameters fail in the error channel with messages naming argument and value", () => {
    const b = batch()
    const cases: ReadonlyArray<[Strategy.Strategy, RegExp]> = [
      [Strategy.mixup({ alpha: -1 }), /mixup\.lambda\.alpha: must be > 0 and finite, got -1/],
      [Strategy.mixup({ alpha: Number.NaN }), /alpha: must be > 0 and finite, got NaN/],
      [Strategy.cutmix({ alpha: 0 }), /cutmix\.lambda\.alpha: must be > 0 and finite, got 0/],
      [
        Strategy.withProbability(Strategy.erm, 1.5),
        /withProbability\.p: must be a probability in \[0, 1\], got 1.5/,
      ],
      [
        Strategy.labelSmoothing({ epsilon: -0.1 }),
        /labelSmoothing\.epsilon: must be a probability in \[0, 1\], got -0.1/,
      ],
      [Strategy.oneOf([{ weight: 0, strategy: Strategy.erm }]), /must not all be zero, got \[0\]/],
      [
        Strategy.oneOf([{ weight: -1, strategy: Strategy.erm }]),
        /oneOf\.options\[0\]\.weight: must be >= 0 and finite, got -1/,
      ],
      [
        Strategy.mixup({ alpha: 1, pairing: Pairing.knn({ k: 0 }) }),
        /mixup\.pairing\.k: must be an integer >= 1, got 0/,
      ],
      [Strategy.gaussianNoise({ sigma: -1 }), /gaussianNoise\.sigma: must be >= 0 and finite, got -1/],
      [
        Strategy.chain(Strategy.labelSmoothing({ epsilon: 0 }), Strategy.mixImages({ alpha: -2 })),
        /chain\[1\]\.mixImages\.lambda\.alpha: .* got -2/,
      ],
    ]
    for (const [s, message] of cases) {
      const e = noLeak(() => failure(Strategy.apply(s, b, context)))
      assert.equal(e._tag, "InvalidArgument")
      assert.match(e.message, message)
    }
    disposeBatch(b)
  })

  test("mismatched sizes, non-distributions, empty batches and CutMix on flat inputs are typed, leaking nothing", () => {
    const before = tf.memory().numTensors
    const inputs: Array<tf.Tensor> = []
    const keep = <T extends tf.Tensor>(t: T): T => {
      inputs.push(t)
      return t
    }
    {
      const y = keep(tf.tensor2d(oneHot([0, 1], 2), [2, 2]))
      const x3 = keep(tf.zeros([3, 2]))
      assert.match(
        failure(Strategy.apply(Strategy.erm, { x: x3, y }, context)).message,
        /y: must have batch size 3/,
      )
      const bad = keep(tf.tensor2d([0.5, 0.6, -0.1, 1.1, 0.5, 0.5], [3, 2]))
      const e = failure(Strategy.apply(Strategy.erm, { x: x3, y: bad }, context))
      assert.equal(e._tag, "NotADistribution")
      assert.match(e.message, /y: row 0 must sum to 1 .*got 1.1/)
      assert.match(
        failure(
          Strategy.apply(
            Strategy.erm,
            { x: x3, y: keep(tf.tensor2d([0, 1, -0.5, 1.5, 1, 0], [3, 2])) },
            context,
          ),
        ).message,
        /row 1 has a negative/,
      )
      const empty = failure(
        Strategy.apply(
          Strategy.erm,
          { x: keep(tf.zeros([0, 2])), y: keep(tf.zeros([0, 2])) as tf.Tensor2D },
          context,
        ),
      )
      assert.equal(empty._tag, "EmptyBatch")
      const flat = failure(
        Strategy.apply(
          Strategy.cutmix({ alpha: 1 }),
          { x: x3, y: keep(tf.tensor2d(oneHot([0, 1, 0], 2), [3, 2])) },
          context,
        ),
      )
      assert.equal(flat._tag, "ShapeMismatch")
      // A manifold strategy that draws a hidden stage cannot be applied to the inputs.
      const hidden = failure(
        Strategy.apply(
          Strategy.manifold({ stages: [2] }),
          { x: x3, y: keep(tf.tensor2d(oneHot([0, 1, 0], 2), [3, 2])) },
          context,
        ),
      )
      assert.equal(hidden._tag, "InvalidArgument")
      assert.match(
        hidden.message,
        /strategy \(manifold\): must draw the input stage \(0\): apply cannot reach a hidden stage, got 2; plan it/,
      )
    }
    for (const t of inputs) t.dispose()
    assert.equal(tf.memory().numTensors, before, "the failures leave no tensor behind")
  })
})

describe("config", () => {
  test("invalid configs name the field path and the value", () => {
    const config = {
      _tag: "OneOf",
      options: [
        { weight: 1, strategy: Strategy.mixup({ alpha: 1 }) },
        { weight: 1, strategy: { ...Strategy.mixup({ alpha: 1 }), lambda: { _tag: "Beta", a: -1, b: 1 } } },
      ],
    }
    const e = Effect.runSync(Effect.flip(Strategy.fromConfig(config)))
    assert.equal(e._tag, "InvalidArgument")
    assert.match(e.message, /options\[1\]\.strategy\.lambda\.a: must be > 0 and finite, got -1/)
    const p = Effect.runSync(
      Effect.flip(Strategy.fromConfig({ _tag: "WithProbability", p: 2, strategy: { _tag: "Erm" } })),
    )
    assert.match(p.message, /^p: must be a probability in \[0, 1\], got 2/)
    const zero = Effect.runSync(
      Effect.flip(
        Strategy.fromConfig({ _tag: "OneOf", options: [{ weight: 0, strategy: { _tag: "Erm" } }] }),
      ),
    )
    assert.equal(zero._tag, "InvalidArgument")
  })
})

describe("ResizeMix", () => {
  test("the box holds the whole partner shrunk by nearest neighbour; outside it, the example itself", () => {
    const n = 2
    const [h, w] = [8, 6]
    // Pixel value encodes (example, row, column).
    const x = Float32Array.from({ length: n * h * w }, (_, t) => t)
    const plan = Strategy.plan(
      Strategy.resizeMix({ scale: [0.5, 0.5], pairing: Pairing.flip }),
      { n, shape: [n, h, w, 1] },
      context,
      Random.make(3),
    )
    const step = plan.steps[0]!
    assert.ok(step._tag === "Cut" && step.resize === true)
    const [y0, y1, x0, x1] = step.boxes.subarray(0, 4)
    assert.deepEqual([y1! - y0!, x1! - x0!], [4, 3])
    const out = Host.execute(plan, { x, shape: [n, h, w, 1], y: oneHot([0, 1], 2) }).x
    for (let r = 0; r < h; r++)
      for (let c = 0; c < w; c++) {
        const inside = r >= y0! && r < y1! && c >= x0! && c < x1!
        // Example 0's partner is 1; the box shows every other row and column of it.
        const expected = inside ? h * w + (r - y0!) * 2 * w + (c - x0!) * 2 : r * w + c
        assert.equal(out[r * w + c], expected, `pixel (${r}, ${c})`)
      }
    assert.equal(
      Effect.runSync(
        Effect.flip(Strategy.fromConfig(Strategy.toConfig(Strategy.resizeMix({ scale: [0.9, 0.2] })))),
      ).message.includes("minScale"),
      true,
    )
  })
})
