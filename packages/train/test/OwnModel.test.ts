import assert from "node:assert/strict"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, test } from "node:test"
import * as tf from "@tensorflow/tfjs-core"
import * as tfl from "@tensorflow/tfjs-layers"
import { Strategy } from "@vicinal/core"
import { Models } from "@vicinal/models"
import { Effect, Exit, Stream } from "effect"
import { Backend, Evaluate, Run, RunConfig, type RunEvent, type TrainError } from "../src/index.ts"

await Effect.runPromise(Backend.select("wasm"))

// The run's config without a model: the user brings their own.
const config = (overrides: Record<string, unknown> = {}) =>
  Effect.runSync(
    RunConfig.decode({
      seed: 3,
      epochs: 2,
      batchSize: 20,
      backend: "wasm",
      strategy: Strategy.toConfig(Strategy.mixup({ alpha: 1 })),
      data: { dataset: "spirals", n: 400, testSize: 100 },
      optimizer: { _tag: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 0 },
      schedule: { _tag: "constant" },
      ...overrides,
    }),
  )

const mlp = () =>
  tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [2],
        units: 16,
        activation: "relu",
        name: "h1",
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      }),
      tfl.layers.dense({
        units: 2,
        name: "out",
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  })

const run = (c: RunConfig.RunConfig, options: Run.TrainOptions) =>
  Effect.runPromise(Run.collect(c, { captureWeights: true, ...options }))

const finished = (events: ReadonlyArray<RunEvent>) => {
  const last = events.at(-1)
  assert.equal(last?._tag, "RunFinished")
  return last as Extract<RunEvent, { _tag: "RunFinished" }>
}

const values = (event: Extract<RunEvent, { _tag: "RunFinished" }>) =>
  event.weights!.map((w) => Array.from(w.values))

const failure = async (c: RunConfig.RunConfig, options: Run.TrainOptions) => {
  const exit = await Effect.runPromiseExit(Run.collect(c, options))
  assert.ok(Exit.isFailure(exit))
  return (
    Exit.isFailure(exit)
      ? exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error : undefined))[0]
      : undefined
  ) as TrainError | undefined
}

describe("Run.train with the user's own LayersModel", () => {
  test("trains the model in place, reproducibly, leaves it usable and leaks nothing else", async () => {
    const model = mlp()
    const before = tf.memory().numTensors
    const events = await run(config(), { model })
    const end = finished(events)
    assert.equal(tf.memory().numTensors, before)
    assert.deepEqual(
      model.getWeights().map((w) => Array.from(w.dataSync())),
      values(end),
    )
    assert.equal(events.filter((e) => e._tag === "EpochEnded").length, 2)
    const started = events[0]
    assert.ok(started?._tag === "RunStarted" && started.parameters === 16 * 2 + 16 + 16 * 2 + 2)
    const again = mlp()
    assert.deepEqual(values(finished(await run(config(), { model: again }))), values(end))
    // Evaluate takes it through the same adapter.
    const classifier = Models.wrap(model)
    const data = {
      name: "probe",
      x: new Float32Array(4),
      shape: [2, 2],
      labels: new Int32Array([0, 1]),
      numClasses: 2,
    }
    const result = Evaluate.evaluate(classifier, { ...data, trueLabels: data.labels })
    assert.ok(result.top1Error >= 0 && result.top1Error <= 1)
    model.dispose()
    again.dispose()
  })

  test("an interrupted run resumed with a freshly built model ends with the uninterrupted weights", async () => {
    const models = [mlp(), mlp(), mlp()] as const
    const straight = values(finished(await run(config(), { model: models[0] })))
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vicinal-own-"))
    const controller = new AbortController()
    let seen = 0
    const interrupted = await Effect.runPromise(
      Run.train(config(), { model: models[1], runDir: dir, signal: controller.signal }).pipe(
        Stream.tap((e) =>
          Effect.sync(() => {
            if (e._tag === "BatchEnded" && ++seen === 4) controller.abort()
          }),
        ),
        Stream.runCollect,
      ),
    )
    assert.equal(interrupted.at(-1)?._tag, "RunInterrupted")
    const resumed = await run(config(), { model: models[2], runDir: dir, resume: true })
    assert.ok(resumed[0]?._tag === "RunStarted" && resumed[0].resumedFrom !== undefined)
    assert.deepEqual(values(finished(resumed)), straight)
    fs.rmSync(dir, { recursive: true })
    for (const m of models) m.dispose()
  })

  test("manifold mixing after a named layer of a wrapped model; typed errors before training otherwise", async () => {
    const manifold = config({ strategy: Strategy.toConfig(Strategy.manifold({ stages: [0, 1] })) })
    const wrapped = Models.wrap(mlp(), { stages: ["h1"] })
    const hidden = finished(await run(manifold, { model: wrapped }))
    assert.ok(Number.isFinite(hidden.lastTestError))
    wrapped.dispose()

    const plain = mlp()
    const unsplit = await failure(manifold, { model: plain })
    assert.ok(
      unsplit?._tag === "InvalidArgument" && unsplit.argument === "strategy",
      String(unsplit?.message),
    )
    assert.match(unsplit.message, /Models\.wrap\(model, \{ stages \}\)/)
    const both = await failure(config({ model: { kind: "mlp", hidden: [4] } }), { model: plain })
    assert.ok(both?._tag === "InvalidArgument" && both.argument === "model")
    const neither = await failure(config(), {})
    assert.ok(neither?._tag === "InvalidArgument" && neither.argument === "model")
    plain.dispose()
    const wide = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2 })] })
    const shape = await failure(config(), { model: wide })
    assert.ok(
      shape?._tag === "InvalidArgument" && shape.argument === "model" && /input shape/.test(shape.message),
    )
    wide.dispose()
    const soft = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [2], units: 2, activation: "softmax" })],
    })
    const probabilities = await failure(config(), { model: soft })
    assert.ok(probabilities?._tag === "InvalidArgument" && /softmax/.test(probabilities.message))
    soft.dispose()
  })
})
