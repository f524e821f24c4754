import assert from "node:assert/strict"
import { before, describe, test } from "node:test"
import * as tf from "@tensorflow/tfjs-core"
import { Random } from "@vicinal/core"
import { Effect, Exit } from "effect"
import * as fc from "fast-check"
import { Attack, Errors, Norm, Objective, Target } from "../src/index.ts"
import { countingLeaks, linear, mlp, ready, recording, uniforms } from "./fixtures.ts"

before(ready)

const unit = { min: 0, max: 1 }
const FLOAT_TOLERANCE = 1e-5

const attacksFor = (epsilon: number, norm: Norm.Norm): ReadonlyArray<Attack.Attack> => [
  Attack.fgsm({ epsilon, norm }),
  Attack.ifgsm({ epsilon, norm, steps: 5 }),
  Attack.pgd({ epsilon, norm, steps: 5, restarts: 2 }),
]

const setting = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  n: fc.integer({ min: 1, max: 6 }),
  d: fc.integer({ min: 1, max: 12 }),
  classes: fc.integer({ min: 2, max: 6 }),
  epsilon: fc.double({ min: 0, max: 0.5, noNaN: true }),
  norm: fc.constantFrom<Norm.Norm>("linf", "l2"),
})

// Inputs include values exactly on the bounds, where clipping matters most.
const inputs = (rng: Random.Rng, n: number, d: number): tf.Tensor2D =>
  tf.tensor2d(
    Float32Array.from({ length: n * d }, () => {
      const u = rng.uniform()
      return u < 0.15 ? 0 : u > 0.85 ? 1 : rng.uniform()
    }),
    [n, d],
  )

const host = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array

describe("Attack.perturbSync invariants", () => {
  test("the perturbation never leaves the epsilon ball and inputs stay in range", () => {
    fc.assert(
      fc.property(setting, ({ seed, n, d, classes, epsilon, norm }) => {
        const rng = Random.make(seed)
        const model = mlp(seed, d, 8, classes)
        const x = inputs(rng, n, d)
        for (const attack of attacksFor(epsilon, norm)) {
          const adv = Attack.perturbSync(attack, model.model, x, { range: unit }, rng.split())
          const lengths = tf.tidy(() => host(Norm.perExample(tf.sub(adv.x, x), norm)))
          for (const length of lengths)
            assert.ok(length <= epsilon + FLOAT_TOLERANCE, `${attack.name} ${length} > ${epsilon}`)
          for (const v of host(adv.x)) assert.ok(v >= 0 && v <= 1, `${attack.name} left [0, 1]: ${v}`)
          adv.x.dispose()
        }
        tf.dispose(x)
        model.dispose()
      }),
      { numRuns: 25 },
    )
  })

  test("per-channel bounds are enforced after every step", () => {
    const range = { min: [0, -1, 2], max: [1, 0, 3] }
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        // Up to the widest span of the range: larger is rejected as a wrong scale.
        fc.double({ min: 0, max: 1, noNaN: true }),
        (seed, epsilon) => {
          const rng = Random.make(seed)
          const n = 3
          const x = tf.tensor3d(
            Float32Array.from(
              { length: n * 2 * 3 },
              (_, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? -1 : 2) + rng.uniform(),
            ),
            [n, 2, 3],
          )
          const model = linear(seed, 6, 4)
          const adv = Attack.perturbSync(Attack.pgd({ epsilon, steps: 3 }), model.model, x, { range }, rng)
          host(adv.x).forEach((v, i) => {
            const c = i % 3
            assert.ok(v >= (range.min[c] as number) && v <= (range.max[c] as number), `channel ${c}: ${v}`)
          })
          tf.dispose([x, adv.x])
          model.dispose()
        },
      ),
      { numRuns: 15 },
    )
  })

  test("epsilon = 0 returns the input unchanged", () => {
    fc.assert(
      fc.property(setting, ({ seed, n, d, classes, norm }) => {
        const rng = Random.make(seed)
        const model = mlp(seed, d, 8, classes)
        const x = inputs(rng, n, d)
        for (const attack of attacksFor(0, norm)) {
          const adv = Attack.perturbSync(attack, model.model, x, { range: unit }, rng.split())
          assert.deepEqual(host(adv.x), host(x), attack.name)
          adv.x.dispose()
        }
        tf.dispose(x)
        model.dispose()
      }),
      { numRuns: 20 },
    )
  })

  test("FGSM on a linear softmax model is clip(x + epsilon * sign((p - y) W^T))", () => {
    fc.assert(
      fc.property(setting, ({ seed, n, d, classes, epsilon }) => {
        const rng = Random.make(seed)
        const model = linear(seed, d, classes)
        const x = inputs(rng, n, d)
        const labels = Int32Array.from({ length: n }, () => rng.int(classes))
        const adv = Attack.perturbSync(Attack.fgsm({ epsilon }), model.model, x, { range: unit, labels })
        const xs = host(x)
        const got = host(adv.x)
        for (let i = 0; i < n; i++) {
          // Closed form in float64: logits, softmax p, gradient (p - y) W^T.
          const logits = Array.from({ length: classes }, (_, c) => {
            let s = model.b[c] as number
            for (let j = 0; j < d; j++) s += (xs[i * d + j] as number) * (model.w[j * classes + c] as number)
            return s
          })
          const top = Math.max(...logits)
          const exps = logits.map((l) => Math.exp(l - top))
          const total = exps.reduce((a, b) => a + b, 0)
          const p = exps.map((e) => e / total)
          for (let j = 0; j < d; j++) {
            let g = 0
            for (let c = 0; c < classes; c++)
              g += ((p[c] as number) - (labels[i] === c ? 1 : 0)) * (model.w[j * classes + c] as number)
            // Gradients within float32 noise of zero have no reliable sign.
            if (Math.abs(g) < 1e-5) continue
            const expected = Math.min(1, Math.max(0, (xs[i * d + j] as number) + epsilon * Math.sign(g)))
            assert.ok(
              Math.abs((got[i * d + j] as number) - expected) < 1e-6,
              `x[${i},${j}]: ${got[i * d + j]} vs ${expected}`,
            )
          }
        }
        tf.dispose([x, adv.x])
        model.dispose()
      }),
      { numRuns: 30 },
    )
  })
})

