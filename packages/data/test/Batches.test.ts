import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Random } from "@vicinal/core"
import "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"
import { Effect, Stream } from "effect"
import * as fc from "fast-check"
import { Augment, Batches, type HostBatch } from "../src/index.ts"
import { failure, indexed, run, snapshot } from "./helpers.ts"

const collect = (stream: Stream.Stream<HostBatch, unknown>) => run(Stream.runCollect(stream))
const allIndices = (batches: ReadonlyArray<HostBatch>) => batches.flatMap((b) => [...b.indices])

const sizes = fc.record({
  n: fc.integer({ min: 0, max: 60 }),
  batchSize: fc.integer({ min: 1, max: 17 }),
  seed: fc.integer(),
  epoch: fc.nat(1000),
})

describe("Batches.stream", () => {
  test("an epoch visits every example exactly once (keep-last)", () =>
    fc.assert(
      fc.asyncProperty(sizes, async ({ n, batchSize, seed, epoch }) => {
        const d = indexed(n, [2], 3)
        const batches = await collect(Batches.stream(d, { batchSize, seed, epoch }))
        assert.equal(batches.length, Math.ceil(n / batchSize))
        assert.deepEqual(
          allIndices(batches).sort((a, b) => a - b),
          Array.from({ length: n }, (_, i) => i),
        )
        batches.slice(0, -1).forEach((b) => {
          assert.equal(b.shape[0], batchSize)
        })
      }),
    ))

  test("dropLast: only full batches, no repeats, fewer than batchSize examples left out", () =>
    fc.assert(
      fc.asyncProperty(sizes, async ({ n, batchSize, seed, epoch }) => {
        const d = indexed(n, [2], 3)
        const batches = await collect(Batches.stream(d, { batchSize, seed, epoch, dropLast: true }))
        assert.equal(batches.length, Math.floor(n / batchSize))
        for (const b of batches) assert.equal(b.shape[0], batchSize)
        const seen = allIndices(batches)
        assert.equal(new Set(seen).size, seen.length)
        assert.ok(n - seen.length < batchSize)
      }),
    ))

  test("each batch holds copies of its examples' rows and labels; the dataset is never written", () =>
    fc.assert(
      fc.asyncProperty(sizes, async ({ n, batchSize, seed }) => {
        const d = indexed(n, [2, 2], 4)
        const before = snapshot(d)
        const batches = await collect(Batches.stream(d, { batchSize, seed }))
        for (const b of batches) {
          assert.deepEqual(b.shape.slice(1), [2, 2])
          b.indices.forEach((index, i) => {
            assert.deepEqual(b.x.subarray(i * 4, i * 4 + 4), d.x.subarray(index * 4, index * 4 + 4))
            assert.equal(b.labels[i], d.labels[index])
            assert.equal(b.trueLabels[i], d.trueLabels[index])
          })
          assert.notEqual(b.x.buffer, d.x.buffer)
          b.x.fill(-7)
          b.labels.fill(3)
        }
        assert.deepEqual(snapshot(d), before)
      }),
      { numRuns: 50 },
    ))

  test("the order is a pure function of (seed, epoch): resuming replays it; epochs differ", async () => {
    const d = indexed(200, [1], 2)
    const order = (epoch: number, seed = 5) =>
      collect(Batches.stream(d, { batchSize: 32, seed, epoch })).then(allIndices)
    assert.deepEqual(await order(3), await order(3))
    assert.notDeepEqual(await order(3), await order(4))
    assert.notDeepEqual(await order(3), await order(3, 6))
    const run3 = await run(
      Stream.runCollect(Batches.epochs(d, { batchSize: 32, seed: 5, from: 2, to: 5 })).pipe(
        Effect.map((items) => items.filter((e) => e.epoch === 3).flatMap((e) => [...e.batch.indices])),
      ),
    )
    assert.deepEqual(run3, await order(3))
    assert.deepEqual(
      [...(await run(Batches.epochOrder(d, { batchSize: 32, seed: 5, epoch: 3 })))],
      await order(3),
    )
  })

  test("same seed, same augmented batches; turning augmentation on keeps the order", async () => {
    const d = indexed(40, [4, 4, 1], 2)
    const options = { batchSize: 8, seed: 1, epoch: 2, augment: Augment.randomCrop({ padding: 2 }) }
    const a = await collect(Batches.stream(d, options))
    const b = await collect(Batches.stream(d, options))
    assert.deepEqual(
      a.map((x) => x.x),
      b.map((x) => x.x),
    )
    const { augment: _, ...withoutAugment } = options
    const plain = await collect(Batches.stream(d, withoutAugment))
    assert.deepEqual(allIndices(plain), allIndices(a))
    assert.notDeepEqual(
      a.map((x) => x.x),
      plain.map((x) => x.x),
    )
  })

  test("shuffle: false visits in dataset order without randomness", async () => {
    const d = indexed(10, [1], 2)
    const batches = await collect(Batches.stream(d, { batchSize: 4, shuffle: false }))
    assert.deepEqual(allIndices(batches), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  test("an rng is drawn from (and advanced), giving a new order each run", async () => {
    const d = indexed(50, [1], 2)
    const rng = Random.make(3)
    const first = allIndices(await collect(Batches.stream(d, { batchSize: 10, rng })))
    const second = allIndices(await collect(Batches.stream(d, { batchSize: 10, rng })))
    assert.notDeepEqual(first, second)
    const replay = Random.make(3)
    assert.deepEqual(allIndices(await collect(Batches.stream(d, { batchSize: 10, rng: replay }))), first)
  })

  test("iterate gives the same batches as stream", () =>
    fc.assert(
      fc.asyncProperty(sizes, fc.boolean(), async ({ n, batchSize, seed, epoch }, dropLast) => {
        const d = indexed(n, [3], 2)
        const options = { batchSize, seed, epoch, dropLast }
        const fromStream = await collect(Batches.stream(d, options))
        const fromIterator = [...Batches.iterate(d, options)]
        assert.deepEqual(fromIterator, fromStream)
      }),
      { numRuns: 30 },
    ))

  test("bad options and augmentation failures arrive as typed errors", async () => {
    const d = indexed(10, [1], 2)
    const noSeed = await failure(Stream.runCollect(Batches.stream(d, { batchSize: 4 })))
    assert.equal(noSeed._tag, "InvalidArgument")
    assert.match(noSeed.message, /seed/)
    const size = await failure(Stream.runCollect(Batches.stream(d, { batchSize: 0, seed: 1 })))
    assert.match(size.message, /batchSize: .*got 0/)
    // indexed(10, [1]) is not NHWC, so an image augmentation fails in the stream's error channel.
    const augment = await failure(
      Stream.runCollect(Batches.stream(d, { batchSize: 4, seed: 1, augment: Augment.horizontalFlip() })),
    )
    assert.equal(augment._tag, "InvalidArgument")
    assert.match(augment.message, /horizontalFlip: batch.shape/)
    assert.throws(() => [...Batches.iterate(d, { batchSize: -1, seed: 1 })], { _tag: "InvalidArgument" })
  })

  test("prefetch prepares batches ahead of a slow consumer; prefetch 0 does not", async () => {
    const d = indexed(64, [1, 1, 1], 2)
    const aheadWith = async (prefetch: number) => {
      let produced = 0
      const counting = (b: HostBatch) => {
        produced++
        return b
      }
      let maxAhead = 0
      let consumed = 0
      await run(
        Batches.stream(d, { batchSize: 4, seed: 1, prefetch, augment: counting }).pipe(
          Stream.runForEach(() =>
            Effect.gen(function* () {
              // A consumer that yields to the scheduler, as a trainer awaiting the device does.
              for (let i = 0; i < 20; i++) yield* Effect.yieldNow
              maxAhead = Math.max(maxAhead, produced - consumed)
              consumed++
            }),
          ),
        ),
      )
      assert.equal(consumed, 16)
      return maxAhead
    }
    assert.equal(await aheadWith(0), 1)
    assert.ok((await aheadWith(3)) > 1)
  })
})

describe("Batches.toBatch", () => {
  test("uploads x with its shape and one-hot y; no tensors leak", async () => {
    await tf.setBackend("cpu")
    await tf.ready()
    await fc.assert(
      fc.asyncProperty(sizes, fc.boolean(), async ({ n, batchSize, seed }, useTrue) => {
        const d = indexed(Math.max(n, 1), [2, 3], 5)
        const corrupted = { ...d, labels: Int32Array.from(d.labels, (l) => (l + 1) % 5) }
        const host = [...Batches.iterate(corrupted, { batchSize, seed })][0]!
        const before = tf.memory().numTensors
        const { x, y } = Batches.toBatch(host, useTrue ? { labels: "trueLabels" } : {})
        assert.deepEqual(x.shape, host.shape)
        assert.deepEqual(y.shape, [host.shape[0], 5])
        assert.deepEqual(await x.data(), host.x)
        const rows = (await y.array()) as Array<Array<number>>
        rows.forEach((row, i) => {
          assert.equal(
            row.reduce((a, b) => a + b, 0),
            1,
          )
          assert.equal(row[(useTrue ? host.trueLabels : host.labels)[i]!], 1)
        })
        x.dispose()
        y.dispose()
        assert.equal(tf.memory().numTensors, before)
      }),
      { numRuns: 30 },
    )
  })

  test("a label out of range throws a tagged error before anything is uploaded", () => {
    const before = tf.memory().numTensors
    const host = Batches.whole(indexed(3, [1], 2))
    assert.throws(() => Batches.toBatch({ ...host, labels: Int32Array.of(0, 2, 1) }), {
      _tag: "LabelOutOfRange",
      label: 2,
      index: 1,
    })
    assert.equal(tf.memory().numTensors, before)
  })
})
