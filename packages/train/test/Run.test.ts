import assert from "node:assert/strict"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, test } from "node:test"
import * as tf from "@tensorflow/tfjs-core"
import { Strategy } from "@vicinal/core"
import { Effect, Exit, Option, Stream } from "effect"
import {
  Backend,
  Checkpoint,
  Datasets,
  Errors,
  Events,
  Run,
  RunConfig,
  type RunEvent,
  type TrainError,
} from "../src/index.ts"

await Effect.runPromise(Backend.select("wasm"))

const base = (overrides: Record<string, unknown> = {}) =>
  Effect.runSync(
    RunConfig.decode({
      seed: 3,
      epochs: 3,
      batchSize: 50,
      backend: "wasm",
      strategy: Strategy.toConfig(Strategy.erm),
      model: { kind: "mlp", hidden: [32] },
      data: { dataset: "mnist", trainSize: 1000, testSize: 500 },
      optimizer: { _tag: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 1e-4 },
      schedule: { _tag: "constant" },
      ...overrides,
    }),
  )

const run = (config: RunConfig.RunConfig, options: Run.TrainOptions = {}) =>
  Effect.runPromise(Run.collect(config, { captureWeights: true, ...options }))

const finished = (events: ReadonlyArray<RunEvent>) => {
  const last = events.at(-1)
  assert.equal(last?._tag, "RunFinished")
  return last as Extract<RunEvent, { _tag: "RunFinished" }>
}

const bytes = (event: Extract<RunEvent, { _tag: "RunFinished" }>) =>
  event.weights!.flatMap((w) =>
    Array.from(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength)),
  )

const failure = (exit: Exit.Exit<unknown, TrainError>) => {
  assert.ok(Exit.isFailure(exit))
  return Exit.isFailure(exit)
    ? exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error : undefined))[0]
    : undefined
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "vicinal-run-"))

// Loaded before the tests are declared: Deno does not register tests declared after an await
// inside a describe callback.
const mnist = await Effect.runPromise(Datasets.load(base().data, 3))

describe("Run.train end to end on the bundled MNIST subset", () => {
  test("ERM and mixup both learn (test error far below the 90% of chance), bit-for-bit reproducible, no leaked tensors", async () => {
    const before = tf.memory().numTensors
    const erm = finished(await run(base(), { data: mnist }))
    const mixupConfig = base({ strategy: Strategy.toConfig(Strategy.mixup({ alpha: 1 })) })
    const mixup = await run(mixupConfig, { data: mnist })
    const again = finished(await run(mixupConfig, { data: mnist }))
    assert.equal(tf.memory().numTensors, before)
    const mixupEnd = finished(mixup)
    assert.ok(erm.lastTestError < 0.4, `ERM test error ${erm.lastTestError}`)
    assert.ok(mixupEnd.lastTestError < 0.4, `mixup test error ${mixupEnd.lastTestError}`)
    assert.equal(erm.history.length, 3)
    // Same seed, same weights, bit for bit; and the comparison can tell runs apart.
    assert.deepEqual(bytes(again), bytes(mixupEnd))
    assert.notDeepEqual(bytes(erm), bytes(mixupEnd))
    // The event stream has the documented shape.
    const tags = mixup.map((e) => e._tag)
    assert.equal(tags[0], "RunStarted")
    assert.equal(tags.filter((t) => t === "EpochEnded").length, 3)
    assert.equal(tags.filter((t) => t === "BatchEnded").length, 3 * 20)
    const metrics = mixup.flatMap((e) => (e._tag === "EpochEnded" ? [e.metrics] : []))
    metrics.forEach((m, i) => {
      assert.equal(m.bestTestError, Math.min(...metrics.slice(0, i + 1).map((x) => x.testTop1Error)))
      assert.ok(m.testTop5Error <= m.testTop1Error)
      assert.ok(Number.isFinite(m.trainLoss))
    })
  })
})

const spirals = (overrides: Record<string, unknown> = {}) =>
  base({
    epochs: 2,
    batchSize: 20,
    model: { kind: "mlp", hidden: [16, 16] },
    data: { dataset: "spirals", n: 400, testSize: 100 },
    strategy: Strategy.toConfig(Strategy.mixup({ alpha: 1 })),
    ...overrides,
  })

