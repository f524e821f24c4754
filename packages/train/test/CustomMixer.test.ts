import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as tf from "@tensorflow/tfjs-core"
import { Pairing, Strategy } from "@vicinal/core"
import { Effect, Exit, Schema } from "effect"
import { Backend, Datasets, Fit, Run, RunConfig, type RunEvent, type TrainError } from "../src/index.ts"

await Effect.runPromise(Backend.select("wasm"))

// A user-defined mixer made of a built-in step: each example interpolated with its mirror in the
// batch (the flip pairing) at the fixed weight `lambda` on itself.
const flipBlend = Strategy.defineMixer("flipBlend", {
  params: Schema.Struct({ lambda: Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 1 })) }),
  plan: ({ lambda }, input, { rng }) => {
    const weights = new Float32Array(input.n).fill(lambda)
    const partner = Pairing.partners(Pairing.flip, input, rng)
    return [{ _tag: "Interpolate", partner, inputLambda: weights, labelLambda: weights.slice() }]
  },
})

const config = (strategy: Strategy.Strategy) =>
  Effect.runSync(
    RunConfig.decode({
      seed: 5,
      epochs: 1,
      batchSize: 25,
      backend: "wasm",
      strategy: Strategy.toConfig(strategy),
      model: { kind: "mlp", hidden: [8] },
      data: { dataset: "twoMoons", n: 200, testSize: 50 },
      optimizer: { _tag: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 0 },
      schedule: { _tag: "constant" },
    }),
  )

const data = await Effect.runPromise(Datasets.load(config(Strategy.erm).data, 5))

const weights = async (strategy: Strategy.Strategy, options: Run.TrainOptions = {}) => {
  const events = await Effect.runPromise(
    Run.collect(config(strategy), { data, captureWeights: true, ...options }),
  )
  const last = events.at(-1) as Extract<RunEvent, { _tag: "RunFinished" }>
  assert.equal(last._tag, "RunFinished")
  return last.weights!.flatMap((w) => Array.from(w.values))
}

const failure = (exit: Exit.Exit<unknown, TrainError>) => {
  assert.ok(Exit.isFailure(exit))
  const reason = exit.cause.reasons[0]
  return reason?._tag === "Fail" ? reason.error : undefined
}

describe("user-defined mixers in a run", () => {
  test("a run config naming a user mixer trains with it: lambda 1 is ERM bit for bit, lambda 0.5 is not; no leak", async () => {
    const before = tf.memory().numTensors
    const mixed = flipBlend.make({ lambda: 0.5 })
    const viaOption = await weights(mixed, { mixers: flipBlend.mixers })
    const erm = await weights(Strategy.erm)
    assert.deepEqual(await weights(flipBlend.make({ lambda: 1 }), { mixers: flipBlend.mixers }), erm)
    assert.notDeepEqual(viaOption, erm)
    assert.equal(tf.memory().numTensors, before)
  })

  test("the Strategy.CustomMixers reference reaches the run too: the same weights as with the `mixers` option", async () => {
    const mixed = flipBlend.make({ lambda: 0.5 })
    const viaOption = await weights(mixed, { mixers: flipBlend.mixers })
    const events = await Effect.runPromise(
      Run.collect(config(mixed), { data, captureWeights: true }).pipe(
        Effect.provideService(Strategy.CustomMixers, flipBlend.mixers),
      ),
    )
    const last = events.at(-1) as Extract<RunEvent, { _tag: "RunFinished" }>
    assert.deepEqual(
      last.weights!.flatMap((w) => Array.from(w.values)),
      viaOption,
    )
  })

  test("a run config naming an unregistered mixer is refused before training, naming it and the known ones", async () => {
    const exit = await Effect.runPromiseExit(
      Run.collect(config(Strategy.custom("saliencyMixx", {})), { data, mixers: flipBlend.mixers }),
    )
    const error = failure(exit)
    assert.ok(error?._tag === "InvalidArgument", String(error))
    assert.equal(error.argument, "strategy.name")
    assert.equal(error.value, "saliencyMixx")
    assert.match(
      error.message,
      /^strategy\.name: must name a registered mixer \(known: flipBlend\), got "saliencyMixx"/,
    )
    assert.doesNotMatch(error.message, /InvalidArgument|InvalidConfig/)
    const none = failure(
      await Effect.runPromiseExit(Run.collect(config(flipBlend.make({ lambda: 0.5 })), { data })),
    )
    assert.ok(none?._tag === "InvalidArgument" && /known: none/.test(none.message), String(none))
  })

  test("Fit.dataset plans a user mixer given as `mixers`, and refuses it without them (InvalidArgument naming strategy.name)", () => {
    const table = {
      x: Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3]),
      shape: [4, 2],
      y: Float32Array.from([1, 0, 0, 1, 1, 0, 0, 1]),
    }
    const strategy = flipBlend.make({ lambda: 0.5 })
    assert.throws(
      () => Fit.dataset(table, { strategy, batchSize: 2, seed: 1 }),
      (e: unknown) =>
        (e as { _tag?: string; argument?: string })._tag === "InvalidArgument" &&
        (e as { argument: string }).argument === "strategy.name",
    )
    assert.equal(Fit.dataset(table, { strategy, batchSize: 2, seed: 1, mixers: flipBlend.mixers }).size, 2)
    const planned = Fit.planStep(
      { strategy, seed: 1, mixers: flipBlend.mixers },
      { x: table.x, shape: table.shape, y: table.y },
      { epoch: 0, step: 0 },
    )
    assert.deepEqual(
      Array.from(planned.steps[0]!._tag === "Interpolate" ? planned.steps[0]!.partner : []),
      [3, 2, 1, 0],
    )
  })
})
