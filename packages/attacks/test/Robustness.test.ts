import assert from "node:assert/strict"
import { before, describe, test } from "node:test"
import * as tf from "@tensorflow/tfjs-core"
import { Random } from "@vicinal/core"
import { Effect, Exit, Stream } from "effect"
import * as fc from "fast-check"
import { Attack, Errors, Report, Robustness, Table } from "../src/index.ts"
import { countingLeaks, mlp, ready, recording, uniforms } from "./fixtures.ts"

before(ready)

const unit = { min: 0, max: 1 }
const host = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array

interface Problem {
  readonly x: Float32Array
  readonly n: number
  readonly d: number
  readonly labels: Int32Array
}

const problem = (seed: number, n: number, d: number, classes: number): Problem => {
  const rng = Random.make(seed)
  return { x: uniforms(rng, n * d), n, d, labels: Int32Array.from({ length: n }, () => rng.int(classes)) }
}

const run = <A, E>(effect: Effect.Effect<A, E, Random.Random>, seed = 1): A =>
  Effect.runSync(effect.pipe(Random.withSeed(seed)))

describe("Robustness counts", () => {
  test("misclassified-before and success are counted apart, and agree with a direct count", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.constantFrom<"given" | "predicted">("given", "predicted"),
        (seed, epsilon, labels) => {
          const p = problem(seed, 24, 6, 7)
          const model = mlp(seed, p.d, 8, 7)
          const x = tf.tensor2d(p.x, [p.n, p.d])
          const attacks = [Attack.fgsm({ epsilon }), Attack.ifgsm({ epsilon, steps: 3 })]
          const [fgsm, ifgsm] = Robustness.batchSync(
            { model: model.model, attacks, range: unit, labels },
            { x, labels: p.labels },
          )
          for (const [attack, counts] of [
            [attacks[0], fgsm],
            [attacks[1], ifgsm],
          ] as const) {
            assert.ok(attack !== undefined && counts !== undefined)
            // The same attack, by hand.
            const adv = Attack.perturbSync(attack, model.model, x, {
              range: unit,
              ...(labels === "given" ? { labels: p.labels } : {}),
            })
            const before = tf.tidy(() => host(tf.argMax(model.model(x), 1)))
            const after = tf.tidy(() => host(tf.argMax(model.model(adv.x), 1)))
            adv.x.dispose()
            const wrongBefore = p.labels.filter((l, i) => before[i] !== l).length
            const flipped = p.labels.filter((l, i) => before[i] === l && after[i] !== l).length
            assert.equal(counts.examples, p.n)
            assert.equal(counts.alreadyMisclassified, wrongBefore)
            assert.equal(counts.successes, flipped)
            assert.equal(counts.adversarialTop1Errors, p.labels.filter((l, i) => after[i] !== l).length)
            assert.ok(counts.cleanTopKErrors <= counts.alreadyMisclassified)
            assert.ok(counts.adversarialTopKErrors <= counts.adversarialTop1Errors)
            if (epsilon === 0) {
              assert.equal(counts.adversarialTop1Errors, counts.alreadyMisclassified)
              assert.equal(counts.successes, 0)
            }
          }
          x.dispose()
          model.dispose()
        },
      ),
      { numRuns: 15 },
    )
  })

  test("a black-box attack is crafted on the surrogate, not on the evaluated model", () => {
    const p = problem(3, 32, 8, 4)
    const model = mlp(3, p.d, 16, 4)
    const x = tf.tensor2d(p.x, [p.n, p.d])
    const attacks = [Attack.fgsm({ epsilon: 0.3 })]
    // A surrogate with a zero gradient gives no perturbation: the target's errors stay clean.
    const flat: Attack.Model = (t) => tf.zeros([t.shape[0] ?? 0, 4])
    const blind = run(
      Robustness.batch(
        { model: model.model, surrogate: flat, attacks, range: unit },
        { x, labels: p.labels },
      ),
    )
    const totals = blind[0]?.totals ?? Report.zero
    assert.equal(blind[0]?.mode, "black-box")
    assert.equal(totals.adversarialTop1Errors, totals.alreadyMisclassified)
    // The model as its own surrogate is the white-box attack.
    const self = run(
      Robustness.batch(
        { model: model.model, surrogate: model.model, attacks, range: unit },
        { x, labels: p.labels },
      ),
    )
    const white = run(Robustness.batch({ model: model.model, attacks, range: unit }, { x, labels: p.labels }))
    assert.equal(white[0]?.mode, "white-box")
    assert.deepEqual(self[0]?.totals, white[0]?.totals)
    assert.ok((white[0]?.totals.adversarialTop1Errors ?? 0) > totals.adversarialTop1Errors)
    x.dispose()
    model.dispose()
  })

  test("a stream's totals are the sum of its batches and equal one big batch; nothing leaks", () => {
    const p = problem(9, 30, 5, 3)
    const model = mlp(9, p.d, 8, 3)
    const config: Robustness.Config = {
      model: model.model,
      attacks: [Attack.fgsm({ epsilon: 0.1 }), Attack.ifgsm({ epsilon: 0.1, steps: 3 })],
      range: unit,
      k: 2,
    }
    const sizes = [7, 13, 10]
    const starts = [0, 7, 20]
    const batches = sizes.map((size, b) => {
      const s = starts[b] ?? 0
      return {
        x: p.x.slice(s * p.d, (s + size) * p.d),
        shape: [size, p.d],
        labels: p.labels.slice(s, s + size),
      }
    })
    const { result: streamed, leaked } = countingLeaks(() =>
      run(Robustness.stream(Stream.fromIterable(batches), config)),
    )
    assert.equal(leaked, 0)
    const x = tf.tensor2d(p.x, [p.n, p.d])
    const whole = run(Robustness.batch(config, { x, labels: p.labels }))
    streamed.forEach((report, a) => {
      assert.equal(report.batches.length, 3)
      assert.deepEqual(
        report.batches.map((c) => c.examples),
        sizes,
      )
      assert.deepEqual(report.totals, Report.sum(report.batches))
      assert.deepEqual(report.totals, whole[a]?.totals)
      assert.equal(report.k, 2)
    })
    x.dispose()
    model.dispose()
  })

  test("the labels the attacker used are recorded", () => {
    const p = problem(4, 8, 4, 3)
    const model = mlp(4, p.d, 8, 3)
    const x = tf.tensor2d(p.x, [p.n, p.d])
    for (const labels of ["given", "predicted"] as const) {
      const [report] = run(
        Robustness.batch(
          { model: model.model, attacks: [Attack.fgsm({ epsilon: 0.1 })], range: unit, labels },
          { x, labels: p.labels },
        ),
      )
      assert.equal(report?.labelsSource, labels)
    }
    x.dispose()
    model.dispose()
  })

  test("bad batches fail with typed errors; a stream's own failure passes through", () => {
    const model = mlp(4, 4, 8, 3)
    const config: Robustness.Config = {
      model: model.model,
      attacks: [Attack.fgsm({ epsilon: 0.1 })],
      range: unit,
    }
    const tagOf = (exit: Exit.Exit<unknown, { readonly _tag: string }>) => {
      assert.ok(Exit.isFailure(exit))
      const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
      return reason?._tag === "Fail" ? reason.error._tag : "none"
    }
    const short = { x: new Float32Array(8), shape: [2, 4], labels: new Int32Array(3) }
    assert.equal(
      tagOf(Effect.runSyncExit(Robustness.stream(Stream.make(short), config).pipe(Random.withSeed(1)))),
      "ShapeMismatch",
    )
    const ragged = { x: new Float32Array(7), shape: [2, 4], labels: new Int32Array(2) }
    assert.equal(
      tagOf(Effect.runSyncExit(Robustness.stream(Stream.make(ragged), config).pipe(Random.withSeed(1)))),
      "ShapeMismatch",
    )
    const outside = { x: new Float32Array(8).fill(2), shape: [2, 4], labels: new Int32Array(2) }
    assert.equal(
      tagOf(Effect.runSyncExit(Robustness.stream(Stream.make(outside), config).pipe(Random.withSeed(1)))),
      "InvalidArgument",
    )
    const none = Effect.runSyncExit(
      Robustness.stream(Stream.make(short), { ...config, attacks: [] }).pipe(Random.withSeed(1)),
    )
    assert.equal(tagOf(none), "InvalidArgument")
    class Broken {
      readonly _tag = "Broken"
    }
    const failing = Stream.fail(new Broken())
    assert.equal(
      tagOf(Effect.runSyncExit(Robustness.stream(failing, config).pipe(Random.withSeed(1)))),
      "Broken",
    )
    model.dispose()
  })
})