describe("Every iterate the attack evaluates", () => {
  // The final result alone cannot show that the start and the intermediate steps were kept in
  // range and in the ball (a later clip hides an earlier miss), so a spy records every input.
  const distance = (a: Float32Array, b: Float32Array, from: number, d: number, norm: Norm.Norm) => {
    let out = 0
    for (let j = from; j < from + d; j++) {
      const gap = Math.abs((a[j] as number) - (b[j] as number))
      out = norm === "linf" ? Math.max(out, gap) : out + gap * gap
    }
    return norm === "linf" ? out : Math.sqrt(out)
  }

  test("I-FGSM and PGD (random start included), L-inf and L2: every iterate is in range and in the ball", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 4 }),
        // A third, interior feature: a start of [0, 1] may clip back onto x itself.
        fc.integer({ min: 3, max: 10 }),
        fc.constantFrom<Norm.Norm>("linf", "l2"),
        fc.constantFrom<"ifgsm" | "pgd">("ifgsm", "pgd"),
        fc.double({ min: 0.05, max: 0.5, noNaN: true }),
        (seed, n, d, norm, kind, epsilon) => {
          const rng = Random.make(seed)
          const base = mlp(seed, d, 8, 3)
          const spy = recording(base.model)
          // Every row has a 0 and a 1: any step or start that is not clipped leaves the range.
          const xs = Float32Array.from({ length: n * d }, (_, i) =>
            i % d === 0 ? 0 : i % d === 1 ? 1 : rng.uniform(),
          )
          const x = tf.tensor2d(xs, [n, d])
          const steps = 4
          const restarts = kind === "pgd" ? 2 : 1
          const attack =
            kind === "pgd"
              ? Attack.pgd({ epsilon, norm, steps, restarts })
              : Attack.ifgsm({ epsilon, norm, steps })
          const before = tf.memory().numTensors
          const adv = Attack.perturbSync(attack, spy.model, x, { range: unit }, rng.split())
          const result = Float32Array.from(host(adv.x))
          adv.x.dispose()
          assert.equal(tf.memory().numTensors, before, "tensors leaked")
          // The clean pass, then one gradient per step of every run.
          assert.ok(spy.seen.length >= 1 + restarts * steps, `only ${spy.seen.length} inputs seen`)
          // The first gradient is taken at the start: a random point for PGD, not x itself.
          if (kind === "pgd") assert.notDeepEqual(spy.seen[1], xs, "no random start seen")
          for (const [k, iterate] of [...spy.seen, result].entries()) {
            for (const v of iterate)
              assert.ok(v >= 0 && v <= 1, `${attack.name} iterate ${k} left [0, 1]: ${v}`)
            for (let i = 0; i < n; i++) {
              const length = distance(iterate, xs, i * d, d, norm)
              assert.ok(
                length <= epsilon + FLOAT_TOLERANCE,
                `${attack.name} ${norm} iterate ${k} row ${i}: ${length} > ${epsilon}`,
              )
            }
          }
          x.dispose()
          base.dispose()
        },
      ),
      { numRuns: 30 },
    )
  })
})