const interruptAndResume = async (config: RunConfig.RunConfig) => {
  const straight = finished(await run(config))
  const dir = tempDir()
  const controller = new AbortController()
  let seen = 0
  const interrupted = await Effect.runPromise(
    Run.train(config, { runDir: dir, signal: controller.signal }).pipe(
      Stream.tap((e) =>
        Effect.sync(() => {
          if (e._tag === "BatchEnded" && ++seen === 4) controller.abort()
        }),
      ),
      Stream.runCollect,
    ),
  )
  const last = interrupted.at(-1)
  assert.equal(last?._tag, "RunInterrupted")
  // The signal is seen at a batch boundary a few batches later (events are buffered).
  const position = last?._tag === "RunInterrupted" ? last.position : undefined
  assert.ok(position !== undefined && position.epoch * 15 + position.batch >= 4 && position.epoch < 2)
  assert.ok(last?._tag === "RunInterrupted" && last.checkpoint?.endsWith(Checkpoint.fileName(position)))
  const resumed = await run(config, { runDir: dir, resume: true })
  assert.deepEqual(resumed[0]?._tag === "RunStarted" ? resumed[0].resumedFrom : undefined, position)
  assert.deepEqual(bytes(finished(resumed)), bytes(straight))
  fs.rmSync(dir, { recursive: true })
}

