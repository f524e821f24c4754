import assert from "node:assert/strict"
import { before, test } from "node:test"
import { Execute, Host, Lambda, Pairing, Random, Strategy } from "@vicinal/core"
import { Effect, Exit, Schema } from "effect"
import * as fc from "fast-check"
import { hostData } from "./arbitraries.ts"
import { noLeak, tf, useCpu } from "./helpers.ts"

before(useCpu)

const context = { epoch: 0, step: 0 }

// A mixer with its own execution: x <- l x + (1 - l) (1 - x[partner]) (blend with the partner's negative).
const negativeBlend = Strategy.defineMixer("negativeBlend", {
  params: Schema.Struct({ alpha: Schema.Number.check(Schema.isGreaterThan(0)) }),
  plan: ({ alpha }, input, { epoch, rng }) => {
    const lambda = Lambda.sample(Lambda.symmetricBeta(alpha), rng, epoch)
    const partner = Pairing.partners(Pairing.randomPermutation, input, rng)
    const inputLambda = new Float32Array(input.n).fill(lambda)
    const l = Math.fround(lambda)
    const m = Math.fround(1 - l)
    return [
      {
        _tag: "Custom",
        name: "negativeBlend",
        partner,
        inputLambda,
        labelLambda: inputLambda.slice(),
        tensor: (x) =>
          tf.add(
            tf.mul(x, tf.scalar(l)),
            tf.mul(tf.sub(tf.scalar(1), tf.gather(x, tf.tensor1d(partner, "int32"))), tf.scalar(m)),
          ),
        host: (src, out, shape) => {
          const d = src.length / shape[0]!
          for (let i = 0; i < partner.length; i++)
            for (let t = 0; t < d; t++)
              out[i * d + t] =
                Math.fround(l * src[i * d + t]!) + Math.fround(m * Math.fround(1 - src[partner[i]! * d + t]!))
        },
      },
    ]
  },
})

// A mixer composed of built-in steps: mixup whose partner is always the next example.
const nextMixup = Strategy.defineMixer("nextMixup", {
  params: Schema.Struct({ lambda: Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 1 })) }),
  plan: ({ lambda }, { n }) => {
    const inputLambda = new Float32Array(n).fill(lambda)
    const partner = Int32Array.from({ length: n }, (_, i) => (i + 1) % n)
    return [{ _tag: "Interpolate", partner, inputLambda, labelLambda: inputLambda.slice() }]
  },
})

const mixers = { ...negativeBlend.mixers, ...nextMixup.mixers }

test("a user mixer with its own execution: tensor and typed-array paths agree bit for bit, no leak", () => {
  fc.assert(
    fc.property(hostData(), fc.integer(), fc.constantFrom(0.4, 1, 3), (d, seed, alpha) => {
      const strategy = Strategy.chain(
        negativeBlend.make({ alpha }),
        Strategy.labelSmoothing({ epsilon: 0.1 }),
      )
      const n = d.shape[0]!
      const plan = Strategy.plan(strategy, { n, shape: d.shape, mixers }, context, Random.make(seed))
      const host = Host.execute(plan, { x: d.x, shape: d.shape, y: d.y })
      const device = noLeak(() => {
        const x = tf.tensor(d.x, [...d.shape])
        const y = tf.tensor2d(d.y, [n, d.classes])
        const mixed = Execute.execute(plan, { x, y })
        const out = { x: mixed.x.dataSync(), y: mixed.y.dataSync() }
        tf.dispose([x, y])
        Execute.dispose(mixed)
        return out
      })
      assert.deepEqual(host.x, device.x)
      assert.deepEqual(host.y, device.y)
      assert.equal(host.mixingSteps, 1)
    }),
    { numRuns: 50 },
  )
})

test("a user mixer of built-in steps runs through apply with the CustomMixers reference", () => {
  const x = tf.tensor2d([
    [0, 0],
    [1, 1],
    [2, 2],
  ])
  const y = tf.tensor2d([
    [1, 0],
    [0, 1],
    [1, 0],
  ])
  const mixed = Effect.runSync(
    Strategy.apply(nextMixup.make({ lambda: 0.75 }), { x, y }, context).pipe(
      Effect.provideService(Strategy.CustomMixers, mixers),
      Random.withSeed(1),
    ),
  )
  assert.deepEqual([...mixed.partner], [1, 2, 0])
  assert.deepEqual(Array.from(mixed.x.dataSync()), [0.25, 0.25, 1.25, 1.25, 1.5, 1.5])
  Execute.dispose(mixed)
  tf.dispose([x, y])
})

test("user strategies are plain data: the JSON round trip is identity and plans repeat per seed", () => {
  const strategy = Strategy.oneOf([nextMixup.make({ lambda: 0.3 }), negativeBlend.make({ alpha: 2 })])
  const json = JSON.parse(JSON.stringify(Strategy.toConfig(strategy)))
  const back = Effect.runSync(
    Strategy.fromConfig(json).pipe(Effect.provideService(Strategy.CustomMixers, mixers)),
  )
  assert.deepEqual(back, strategy)
  const lambdas = (s: Strategy.Strategy) =>
    Array.from(
      { length: 5 },
      (_, step) =>
        Strategy.plan(s, { n: 4, shape: [4, 3], mixers }, { epoch: 0, step }, Random.make(step)).steps[0]!,
    ).map((s) => ("inputLambda" in s ? [...s.inputLambda] : []))
  assert.deepEqual(lambdas(back), lambdas(strategy))
})

const configFailure = (json: unknown) => {
  const exit = Effect.runSyncExit(
    Strategy.fromConfig(json).pipe(Effect.provideService(Strategy.CustomMixers, mixers)),
  )
  assert.ok(Exit.isFailure(exit))
  const reason = exit.cause.reasons[0]
  assert.ok(reason?._tag === "Fail")
  return reason.error
}

test("an unregistered mixer or bad params are typed errors naming the field", () => {
  const unknown = configFailure({ _tag: "Chain", strategies: [{ _tag: "Custom", name: "nope", params: {} }] })
  assert.equal(unknown._tag, "InvalidArgument")
  assert.match(
    unknown.message,
    /strategies\[0\]\.name: must name a registered mixer \(known: negativeBlend, nextMixup\)/,
  )
  const bad = configFailure({ _tag: "WithProbability", p: 1, strategy: nextMixup.make({ lambda: 2 }) })
  assert.equal(bad._tag, "InvalidArgument")
  assert.match(bad.message, /^strategy\.params\.lambda: .*got 2$/)
  assert.throws(
    () =>
      Strategy.plan(
        negativeBlend.make({ alpha: -1 }),
        { n: 2, shape: [2, 1], mixers },
        context,
        Random.make(1),
      ),
    (e: { _tag?: string; argument?: string }) =>
      e._tag === "InvalidArgument" && e.argument === "custom(negativeBlend).params.alpha",
  )
  assert.throws(
    () => Strategy.plan(negativeBlend.make({ alpha: 1 }), { n: 2, shape: [2, 1] }, context, Random.make(1)),
    (e: { _tag?: string; message?: string }) =>
      e._tag === "InvalidArgument" && /must name a registered mixer \(known: none\)/.test(e.message ?? ""),
  )
})
