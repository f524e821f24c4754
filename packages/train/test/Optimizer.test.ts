import assert from "node:assert/strict"
import { describe, test } from "node:test"
import "@tensorflow/tfjs-backend-wasm"
import * as tf from "@tensorflow/tfjs-core"
import * as fc from "fast-check"
import { Errors, Optimizer } from "../src/index.ts"

await tf.setBackend("wasm")
await tf.ready()

/** Float64 reference of PyTorch's SGD / Adam for one parameter vector. */
const referenceSgd = (
  w0: number[],
  grads: number[][],
  lr: number,
  momentum: number,
  wd: number,
  nesterov: boolean,
) => {
  const w = [...w0]
  const buf = w.map(() => 0)
  for (const g of grads)
    w.forEach((wi, i) => {
      const gi = g[i]! + wd * wi
      buf[i] = momentum * buf[i]! + gi
      w[i] = wi - lr * (nesterov ? gi + momentum * buf[i]! : momentum > 0 ? buf[i]! : gi)
    })
  return w
}

const referenceAdam = (
  w0: number[],
  grads: number[][],
  lr: number,
  b1: number,
  b2: number,
  eps: number,
  wd: number,
) => {
  const w = [...w0]
  const m = w.map(() => 0)
  const v = w.map(() => 0)
  grads.forEach((g, k) => {
    const t = k + 1
    w.forEach((wi, i) => {
      const gi = g[i]! + wd * wi
      m[i] = b1 * m[i]! + (1 - b1) * gi
      v[i] = b2 * v[i]! + (1 - b2) * gi * gi
      w[i] = wi - (lr * (m[i]! / (1 - b1 ** t))) / (Math.sqrt(v[i]! / (1 - b2 ** t)) + eps)
    })
  })
  return w
}

const variableOf = (values: ArrayLike<number>) => tf.tidy(() => tf.variable(tf.tensor1d(Array.from(values))))

const runOptimizer = (optimizer: Optimizer.Optimizer, w0: number[], grads: number[][], lr: number) => {
  const w = variableOf(w0)
  for (const g of grads) {
    const gt = tf.tensor1d(g)
    optimizer.step([w], [gt], lr)
    gt.dispose()
  }
  const out = Array.from(w.dataSync())
  w.dispose()
  optimizer.dispose()
  return out
}

const vectors = (n: number) =>
  fc.array(fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }), {
    minLength: n,
    maxLength: n,
  })
const problem = fc
  .integer({ min: 1, max: 6 })
  .chain((n) => fc.record({ w0: vectors(n), grads: fc.array(vectors(n), { minLength: 1, maxLength: 6 }) }))

const close = (actual: number[], expected: number[], tolerance: number) => {
  for (const [i, a] of actual.entries())
    assert.ok(
      Math.abs(a - expected[i]!) <= tolerance * (1 + Math.abs(expected[i]!)),
      `[${i}] ${a} vs ${expected[i]}`,
    )
}

describe("Optimizer.sgd", () => {
  test("matches PyTorch's SGD (momentum, weight decay, nesterov) step by step", () => {
    fc.assert(
      fc.property(
        problem,
        fc.constantFrom(0, 0.5, 0.9),
        fc.constantFrom(0, 1e-4, 0.1),
        fc.boolean(),
        ({ w0, grads }, momentum, weightDecay, nesterov) => {
          const before = tf.memory().numTensors
          const got = runOptimizer(
            Optimizer.sgd({ lr: 0.1, momentum, weightDecay, nesterov }),
            w0,
            grads,
            0.1,
          )
          close(got, referenceSgd(w0, grads, 0.1, momentum, weightDecay, nesterov), 1e-5)
          assert.equal(tf.memory().numTensors, before)
        },
      ),
      { numRuns: 40 },
    )
  })

  test("rejects bad options with an InvalidArgument naming the field", () => {
    assert.throws(
      () => Optimizer.sgd({ lr: -1 }),
      (e: unknown) => e instanceof Errors.InvalidArgument && e.argument === "optimizer.lr",
    )
    assert.throws(
      () => Optimizer.sgd({ lr: 0.1, momentum: 1.5 }),
      (e: unknown) =>
        e instanceof Errors.InvalidArgument && e.argument === "optimizer.momentum" && /1/.test(e.message),
    )
  })
})

describe("Optimizer.adam", () => {
  test("matches Adam with bias correction step by step", () => {
    fc.assert(
      fc.property(problem, fc.constantFrom(0, 1e-2), ({ w0, grads }, weightDecay) => {
        const before = tf.memory().numTensors
        const got = runOptimizer(Optimizer.adam({ lr: 0.01, weightDecay }), w0, grads, 0.01)
        close(got, referenceAdam(w0, grads, 0.01, 0.9, 0.999, 1e-8, weightDecay), 1e-4)
        assert.equal(tf.memory().numTensors, before)
      }),
      { numRuns: 40 },
    )
  })
})

describe("Optimizer state", () => {
  test("export then import into a fresh optimiser continues bit for bit", () => {
    fc.assert(
      fc.property(problem, fc.integer({ min: 0, max: 5 }), fc.boolean(), ({ w0, grads }, cut, useAdam) => {
        const make = () =>
          useAdam
            ? Optimizer.adam({ lr: 0.01 })
            : Optimizer.sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 })
        const k = Math.min(cut, grads.length)
        const straight = runOptimizer(make(), w0, grads, 0.05)
        // Interrupted: k steps, export, a new optimiser (and variable) imports and does the rest.
        const first = make()
        const w = variableOf(w0)
        for (const g of grads.slice(0, k)) tf.tidy(() => first.step([w], [tf.tensor1d(g)], 0.05))
        const state = first.exportState()
        const weights = w.dataSync().slice()
        first.dispose()
        w.dispose()
        const second = make()
        const w2 = variableOf(weights)
        assert.equal(second.importState(state, [w2]), undefined)
        for (const g of grads.slice(k)) tf.tidy(() => second.step([w2], [tf.tensor1d(g)], 0.05))
        assert.deepEqual(Array.from(w2.dataSync()), straight)
        second.dispose()
        w2.dispose()
      }),
      { numRuns: 30 },
    )
  })

  test("importing state of the wrong kind or shape is refused, naming it", () => {
    const sgd = Optimizer.sgd({ lr: 0.1, momentum: 0.9 })
    const w = tf.variable(tf.zeros([3]))
    sgd.step([w], [tf.ones([3])], 0.1)
    const state = sgd.exportState()
    const adam = Optimizer.adam({ lr: 0.1 })
    assert.match(adam.importState(state, [w])?.message ?? "", /sgd/)
    const other = tf.variable(tf.zeros([4]))
    const error = Optimizer.sgd({ lr: 0.1, momentum: 0.9 }).importState(state, [other])
    assert.ok(error instanceof Errors.InvalidArgument)
    assert.match(error.message, /shape: must be the shape of its variable, \[4\].*got \[3\]$/)
    sgd.dispose()
    adam.dispose()
    w.dispose()
    other.dispose()
  })
})
