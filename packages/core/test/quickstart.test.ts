import assert from "node:assert/strict"
import { test } from "node:test"
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import { main } from "../examples/quickstart.ts"

test("the README quick start runs: mixing early, ERM after epoch 180, config round trip, no leak", async () => {
  const before = tf.memory().numTensors
  const summary = await Effect.runPromise(main)
  assert.equal(tf.memory().numTensors, before)
  assert.deepEqual(summary.lateLambda, new Array(8).fill(1))
  assert.equal(summary.restoredEqual, true)
  for (const row of summary.earlyTargets) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5)
  assert.ok(summary.earlyLambda.every((l) => l >= 0 && l <= 1))
})
