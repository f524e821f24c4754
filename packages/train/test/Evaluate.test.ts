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
          for (let i = 0; i < n; i++) {
            const r = rank(row(i), labels[i]!)
            if (r >= 1) wrong++
            if (r >= 5) wrong5++
            if (rank(row(i), trueLabels[i]!) >= 1) wrongTrue++
            if (labels[i] !== trueLabels[i]) {
              corrupted++
              if (r >= 1) corruptedWrong++
            }
          }
          assert.equal(e.examples, n)
          assert.equal(e.top1Error, wrong / n)
          assert.equal(e.top5Error, wrong5 / n)
          assert.equal(e.top1ErrorTrue, wrongTrue / n)
          assert.equal(e.corrupted, corrupted)
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
