import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as tf from "@tensorflow/tfjs-core"
import * as tfl from "@tensorflow/tfjs-layers"
import { Host, Random, Strategy } from "@vicinal/core"
import { Batches, Dataset } from "@vicinal/data"
import { Losses } from "@vicinal/losses"
import { Models } from "@vicinal/models"
import { Effect } from "effect"
import { pipe } from "effect/Function"
import { Backend, Fit } from "../src/index.ts"

await Effect.runPromise(Backend.select("wasm"))

// 22 random 6x6 "images" of 3 classes (22 = 4 batches of 5 and a short batch of 2).
const images = (() => {
  const rng = Random.make(7)
  const n = 22
  return Effect.runSync(
    Dataset.make({
      name: "tiny",
      x: Float32Array.from({ length: n * 36 }, () => rng.uniform()),
      shape: [n, 6, 6, 1],
      labels: Int32Array.from({ length: n }, () => rng.int(3)),
      numClasses: 3,
    }),
  )
})()

// "mixup or CutMix, 50/50, on 80% of batches, off from epoch 2".
const strategy = pipe(
  Strategy.oneOf([Strategy.mixup({ alpha: 1 }), Strategy.cutmix({ alpha: 1 })]),
  Strategy.withProbability(0.8),
  Strategy.until(2),
)

const seededModel = (activation?: "softmax") =>
  tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [6, 6, 1] }),
      tfl.layers.dense({
        units: 3,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
        ...(activation === undefined ? {} : { activation }),
      }),
    ],
  })

/** The source, recording (host copies of) every batch fitDataset reads from it. */
const recording = (
  source: Fit.FitSource,
  seen: Array<{ x: Float32Array; y: Float32Array }>,
): Fit.FitSource => ({
  ...source,
  iterator: async () => {
    const inner = await source.iterator()
    return {
      next: async () => {
        const out = await inner.next()
        if (out.done !== true)
          seen.push({
            x: out.value.xs.dataSync() as Float32Array,
            y: out.value.ys.dataSync() as Float32Array,
          })
        return out
      },
    }
  },
})

const fitOnce = async (seed: number, seen: Array<{ x: Float32Array; y: Float32Array }> = []) => {
  // tfjs' own categoricalCrossentropy takes the mixed soft targets on a softmax output.
  const model = seededModel("softmax")
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" })
  const before = tf.memory().numTensors
  const source = Fit.dataset(images, { strategy, batchSize: 5, seed, model })
  // biome-ignore lint/suspicious/noExplicitAny: fitDataset's parameter is tfjs-data's Dataset class; the source is structurally what it reads
  await model.fitDataset(recording(source, seen) as any, { epochs: 3, verbose: 0 })
  const leaked = tf.memory().numTensors - before
  const weights = model.getWeights().map((w) => w.dataSync().slice())
  model.dispose()
  return { leaked, weights, epochs: source.epochsStarted() }
}

describe("Fit.dataset: mixed batches for model.fitDataset", () => {
  test("fitDataset sees Strategy.plan + Host.execute of each epoch's seeded batches, short last batch included", async () => {
    const seen: Array<{ x: Float32Array; y: Float32Array }> = []
    const { epochs } = await fitOnce(11, seen)
    assert.equal(epochs, 3)
    const seeds = Fit.seeds(11)
    const expected = [0, 1, 2].flatMap((epoch) =>
      Array.from(Batches.iterate(images, { batchSize: 5, seed: seeds.data, epoch }), (b, step) => {
        const host = { x: b.x, shape: b.shape, y: Dataset.oneHot(b.labels, 3) }
        const plan = Strategy.plan(
          strategy,
          { n: b.labels.length, shape: b.shape, labels: b.labels },
          { epoch, step },
          Fit.stepRng(seeds.strategy, { epoch, step }),
        )
        return { ...Host.execute(plan, host), steps: plan.steps.length }
      }),
    )
    assert.equal(seen.length, 15)
    assert.deepEqual(
      seen.map((b) => b.x.length / 36),
      [5, 5, 5, 5, 2, 5, 5, 5, 5, 2, 5, 5, 5, 5, 2],
    )
    seen.forEach((b, i) => {
      assert.deepEqual(b.x, expected[i]!.x, `batch ${i} x`)
      assert.deepEqual(b.y, expected[i]!.y, `batch ${i} y`)
    })
    assert.ok(
      expected.slice(0, 10).some((b) => b.steps > 0),
      "epochs 0 and 1 mix some batches",
    )
    assert.ok(
      expected.slice(10).every((b) => b.steps === 0),
      "epoch 2 is off",
    )
  })

  test("no tensor is left after fitDataset returns, and the same seed gives the same weights", async () => {
    const a = await fitOnce(5)
    const b = await fitOnce(5)
    const c = await fitOnce(6)
    assert.equal(a.leaked, 0)
    assert.equal(b.leaked, 0)
    assert.deepEqual(a.weights, b.weights)
    assert.notDeepEqual(a.weights, c.weights)
  })

  test("bad input is an InvalidArgument naming the argument, before training", () => {
    const field = (body: () => unknown, name: string) =>
      assert.throws(
        body,
        (e: unknown) =>
          (e as { _tag: string; argument: string })._tag === "InvalidArgument" &&
          (e as { argument: string }).argument === name,
      )
    const soft = {
      x: new Float32Array(4 * 4),
      shape: [4, 2, 2],
      y: Float32Array.from([0.5, 0.5, 1, 0, 0, 1, 0.2, 0.8]),
    }
    const sameClass = Strategy.mixup({ alpha: 1, pairing: { _tag: "SameClass" } })
    field(() => Fit.dataset(soft, { strategy: sameClass, batchSize: 2, seed: 1 }), "strategy")
    // Soft rows are fine for a strategy that does not pair by class.
    assert.equal(Fit.dataset(soft, { strategy: Strategy.mixup({ alpha: 1 }), batchSize: 2, seed: 1 }).size, 2)
    field(
      () => Fit.dataset({ ...soft, y: soft.y.map((v) => v * 2) }, { strategy, batchSize: 2, seed: 1 }),
      "source.y",
    )
    field(() => Fit.dataset(images, { strategy, batchSize: 0, seed: 1 }), "batchSize")
    const wrongInput = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [5, 5, 1] }), tfl.layers.dense({ units: 3 })],
    })
    field(() => Fit.dataset(images, { strategy, batchSize: 5, seed: 1, model: wrongInput }), "model")
    wrongInput.dispose()
    const wrongClasses = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [6, 6, 1] }), tfl.layers.dense({ units: 4 })],
    })
    field(() => Fit.dataset(images, { strategy, batchSize: 5, seed: 1, model: wrongClasses }), "model")
    wrongClasses.dispose()
  })
})