const meanLoss = (model: Attack.Model, x: tf.Tensor, labels: Int32Array): number =>
  tf.tidy(() => tf.mean(Objective.crossEntropy(model(x), labels)).dataSync()[0] as number)

describe("Attack strength", () => {
  test("on average the loss after FGSM is >= the clean loss, and after I-FGSM >= after FGSM", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0.02, max: 0.3, noNaN: true }),
        fc.constantFrom<Norm.Norm>("linf", "l2"),
        (seed, epsilon, norm) => {
          const rng = Random.make(seed)
          const n = 64
          const d = 16
          const model = mlp(seed, d, 32, 5)
          const x = tf.tensor2d(uniforms(rng, n * d, 0.1, 0.9), [n, d])
          const labels = Int32Array.from({ length: n }, () => rng.int(5))
          const attack = (a: Attack.Attack) => {
            const adv = Attack.perturbSync(a, model.model, x, { range: unit, labels })
            const loss = meanLoss(model.model, adv.x, labels)
            adv.x.dispose()
            return loss
          }
          const clean = meanLoss(model.model, x, labels)
          const fgsm = attack(Attack.fgsm({ epsilon, norm }))
          const ifgsm = attack(Attack.ifgsm({ epsilon, norm, steps: 10 }))
          assert.ok(fgsm >= clean, `FGSM ${fgsm} < clean ${clean}`)
          assert.ok(ifgsm >= fgsm - 1e-6, `I-FGSM ${ifgsm} < FGSM ${fgsm}`)
          tf.dispose(x)
          model.dispose()
        },
      ),
      { numRuns: 15 },
    )
  })

  test("PGD restarts keep, per example, the worst case over the runs", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
        const rng = Random.make(seed)
        const n = 16
        const d = 8
        const model = mlp(seed, d, 16, 4)
        const x = tf.tensor2d(uniforms(rng, n * d), [n, d])
        const labels = Int32Array.from({ length: n }, () => rng.int(4))
        const score = (restarts: number) => {
          // The same seed: the first run of the multi-restart attack IS the single run.
          const adv = Attack.perturbSync(
            Attack.pgd({ epsilon: 0.1, steps: 3, restarts }),
            model.model,
            x,
            { range: unit, labels },
            Random.make(seed),
          )
          const result = tf.tidy(() => {
            const logits = model.model(adv.x)
            return {
              loss: host(Objective.crossEntropy(logits, labels)),
              wrong: Objective.reached(host(tf.argMax(logits, 1)) as unknown as Int32Array, {
                _tag: "Untargeted",
                labels,
              }),
            }
          })
          adv.x.dispose()
          return result
        }
        const single = score(1)
        const many = score(4)
        for (let i = 0; i < n; i++) {
          const better = (many.wrong[i] as number) > (single.wrong[i] as number)
          const same = many.wrong[i] === single.wrong[i]
          assert.ok(
            better || (same && (many.loss[i] as number) >= (single.loss[i] as number) - 1e-6),
            `example ${i}`,
          )
        }
        tf.dispose(x)
        model.dispose()
      }),
      { numRuns: 10 },
    )
  })

  test("targeted attacks move towards the target: given classes and the least-likely class", () => {
    const rng = Random.make(11)
    const n = 32
    const d = 10
    const model = mlp(3, d, 16, 5)
    const x = tf.tensor2d(uniforms(rng, n * d, 0.2, 0.8), [n, d])
    const classes = Int32Array.from({ length: n }, () => rng.int(5))
    const run = (target: Target.Target) => {
      const adv = Attack.perturbSync(Attack.ifgsm({ epsilon: 0.2 }), model.model, x, { range: unit, target })
      const targets = adv.targets ?? new Int32Array()
      const result = {
        targets,
        clean: meanLoss(model.model, x, targets),
        after: meanLoss(model.model, adv.x, targets),
      }
      adv.x.dispose()
      return result
    }
    const given = run(Target.given(classes))
    assert.deepEqual(given.targets, classes)
    assert.ok(given.after < given.clean, `CE to the target ${given.after} !< ${given.clean}`)
    const least = run(Target.leastLikely)
    const expected = tf.tidy(() => host(tf.argMin(model.model(x), 1)))
    assert.deepEqual([...least.targets], [...expected])
    assert.ok(least.after < least.clean, `CE to the least-likely class ${least.after} !< ${least.clean}`)
    tf.dispose(x)
    model.dispose()
  })
})

