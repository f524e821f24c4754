import assert from "node:assert/strict"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, test } from "node:test"
import * as tf from "@tensorflow/tfjs-core"
import { Strategy } from "@vicinal/core"
import { Cifar } from "@vicinal/data"
import type { Classifier } from "@vicinal/models"
import { Effect, Exit } from "effect"
import * as fc from "fast-check"
import { Augmentation, Backend, Errors, Evaluate, Run, RunConfig, type RunEvent } from "../src/index.ts"

await Effect.runPromise(Backend.select("wasm"))

const plane = 32 * 32

/** CIFAR-10 binary records in the real format: 1 label byte, then 1024 R, 1024 G, 1024 B bytes. */
const records = (labels: ReadonlyArray<number>, seed: number) => {
  const size = 1 + 3 * plane
  const out = new Uint8Array(labels.length * size)
  labels.forEach((label, i) => {
    out[i * size] = label
    for (let c = 0; c < 3; c++)
      for (let p = 0; p < plane; p++)
        // Class-dependent brightness per channel plus a texture, so that there is something to learn.
        out[i * size + 1 + c * plane + p] = (label * 23 + c * 40 + ((seed * 7 + i * 31 + p * 13) % 50)) % 256
  })
  return out
}

/** A cifar-10-batches-bin folder: 5 training batches of 8 images and a test batch of 20. */
const cifarFolder = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vicinal-cifar-"))
  for (let b = 1; b <= 5; b++)
    fs.writeFileSync(
      path.join(dir, `data_batch_${b}.bin`),
      records(
        Array.from({ length: 8 }, (_, i) => (i + b) % 10),
        b,
      ),
    )
  fs.writeFileSync(
    path.join(dir, "test_batch.bin"),
    records(
      Array.from({ length: 20 }, (_, i) => i % 10),
      9,
    ),
  )
  return dir
}

const folder = cifarFolder()

const config = (overrides: Record<string, unknown> = {}) =>
  RunConfig.decode({
    seed: 5,
    epochs: 1,
    batchSize: 10,
    backend: "wasm",
    strategy: Strategy.toConfig(Strategy.mixup({ alpha: 1 })),
    model: { kind: "mlp", hidden: [8] },
    data: { dataset: "cifar10", dir: folder },
    augment: "cifar",
    optimizer: { _tag: "sgd", lr: 0.05, momentum: 0.9, weightDecay: 1e-4 },
    schedule: { _tag: "constant" },
    ...overrides,
  })

const finished = (events: ReadonlyArray<RunEvent>) => {
  const last = events.at(-1)
  assert.equal(last?._tag, "RunFinished")
  return last as Extract<RunEvent, { _tag: "RunFinished" }>
}

const train = (
  overrides: Record<string, unknown> = {},
  afterTraining?: (c: Classifier) => Effect.Effect<void>,
) =>
  Effect.runPromise(
    Effect.flatMap(config(overrides), (c) =>
      Run.collect(c, { captureWeights: true, ...(afterTraining === undefined ? {} : { afterTraining }) }),
    ),
  ).then(finished)

const weightBytes = (event: Extract<RunEvent, { _tag: "RunFinished" }>) =>
  event.weights!.map((w) =>
    Array.from(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength)),
  )

const failure = async (overrides: Record<string, unknown>) => {
  const exit = await Effect.runPromiseExit(Effect.flatMap(config(overrides), (c) => Run.collect(c)))
  assert.ok(Exit.isFailure(exit), "expected the run to fail")
  const error = Exit.isFailure(exit)
    ? exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error : undefined))[0]
    : undefined
  assert.ok(error instanceof Errors.InvalidArgument, `expected an InvalidArgument, got ${String(error)}`)
  return error
}

