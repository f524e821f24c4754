import assert from "node:assert/strict"
import { test } from "node:test"
import "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"
import type { Classifier } from "@vicinal/models"
import * as fc from "fast-check"
import { Evaluate } from "../src/index.ts"

// A classifier whose logits are its inputs, so that every prediction is known in advance.
const identity = {
  forward: (x: tf.Tensor) => tf.clone(x),
} as unknown as Classifier

const CLASSES = 7

/** Rank of `label` among a row's scores (0 = top); a tie with a lower class index ranks that class first. */
const rank = (row: Float32Array, label: number) =>
  row.filter((v, k) => v > row[label]! || (v === row[label]! && k < label)).length

test("evaluate counts top-1, top-5, true-label and corrupted-example errors exactly, in any chunk size", async () => {
  // cpu for this file alone; the backend the other files chose is restored at the end.
  const previous = tf.engine().backendName
  await tf.setBackend("cpu")
  try {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((n) =>
          fc.record({
            x: fc.float32Array({
              minLength: n * CLASSES,
              maxLength: n * CLASSES,
              noNaN: true,
              noDefaultInfinity: true,
            }),
            labels: fc.array(fc.integer({ min: 0, max: CLASSES - 1 }), { minLength: n, maxLength: n }),
            flips: fc.array(fc.integer({ min: 0, max: CLASSES - 1 }), { minLength: n, maxLength: n }),
            batchSize: fc.integer({ min: 1, max: 50 }),
          }),
        ),
        ({ x, labels, flips, batchSize }) => {
          const n = labels.length
          // About half the labels "corrupted" to another class.
          const trueLabels = Int32Array.from(labels, (l, i) =>
            flips[i]! % 2 === 0 ? l : (l + 1 + flips[i]!) % CLASSES,
          )
          const before = tf.memory().numTensors
          const e = Evaluate.evaluate(
            identity,
            { x, shape: [n, CLASSES], labels: Int32Array.from(labels), trueLabels },
            { batchSize },
          )
          assert.equal(tf.memory().numTensors, before)
          const row = (i: number) => x.subarray(i * CLASSES, (i + 1) * CLASSES)
          let wrong = 0
          let wrong5 = 0
          let wrongTrue = 0
          let corrupted = 0
          let corruptedWrong = 0
          let realWrong = 0
          for (let i = 0; i < n; i++) {
            const r = rank(row(i), labels[i]!)
            if (r >= 1) wrong++
            if (r >= 5) wrong5++
            if (rank(row(i), trueLabels[i]!) >= 1) wrongTrue++
            if (labels[i] !== trueLabels[i]) {
              corrupted++
              if (r >= 1) corruptedWrong++
            } else if (r >= 1) realWrong++
          }
          assert.equal(e.examples, n)
          assert.equal(e.top1Error, wrong / n)
          assert.equal(e.top5Error, wrong5 / n)
          assert.equal(e.top1ErrorTrue, wrongTrue / n)
          assert.equal(e.corrupted, corrupted)
          if (corrupted === n) assert.ok(Number.isNaN(e.realError))
          else assert.equal(e.realError, realWrong / (n - corrupted))
          if (corrupted === 0) assert.ok(Number.isNaN(e.corruptedError))
          else assert.equal(e.corruptedError, corruptedWrong / corrupted)
        },
      ),
      { numRuns: 60 },
    )
  } finally {
    if (previous !== null && previous !== undefined) await tf.setBackend(previous)
  }
})

test("Table 2's training-error columns on a hand-made set: real = uncorrupted examples, corrupted = against the corrupted labels", async () => {
  const previous = tf.engine().backendName
  await tf.setBackend("cpu")
  try {
    // 3 classes, 8 examples; the "network" predicts the class of each row's largest logit.
    const predicted = [0, 1, 2, 0, 1, 2, 0, 0]
    // Examples 0-4 kept their true label; 5-7 were corrupted (trained with another label).
    const trueLabels = Int32Array.from([0, 1, 0, 1, 1, 2, 0, 1])
    const labels = Int32Array.from([0, 1, 0, 1, 1, 0, 1, 0])
    const x = Float32Array.from(predicted.flatMap((p) => [0, 1, 2].map((k) => (k === p ? 1 : 0))))
    const before = tf.memory().numTensors
    const e = Evaluate.evaluate(identity, { x, shape: [8, 3], labels, trueLabels }, { batchSize: 3 })
    assert.equal(tf.memory().numTensors, before)
    // Uncorrupted examples 0-4: predictions 0,1,2,0,1 vs labels 0,1,0,1,1 -> wrong at 2 and 3: 2 of 5.
    assert.equal(e.corrupted, 3)
    assert.equal(e.realError, 2 / 5)
    // Corrupted examples 5-7: predictions 2,0,0 vs corrupted labels 0,1,0 -> 5 and 6 wrong (the
    // network predicts their true label: not memorised), 7 memorised: 2 of 3.
    assert.equal(e.corruptedError, 2 / 3)
    // All 8 against the labels trained on: 2 + 2 wrong; against the true labels: 2 (real) + 1 (example 7).
    assert.equal(e.top1Error, 4 / 8)
    assert.equal(e.top1ErrorTrue, 3 / 8)
  } finally {
    if (previous !== null && previous !== undefined) await tf.setBackend(previous)
  }
})
