// Seeded dropout: a training pass's masks are a function of `forward`'s `seed` alone.
import assert from "node:assert/strict"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, test } from "node:test"
import "@tensorflow/tfjs-backend-cpu"
import * as tfl from "@tensorflow/tfjs-layers"
import * as fc from "fast-check"
import { type Classifier, FileIO, Layers, Models } from "../src/index.ts"
import { input, maxAbsDiff, noLeak, noLeakAsync, tf, throwsTagged } from "./setup.ts"

const root = await mkdtemp(join(tmpdir(), "vicinal-dropout-"))
after(() => rm(root, { recursive: true, force: true }))

const WIDTH = 400

/** Two dropout blocks in a row over a flat input, then a linear head: masks are visible at stages 1 and 2. */
const twoDrops = (rate: number): Classifier => {
  const kit = Layers.makeKit(0)
  return Models.assemble({
    name: "twoDrops",
    inputShape: [WIDTH],
    stages: [
      { name: "drop1", block: kit.dropout(rate) },
      { name: "drop2", block: kit.dropout(rate) },
    ],
    head: kit.dense(2),
  })
}

/** The activation after stage k of a training pass with `seed`. */
const trainingActivation = (net: Classifier, x: tf.Tensor, k: number, seed: number): Float32Array => {
  let values: Float32Array = new Float32Array()
  tf.dispose(
    net.forward(x, {
      training: true,
      seed,
      mixAt: k,
      mix: (h) => {
        values = Float32Array.from(h.dataSync())
        return h
      },
    }),
  )
  return values
}

const zeros = (values: Float32Array): ReadonlyArray<boolean> => Array.from(values, (v) => v === 0)
const count = (flags: ReadonlyArray<boolean>): number => flags.filter(Boolean).length

/** |k - np| within 5 standard deviations of Binomial(n, p) (a false alarm about once in 1.7 million). */
const withinBinomial = (k: number, n: number, p: number): boolean =>
  Math.abs(k - n * p) <= 5 * Math.sqrt(n * p * (1 - p)) + 1

const mlpWithDropout = (seed = 4) =>
  Models.mlp({ inputShape: [6], numClasses: 3, hidden: [24, 24], dropout: 0.5, seed })