describe("Robustness validates every attack up front", () => {
  test("a bad attack is a typed error on an empty stream, and fails a batch before any forward pass", () => {
    const base = mlp(4, 4, 8, 3)
    const spy = recording(base.model)
    const p = problem(4, 6, 4, 3)
    const x = tf.tensor2d(p.x, [p.n, p.d])
    const fgsm = Attack.fgsm({ epsilon: 0.1 })
    const cases: ReadonlyArray<readonly [ReadonlyArray<Attack.Attack>, string]> = [
      [[fgsm, Attack.ifgsm({ epsilon: -1 })], "attacks[1].epsilon"],
      [[Attack.fgsm({ epsilon: Number.NaN })], "attacks[0].epsilon"],
      // 8 meant as 8/255 for pixels in [0, 1].
      [[fgsm, Attack.pgd({ epsilon: 8 })], "attacks[1].epsilon"],
      [[Attack.pgd({ epsilon: 0.1, stepSize: 0.2 })], "attacks[0].stepSize"],
      [[fgsm, Attack.pgd({ epsilon: 0.1, steps: 0 })], "attacks[1].steps"],
    ]
    for (const [attacks, argument] of cases) {
      const config: Robustness.Config = { model: spy.model, attacks, range: unit }
      const empty = Effect.runSyncExit(Robustness.stream(Stream.empty, config).pipe(Random.withSeed(1)))
      assert.ok(Exit.isFailure(empty), `${argument}: an empty stream succeeded`)
      const reason = empty.cause.reasons.find((r) => r._tag === "Fail")
      const error = reason?._tag === "Fail" ? reason.error : undefined
      assert.equal(error?._tag, "InvalidArgument")
      assert.equal((error as Errors.InvalidArgument).argument, argument)
      const { leaked } = countingLeaks(() =>
        assert.throws(
          () => Robustness.batchSync(config, { x, labels: p.labels }, Random.make(1)),
          (e: unknown) => e instanceof Errors.InvalidArgument && e.argument === argument,
        ),
      )
      assert.equal(leaked, 0)
      assert.equal(spy.seen.length, 0, `${argument}: the model ran before the attacks were checked`)
    }
    x.dispose()
    base.dispose()
  })
})