describe("Run.train on synthetic data", () => {
  test("manifold mixup mixes at a hidden stage: trains, differs from input mixup, leaks nothing", async () => {
    const before = tf.memory().numTensors
    const input = finished(await run(spirals()))
    const manifold = finished(
      await run(
        spirals({
          strategy: Strategy.toConfig(
            Strategy.manifold({ stages: [1, 2], strategy: Strategy.mixup({ alpha: 1 }) }),
          ),
        }),
      ),
    )
    assert.equal(tf.memory().numTensors, before)
    assert.ok(manifold.history.every((m) => Number.isFinite(m.trainLoss)))
    assert.notDeepEqual(bytes(manifold), bytes(input))
  })

  test("a consumer that stops early (Stream.take) interrupts the run and frees its tensors", async () => {
    const before = tf.memory().numTensors
    const events = await Effect.runPromise(Stream.runCollect(Stream.take(Run.train(spirals()), 5)))
    assert.deepEqual(
      events.map((e) => e._tag),
      ["RunStarted", "EpochStarted", "BatchEnded", "BatchEnded", "BatchEnded"],
    )
    assert.equal(tf.memory().numTensors, before)
  })

  test("with corrupted labels the training error is measured against both label sets", async () => {
    const events = await run(
      spirals({ data: { dataset: "spirals", n: 400, testSize: 100, labelNoise: 0.5 } }),
    )
    const m = finished(events).history.at(-1)!
    assert.ok(
      m.trainError !== undefined && m.trainErrorTrue !== undefined && m.corruptedTrainError !== undefined,
    )
    assert.notEqual(m.trainError, m.trainErrorTrue)
  })

  test("interrupted mid-epoch by its signal: checkpoints the batch reached, and resuming ends with the uninterrupted weights", async () => {
    await interruptAndResume(spirals())
  })

  test("with dropout: seeded masks, so the same seed gives the same weights and a resumed run the uninterrupted ones", async () => {
    const dropout = spirals({ model: { kind: "mlp", hidden: [16, 16], dropout: 0.3 } })
    const once = bytes(finished(await run(dropout)))
    assert.deepEqual(bytes(finished(await run(dropout))), once)
    // The masks matter: without dropout the weights differ.
    assert.notDeepEqual(bytes(finished(await run(spirals()))), once)
    await interruptAndResume(dropout)
  })

  test("a checkpoint of another config or a corrupt one is refused; the files are kept", async () => {
    const dir = tempDir()
    await run(spirals({ epochs: 1 }), { runDir: dir })
    const other = failure(
      await Effect.runPromiseExit(
        Run.collect(spirals({ epochs: 1, seed: 4 }), { runDir: dir, resume: true }),
      ),
    )
    assert.ok(other instanceof Errors.CheckpointError)
    assert.equal(other.problem, "mismatch")
    assert.match(other.message, /"seed": 3 in the checkpoint, 4 now/)
    const [file] = fs.readdirSync(dir)
    const damaged = fs.readFileSync(path.join(dir, file!))
    damaged[200]! ^= 1
    fs.writeFileSync(path.join(dir, file!), damaged)
    const corrupt = failure(
      await Effect.runPromiseExit(Run.collect(spirals({ epochs: 1 }), { runDir: dir, resume: true })),
    )
    assert.ok(corrupt instanceof Errors.CheckpointError)
    assert.equal(corrupt.problem, "corrupt")
    assert.deepEqual(fs.readdirSync(dir), [file])
    fs.rmSync(dir, { recursive: true })
  })

  test("a checkpoint whose run state (generator, history, progress) is damaged is refused as corrupt, naming the field; intact, it resumes", async () => {
    const dir = tempDir()
    const config = spirals({ epochs: 1 })
    await run(config, { runDir: dir })
    const file = path.join(dir, fs.readdirSync(dir)[0]!)
    const saved = Effect.runSync(Checkpoint.load(file))
    const damages: ReadonlyArray<readonly [Partial<Checkpoint.Checkpoint>, RegExp]> = [
      [{ rng: {} }, /: rng\.strategy: Missing key/],
      [{ history: [{ ...(saved.history[0] as object), epoch: "first" }] }, /: history\[0\]\.epoch: /],
      [{ extra: { lossSum: 0 } }, /: extra/],
    ]
    for (const [damage, named] of damages) {
      fs.writeFileSync(file, Checkpoint.encode({ ...saved, ...damage }))
      const error = failure(await Effect.runPromiseExit(Run.collect(config, { runDir: dir, resume: true })))
      assert.ok(error instanceof Errors.CheckpointError, String(error))
      assert.equal(error.problem, "corrupt")
      assert.match(error.message, named)
    }
    fs.writeFileSync(file, Checkpoint.encode(saved))
    const resumed = await run(config, { runDir: dir, resume: true })
    assert.deepEqual(finished(resumed).history, saved.history)
    fs.rmSync(dir, { recursive: true })
  })

  test("a fresh run refuses a folder that holds another run's checkpoints, and leaves them alone", async () => {
    const dir = tempDir()
    await run(spirals({ epochs: 1 }), { runDir: dir })
    const before = fs.readdirSync(dir)
    const error = failure(await Effect.runPromiseExit(Run.collect(spirals({ epochs: 2 }), { runDir: dir })))
    assert.ok(error instanceof Errors.CheckpointError)
    assert.equal(error.problem, "exists")
    assert.match(error.message, /already holds checkpoints of a run/)
    assert.deepEqual(fs.readdirSync(dir), before)
    fs.rmSync(dir, { recursive: true })
  })

  test("checkpoints name their backend; a resume on another one says so in RunStarted", async () => {
    const dir = tempDir()
    const config = spirals({ epochs: 2 })
    const controller = new AbortController()
    await Effect.runPromise(
      Run.train(config, { runDir: dir, signal: controller.signal }).pipe(
        Stream.tap((e) =>
          Effect.sync(() => {
            if (e._tag === "EpochEnded") controller.abort()
          }),
        ),
        Stream.runCollect,
      ),
    )
    const file = Option.getOrThrow(await Effect.runPromise(Checkpoint.latest(dir)))
    const written = await Effect.runPromise(Checkpoint.load(file))
    assert.equal(written.backend, "wasm")
    // As if another machine (say with tfjs-node) had written it.
    fs.rmSync(file)
    await Effect.runPromise(Checkpoint.save(dir, { ...written, backend: "tfjs-node" }))
    const resumed = await run(config, { runDir: dir, resume: true })
    const started = resumed[0]
    assert.ok(started?._tag === "RunStarted")
    assert.deepEqual(started.backendChanged, { from: "tfjs-node", to: "wasm" })
    assert.match(Events.progressLine(started), /checkpoint was written on tfjs-node/)
    finished(resumed)
    fs.rmSync(dir, { recursive: true })
  })

  test("a bad config entry fails the stream with an InvalidArgument naming the field", async () => {
    const error = failure(
      await Effect.runPromiseExit(
        Stream.runCollect(Run.trainJson({ ...(RunConfig.encode(spirals()) as object), batchSize: 0 })),
      ),
    )
    assert.equal(error?._tag, "InvalidArgument")
    assert.match(error?.message ?? "", /^batchSize: /)
    const tooBig = failure(await Effect.runPromiseExit(Run.collect(spirals({ batchSize: 1000 }))))
    assert.equal(tooBig?._tag, "InvalidArgument")
  })
})