describe("Attack labels, determinism, resources", () => {
  const rng = Random.make(5)
  const n = 8
  const d = 6

  test("labels are the given ones, or the model's clean predictions, and the source is recorded", () => {
    const model = mlp(1, d, 8, 3)
    const x = tf.tensor2d(uniforms(rng, n * d), [n, d])
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3)
    const given = Attack.perturbSync(Attack.fgsm({ epsilon: 0.1 }), model.model, x, { range: unit, labels })
    assert.equal(given.labelsSource, "given")
    assert.deepEqual(given.labels, labels)
    const predicted = Attack.perturbSync(Attack.fgsm({ epsilon: 0.1 }), model.model, x, { range: unit })
    assert.equal(predicted.labelsSource, "predicted")
    const predictions = tf.tidy(() => Int32Array.from(host(tf.argMax(model.model(x), 1))))
    assert.deepEqual(predicted.labels, predictions)
    assert.deepEqual(predicted.cleanPredictions, predictions)
    tf.dispose([x, given.x, predicted.x])
    model.dispose()
  })

  test("the same seed gives the same PGD result; another seed another random start", () => {
    const model = mlp(2, d, 8, 3)
    const x = tf.tensor2d(uniforms(rng, n * d), [n, d])
    const attack = Attack.pgd({ epsilon: 0.1, steps: 2, restarts: 2 })
    const run = (seed: number) =>
      Effect.runSync(Attack.perturb(attack, model.model, x, { range: unit }).pipe(Random.withSeed(seed)))
    const [a, b, c] = [run(7), run(7), run(8)]
    assert.deepEqual(host(a.x), host(b.x))
    assert.notDeepEqual(host(a.x), host(c.x))
    tf.dispose([x, a.x, b.x, c.x])
    model.dispose()
  })

  test("every attack leaves exactly one tensor alive: its result", () => {
    const model = mlp(4, d, 8, 3)
    const x = tf.tensor2d(uniforms(rng, n * d), [n, d])
    for (const norm of Norm.norms)
      for (const attack of attacksFor(0.1, norm)) {
        const { result, leaked } = countingLeaks(() =>
          Attack.perturbSync(attack, model.model, x, { range: unit }, rng),
        )
        assert.equal(leaked, 1, attack.name)
        result.x.dispose()
      }
    // Failing calls leak nothing either.
    const { leaked } = countingLeaks(() =>
      assert.throws(() =>
        Attack.perturbSync(Attack.fgsm({ epsilon: 0.1 }), (t) => tf.sum(t), x, { range: unit }),
      ),
    )
    assert.equal(leaked, 0)
    tf.dispose(x)
    model.dispose()
  })

  test("the caller's input is not changed", () => {
    const model = mlp(4, d, 8, 3)
    const data = uniforms(rng, n * d)
    const copy = Float32Array.from(data)
    const x = tf.tensor2d(data, [n, d])
    const adv = Attack.perturbSync(Attack.pgd({ epsilon: 0.3 }), model.model, x, { range: unit }, rng)
    assert.deepEqual(host(x), copy)
    assert.deepEqual(data, copy)
    tf.dispose([x, adv.x])
    model.dispose()
  })
})