describe("Fit.fromTfData: a tf.data.Dataset read into host arrays", () => {
  test("batched or single elements give the same table, every element disposed", async () => {
    const x = Float32Array.from({ length: 5 * 4 }, (_, i) => i / 20)
    const y = Dataset.oneHot([0, 1, 2, 1, 0], 3)
    const elements = (batched: boolean) => ({
      iterator: async () => {
        let i = 0
        const rows = batched
          ? [
              [0, 2],
              [2, 5],
            ]
          : [0, 1, 2, 3, 4].map((r) => [r, r + 1])
        return {
          next: async () => {
            const r = rows[i++]
            if (r === undefined) return { done: true as const, value: undefined }
            const [from, to] = r as [number, number]
            const xs = tf.tensor(x.slice(from * 4, to * 4), batched ? [to - from, 2, 2] : [2, 2])
            const ys = tf.tensor(y.slice(from * 3, to * 3), batched ? [to - from, 3] : [3])
            return { done: false as const, value: { xs, ys } }
          },
        }
      },
    })
    const before = tf.memory().numTensors
    const batched = await Fit.fromTfData(elements(true))
    const single = await Fit.fromTfData(elements(false))
    assert.equal(tf.memory().numTensors, before)
    assert.deepEqual(batched, { x, shape: [5, 2, 2], y })
    assert.deepEqual(single, batched)
    assert.equal(Fit.dataset(single, { strategy, batchSize: 2, seed: 1 }).size, 3)
  })
})

describe("Fit.step: one custom-loop step", () => {
  test("equals the hand-written step (plan, Host.execute, soft cross-entropy, applyGradients), leaving no tensor", () => {
    const setup = (model: tfl.LayersModel) => ({ model, optimizer: tf.train.sgd(0.1), strategy, seed: 3 })
    const mine = seededModel()
    const theirs = seededModel()
    const a = setup(mine)
    const b = setup(theirs)
    const batches = Array.from(Batches.iterate(images, { batchSize: 5, seed: 1 }), (h) => ({
      x: h.x,
      shape: h.shape,
      y: Dataset.oneHot(h.labels, 3),
    }))
    const before = tf.memory().numTensors
    batches.forEach((batch, step) => {
      const context = { epoch: 0, step }
      const loss = Fit.step(a, batch, context)
      const mixed = Host.execute(Fit.planStep(b, batch, context), batch)
      const handLoss = tf.tidy(() => {
        const x = tf.tensor(mixed.x, [...batch.shape])
        const y = tf.tensor2d(mixed.y, [batch.shape[0]!, 3])
        const { value, grads } = tf.variableGrads(() =>
          Losses.softCrossEntropy(theirs.apply(x, { training: true }) as tf.Tensor2D, y),
        )
        b.optimizer.applyGradients(grads)
        return value.dataSync()[0]!
      })
      assert.equal(loss, handLoss)
    })
    assert.equal(tf.memory().numTensors, before)
    assert.deepEqual(
      mine.getWeights().map((w) => w.dataSync()),
      theirs.getWeights().map((w) => w.dataSync()),
    )
    mine.dispose()
    theirs.dispose()
  })

  test("mixes after a named layer of a wrapped model (manifold), and a class pairing needs one-hot rows", () => {
    const model = seededModel()
    const classifier = Models.wrap(model, { stages: [model.layers[0]!.name] })
    const setup = {
      model: classifier,
      optimizer: tf.train.sgd(0.1),
      strategy: Strategy.manifold({ stages: [1] }),
      seed: 4,
    }
    const host = Batches.whole(images)
    const batch = { x: host.x, shape: host.shape, y: Dataset.oneHot(host.labels, 3) }
    const before = tf.memory().numTensors
    const losses = [0, 1, 2].map((step) => Fit.step(setup, batch, { epoch: 0, step }))
    assert.equal(tf.memory().numTensors, before)
    assert.ok(losses.every(Number.isFinite))
    assert.ok(Fit.planStep(setup, batch, { epoch: 0, step: 0 }).stage === 1)
    const soft = { ...batch, y: batch.y.map((v) => (v === 1 ? 0.9 : 0.05)) }
    const sameClass = { ...setup, strategy: Strategy.mixup({ alpha: 1, pairing: { _tag: "SameClass" } }) }
    assert.throws(
      () => Fit.step(sameClass, soft, { epoch: 0, step: 0 }),
      (e: unknown) => (e as { argument?: string }).argument === "batch.y",
    )
    classifier.dispose()
  })
})