describe("CIFAR data with augmentation through Run.train", () => {
  test("a real-format CIFAR-10 folder trains one epoch with the paper's augmentation; same seed, same weights", async () => {
    const before = tf.memory().numTensors
    const a = await train()
    const b = await train()
    assert.equal(a.history.length, 1)
    assert.ok(Number.isFinite(a.history[0]!.trainLoss))
    assert.deepEqual(weightBytes(a), weightBytes(b))
    assert.equal(tf.memory().numTensors, before)
  })

  test("the augmentation reaches the training batches: turning it off changes the weights", async () => {
    const on = await train()
    const off = await train({ augment: { flip: false } })
    const cropOnly = await train({ augment: { crop: { padding: 4 } } })
    assert.notDeepEqual(weightBytes(on), weightBytes(off))
    assert.notDeepEqual(weightBytes(cropOnly), weightBytes(off))
  })

  test("the run loads the folder through the real loader and evaluates on the normalised test set", async () => {
    const test = await Effect.runPromise(Cifar.cifar10(folder, "test"))
    let onNormalised: Evaluate.Evaluation | undefined
    const done = await train({ data: { dataset: "cifar10", dir: folder, testSize: 20 } }, (classifier) =>
      Effect.sync(() => {
        onNormalised = Evaluate.evaluate(classifier, Augmentation.forEvaluation("cifar", test))
      }),
    )
    const metrics = done.history[0]!
    assert.equal(onNormalised!.examples, 20)
    assert.equal(metrics.testTop1Error, onNormalised!.top1Error)
    assert.equal(metrics.testTop5Error, onNormalised!.top5Error)
  })

  test("forEvaluation normalises per channel and never writes its input", () =>
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 }),
        fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })),
        fc.tuple(fc.double({ min: 0.1, max: 2, noNaN: true }), fc.double({ min: 0.1, max: 2, noNaN: true })),
        (values, mean, std) => {
          const x = Float32Array.from(values)
          const copy = x.slice()
          const dataset = {
            name: "d",
            x,
            shape: [3, 2, 1, 2],
            labels: new Int32Array(3),
            trueLabels: new Int32Array(3),
            numClasses: 2,
          }
          const out = Augmentation.forEvaluation({ normalise: { mean, std } }, dataset)
          assert.deepEqual(x, copy)
          out.x.forEach((v, i) => {
            assert.equal(v, Math.fround((copy[i]! - mean[i % 2]!) / std[i % 2]!))
          })
          assert.equal(Augmentation.forEvaluation({ crop: { padding: 1 } }, dataset), dataset)
        },
      ),
      { numRuns: 50 },
    ))
})

describe("augment config errors name the field", () => {
  const decodeError = (augment: unknown) => {
    const exit = Effect.runSyncExit(config({ augment }))
    assert.ok(Exit.isFailure(exit), `expected augment ${JSON.stringify(augment)} to be rejected`)
    const error = Exit.isFailure(exit)
      ? exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error : undefined))[0]
      : undefined
    assert.ok(error instanceof Errors.InvalidArgument)
    return error
  }

  test("bad values are rejected at decoding", () => {
    assert.equal(decodeError({ crop: { padding: -1 } }).argument, "augment.crop.padding")
    assert.equal(decodeError({ crop: { padding: 1.5 } }).argument, "augment.crop.padding")
    assert.equal(decodeError({ flip: "yes" }).argument, "augment.flip")
    assert.equal(
      decodeError({ normalise: { mean: [0, 0, 0], std: [1, 0, 1] } }).argument,
      "augment.normalise.std[1]",
    )
    assert.equal(decodeError({ rotate: 10 }).argument, "augment.rotate")
    assert.match(decodeError("imagenet").argument, /^augment/)
  })

  test("a normalisation that does not fit the images' channels fails the run naming the field", async () => {
    const error = await failure({ augment: { normalise: { mean: [0.5, 0.5], std: [0.2, 0.2, 0.2] } } })
    assert.equal(error.argument, "augment.normalise.mean")
    assert.match(error.message, /3 values/)
  })

  test("image augmentation on non-image data fails the run naming the field", async () => {
    const error = await failure({ data: { dataset: "twoMoons", n: 100 }, augment: { flip: true } })
    assert.equal(error.argument, "augment.flip")
  })

  test("a CIFAR folder that is not there is a data error naming the file", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.flatMap(config({ data: { dataset: "cifar100", dir: folder } }), (c) => Run.collect(c)),
    )
    assert.ok(Exit.isFailure(exit))
    assert.match(String(Exit.isFailure(exit) ? exit.cause.reasons[0] : ""), /train\.bin/)
  })
})