describe("Table", () => {
  const report = (attack: string, totals: Report.Counts, mode: Report.Mode): Report.Report => ({
    attack,
    kind: attack === "FGSM" ? "fgsm" : "ifgsm",
    norm: "linf",
    epsilon: 4 / 255,
    stepSize: 4 / 255,
    steps: attack === "FGSM" ? 1 : 10,
    restarts: 1,
    randomStart: false,
    mode,
    labelsSource: "given",
    target: "untargeted",
    k: 5,
    totals,
    batches: [totals],
  })
  const counts = (adversarialTop1Errors: number, adversarialTopKErrors: number): Report.Counts => ({
    examples: 1000,
    alreadyMisclassified: 50,
    cleanTopKErrors: 10,
    adversarialTop1Errors,
    adversarialTopKErrors,
    successes: adversarialTop1Errors - 50,
  })

  test("the layout of the paper's Table 3, with the clean error and the misclassified-before counts", () => {
    const rows = (mode: Report.Mode): ReadonlyArray<Table.Row> => [
      {
        method: "ERM",
        reports: [report("FGSM", counts(907, 631), mode), report("I-FGSM", counts(999, 934), mode)],
      },
      {
        method: "mixup",
        reports: [report("FGSM", counts(752, 491), mode), report("I-FGSM", counts(996, 958), mode)],
      },
    ]
    const text = Table.table3({ whiteBox: rows("white-box"), blackBox: rows("black-box") })
    const lines = text.split("\n")
    assert.equal(lines[0], "| Metric | Method | Clean | FGSM | I-FGSM |")
    assert.ok(lines.includes("| Top-1 | ERM | 5.0 | 90.7 | 99.9 |"), text)
    assert.ok(lines.includes("|  | mixup | 5.0 | 75.2 | 99.6 |"), text)
    assert.ok(lines.includes("| Top-5 | ERM | 1.0 | 63.1 | 93.4 |"), text)
    assert.ok(lines.includes("|  | mixup | 1.0 | 49.1 | 95.8 |"), text)
    assert.ok(text.indexOf("(a) White box attacks.") < text.indexOf("(b) Black box attacks."))
    assert.ok(
      text.includes(
        "- ERM, FGSM (white-box, linf, epsilon 0.01569, 1 step of 0.01569, labels given, untargeted): " +
          "50 of 1000 already misclassified before the attack; success rate 90.2% of the 950 initially correct.",
      ),
      text,
    )
    assert.match(text, /mixup, I-FGSM \(black-box, /)
  })
})