describe("seeded dropout in training passes", () => {
  test("property: the same seed gives identical logits, even from a rebuilt network after other passes", () =>
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        fc.integer({ min: 0, max: 1000 }),
        (seed, other) =>
          noLeak(() => {
            const [a, b] = [mlpWithDropout(), mlpWithDropout()]
            const x = input([5, 6], other)
            const first = a.forward(x, { training: true, seed })
            // passes with other seeds in between must not shift anything (no hidden generator state)
            tf.dispose([
              a.forward(x, { training: true, seed: seed + 1 }),
              b.forward(x, { training: true, seed: other }),
            ])
            const again = a.forward(x, { training: true, seed })
            const rebuilt = b.forward(x, { training: true, seed })
            const same = maxAbsDiff(first, again) === 0 && maxAbsDiff(first, rebuilt) === 0
            tf.dispose([x, first, again, rebuilt])
            a.dispose()
            b.dispose()
            return same
          }),
      ),
      { numRuns: 15 },
    ))

  test("property: different seeds give different logits", () => {
    const net = mlpWithDropout()
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 2 ** 20 }),
        (seed, offset) =>
          noLeak(() => {
            const x = input([5, 6], 3)
            const [a, b] = [
              net.forward(x, { training: true, seed }),
              net.forward(x, { training: true, seed: seed + offset }),
            ]
            const diff = maxAbsDiff(a, b)
            tf.dispose([x, a, b])
            return diff > 0
          }),
      ),
      { numRuns: 20 },
    )
    net.dispose()
  })

  test("property: two dropout blocks of one pass draw independent masks; each zeroes about `rate`", () => {
    const cases = [0.1, 0.5, 0.8].map((rate) => ({ rate, net: twoDrops(rate) }))
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2), fc.integer({ min: 0, max: 2 ** 31 }), (which, seed) =>
        noLeak(() => {
          const { rate, net } = cases[which]!
          const x = tf.ones([2, WIDTH])
          const n = 2 * WIDTH
          const first = trainingActivation(net, x, 1, seed)
          const both = trainingActivation(net, x, 2, seed)
          x.dispose()
          const dropped1 = zeros(first)
          const dropped2 = zeros(both)
          // block 1 drops about rate; kept units are scaled by 1 / (1 - rate)
          assert.ok(withinBinomial(count(dropped1), n, rate), `block 1 dropped ${count(dropped1)}/${n}`)
          for (const v of first) if (v !== 0) assert.ok(Math.abs(v - 1 / (1 - rate)) < 1e-5, `kept ${v}`)
          // the output of block 2 keeps block 1's zeros (the same seed repeats block 1's mask) ...
          assert.ok(dropped1.every((d, i) => !d || dropped2[i]))
          // ... and block 2's own mask is independent of it: about rate of block 1's survivors go
          const survivors = n - count(dropped1)
          const droppedBy2 = dropped2.filter((d, i) => d && !dropped1[i]).length
          assert.ok(withinBinomial(droppedBy2, survivors, rate), `block 2 dropped ${droppedBy2}/${survivors}`)
          return true
        }),
      ),
      { numRuns: 15 },
    )
    for (const { net } of cases) net.dispose()
  })

  test("gradients vanish exactly at the dropped units (backward uses the forward's mask)", () =>
    noLeak(() => {
      const net = twoDrops(0.4)
      const x = tf.ones([3, WIDTH])
      const dropped = zeros(trainingActivation(net, x, 2, 17))
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(net.forward(v, { training: true, seed: 17 }))))(x)
      assert.deepEqual(zeros(g.dataSync() as Float32Array), dropped)
      tf.dispose([x, g])
      net.dispose()
    }))

  test("the masks are the same on the wasm and cpu backends", async () => {
    const logitsOn = async (backend: string): Promise<Float32Array> => {
      await tf.setBackend(backend)
      return noLeak(() => {
        const net = mlpWithDropout(8)
        const x = input([4, 6], 2)
        const y = net.forward(x, { training: true, seed: 123 })
        const values = y.dataSync() as Float32Array
        tf.dispose([x, y])
        net.dispose()
        return values
      })
    }
    try {
      const [cpu, wasm] = [await logitsOn("cpu"), await logitsOn("wasm")]
      assert.deepEqual(zeros(cpu), zeros(wasm))
      for (const [i, v] of cpu.entries()) assert.ok(Math.abs(v - wasm[i]!) < 1e-5, `${v} vs ${wasm[i]}`)
    } finally {
      await tf.setBackend("wasm")
    }
  })

  test("a training pass through dropout needs an integer seed (typed error, no leak); inference and dropout-free nets do not", () =>
    noLeak(() => {
      const net = mlpWithDropout()
      const x = input([2, 6], 1)
      throwsTagged(() => net.forward(x, { training: true }), "InvalidArgument", "mlp.forward", "seed")
      throwsTagged(() => net.forward(x, { training: true, seed: 0.5 }), "InvalidArgument", "seed", "0.5")
      const plain = Models.mlp({ inputShape: [6], numClasses: 3, hidden: [24, 24], seed: 4 })
      const outputs = [net.forward(x), net.forward(x), plain.forward(x, { training: true })]
      // inference is unchanged: dropout is the identity, the same as tfjs' own predict
      const graph = net.model.predict(x) as tf.Tensor
      assert.equal(maxAbsDiff(outputs[0]!, graph), 0)
      assert.equal(maxAbsDiff(outputs[0]!, outputs[1]!), 0)
      tf.dispose([x, graph, ...outputs])
      net.dispose()
      plain.dispose()
    }))

  test("the saved model still has tfjs Dropout layers and loads with tfjs' own loadLayersModel", () =>
    noLeakAsync(async () => {
      const net = mlpWithDropout()
      const x = input([3, 6], 9)
      tf.dispose(net.forward(x, { training: true, seed: 1 }))
      await net.model.save(FileIO.fileHandler(root))
      const model = await tfl.loadLayersModel(FileIO.fileHandler(root))
      assert.deepEqual(
        model.layers.filter((l) => l.getClassName() === "Dropout").map((l) => l.name),
        ["dropout_1", "dropout_2"],
      )
      const [a, b] = [net.forward(x), model.predict(x) as tf.Tensor]
      assert.equal(maxAbsDiff(a, b), 0)
      tf.dispose([x, a, b])
      model.dispose()
      net.dispose()
    }))
})