describe("Attack errors name the argument", () => {
  // Built on use: the backend is ready only once the tests run.
  const model: Attack.Model = (t) => tf.tidy(() => tf.matMul(t, tf.ones([4, 3])))
  const x = () => tf.tensor2d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [2, 4])
  const fail = (
    attack: Attack.Attack,
    options: Attack.Options,
    on: tf.Tensor = x(),
    f: Attack.Model = model,
  ) => {
    const exit = Effect.runSyncExit(Attack.perturb(attack, f, on, options).pipe(Random.withSeed(1)))
    assert.ok(Exit.isFailure(exit), "expected a failure")
    const error = exit.cause.reasons
      .map((r) => (r._tag === "Fail" ? r.error : undefined))
      .find((e) => e !== undefined)
    assert.ok(Errors.isAttackError(error), `expected a typed AttackError, got ${String(error)}`)
    return error
  }

  test("epsilon negative or NaN", () => {
    for (const epsilon of [-0.1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = fail(Attack.fgsm({ epsilon }), { range: unit })
      assert.equal(error._tag, "InvalidArgument")
      assert.equal((error as Errors.InvalidArgument).argument, "epsilon")
      assert.match(error.message, /epsilon/)
    }
  })

  test("stepSize larger than epsilon, steps or restarts not positive integers", () => {
    const cases: ReadonlyArray<readonly [Attack.Attack, string]> = [
      [Attack.ifgsm({ epsilon: 0.1, stepSize: 0.2 }), "stepSize"],
      [Attack.pgd({ epsilon: 0.1, stepSize: Number.NaN }), "stepSize"],
      [Attack.ifgsm({ epsilon: 0.1, stepSize: -0.01 }), "stepSize"],
      [Attack.ifgsm({ epsilon: 0.1, steps: 0 }), "steps"],
      [Attack.pgd({ epsilon: 0.1, steps: 2.5 }), "steps"],
      [Attack.pgd({ epsilon: 0.1, restarts: 0 }), "restarts"],
      [Attack.pgd({ epsilon: 0.1, restarts: 3, randomStart: false }), "restarts"],
      [{ ...Attack.fgsm({ epsilon: 0.1 }), norm: "l1" as Norm.Norm }, "norm"],
    ]
    for (const [attack, argument] of cases) {
      const error = fail(attack, { range: unit })
      assert.equal((error as Errors.InvalidArgument).argument, argument, error.message)
    }
  })

  test("inputs outside the declared range", () => {
    const outside = tf.tensor2d([0.1, 1.5, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [2, 4])
    const error = fail(Attack.fgsm({ epsilon: 0.1 }), { range: unit }, outside)
    assert.equal(error._tag, "InvalidArgument")
    assert.match(error.message, /^x\[1\]: must be in the declared range \[0, 1\], got 1\.5$/)
    const nan = tf.tensor2d([0.1, Number.NaN, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [2, 4])
    assert.equal(fail(Attack.fgsm({ epsilon: 0.1 }), { range: unit }, nan)._tag, "InvalidArgument")
    assert.equal(
      (fail(Attack.fgsm({ epsilon: 0.1 }), { range: { min: 1, max: 0 } }) as Errors.InvalidArgument).argument,
      "range",
    )
    tf.dispose([outside, nan])
  })

  test("a model that returns probabilities instead of logits is rejected in the clean pass", () => {
    const base = linear(2, 4, 3)
    const probabilities: Attack.Model = (t) => tf.tidy(() => tf.softmax(base.model(t)))
    for (const attack of [Attack.fgsm({ epsilon: 0.1 }), Attack.pgd({ epsilon: 0.1, steps: 2 })]) {
      const error = fail(attack, { range: unit }, x(), probabilities)
      assert.equal(error._tag, "InvalidArgument")
      assert.equal((error as Errors.InvalidArgument).argument, "model(x)")
      assert.match(
        error.message,
        /model\(x\): must be logits, not probabilities.*; drop the model.s final softmax$/,
      )
    }
    // Log-probabilities are logits (softmax ignores a per-row shift); a sigmoid output does
    // not sum to 1. Both are accepted.
    for (const accepted of [
      (t: tf.Tensor) => tf.tidy(() => tf.logSoftmax(base.model(t))),
      (t: tf.Tensor) => tf.tidy(() => tf.sigmoid(base.model(t))),
    ]) {
      const input = x()
      const adv = Attack.perturbSync(Attack.fgsm({ epsilon: 0.1 }), accepted, input, { range: unit })
      tf.dispose([input, adv.x])
    }
    base.dispose()
  })

  test("looksLikeProbabilities: softmax rows yes; logits, a negative entry or a sum off by 1e-3 no", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 8, maxLength: 64 }),
        (classes, values) => {
          const logits = Float64Array.from(values.slice(0, values.length - (values.length % classes)))
          const rows = logits.length / classes
          const softmax = Float64Array.from(logits, (_, i) => {
            const row = logits.subarray(i - (i % classes), i - (i % classes) + classes)
            const top = Math.max(...row)
            const total = row.reduce((a, v) => a + Math.exp(v - top), 0)
            return Math.exp((logits[i] as number) - top) / total
          })
          assert.ok(Attack.looksLikeProbabilities(softmax, classes))
          const last = (rows - 1) * classes
          const off = Float64Array.from(softmax)
          off[last] = (off[last] as number) + 1e-3
          assert.ok(!Attack.looksLikeProbabilities(off, classes))
          if (logits.some((v) => v < 0)) assert.ok(!Attack.looksLikeProbabilities(logits, classes))
          assert.ok(!Attack.looksLikeProbabilities(new Float64Array(), classes), "no rows")
        },
      ),
      { numRuns: 50 },
    )
  })

  test("an epsilon on the wrong scale: L-inf beyond the widest span, L2 beyond the range's diameter", () => {
    const argumentOf = (error: Errors.AttackError) => {
      assert.equal(error._tag, "InvalidArgument", error.message)
      return (error as Errors.InvalidArgument).argument
    }
    // 4 meant as 4/255 for pixels in [0, 1].
    const linf = fail(Attack.fgsm({ epsilon: 4 }), { range: unit })
    assert.equal(argumentOf(linf), "epsilon")
    assert.match(linf.message, /4\/255/)
    // Per channel, the widest span counts: 3 here.
    const wide = { min: [0, 0, 0, 0], max: [1, 1, 1, 3] }
    assert.equal(argumentOf(fail(Attack.ifgsm({ epsilon: 3.5 }), { range: wide })), "epsilon")
    // x is [2, 4] in [0, 1]: the L2 diameter of the box is sqrt(4) = 2.
    const l2 = fail(Attack.fgsm({ epsilon: 2.01, norm: "l2" }), { range: unit })
    assert.equal(argumentOf(l2), "epsilon")
    assert.match(l2.message, /diameter/)
    // Up to the bound itself is allowed.
    for (const [attack, range] of [
      [Attack.fgsm({ epsilon: 1 }), unit],
      [Attack.ifgsm({ epsilon: 3 }), wide],
      [Attack.fgsm({ epsilon: 2, norm: "l2" }), unit],
    ] as const) {
      const input = x()
      const adv = Attack.perturbSync(attack, model, input, { range })
      tf.dispose([input, adv.x])
    }
  })

  test("shape mismatches: labels, targets, per-channel bounds, model output, rank of x", () => {
    const mismatch = (error: Errors.AttackError) => {
      assert.equal(error._tag, "ShapeMismatch")
      return (error as Errors.ShapeMismatch).argument
    }
    const fgsm = Attack.fgsm({ epsilon: 0.1 })
    assert.equal(mismatch(fail(fgsm, { range: unit, labels: new Int32Array(3) })), "labels")
    assert.equal(
      mismatch(fail(fgsm, { range: unit, target: Target.given(new Int32Array(1)) })),
      "target.classes",
    )
    assert.equal(mismatch(fail(fgsm, { range: { min: [0, 0], max: 1 } })), "range.min")
    assert.equal(mismatch(fail(fgsm, { range: unit }, x(), (t) => tf.sum(t, 1))), "model(x)")
    const flat = tf.tensor1d([0.1, 0.2])
    assert.equal(mismatch(fail(fgsm, { range: unit }, flat)), "x")
    flat.dispose()
    const error = fail(fgsm, { range: unit, labels: Int32Array.from([0, 7]) }) as Errors.InvalidArgument
    assert.equal(error.argument, "labels[1]")
  })
})
