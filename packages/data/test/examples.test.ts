import assert from "node:assert/strict"
import { test } from "node:test"
import * as tf from "@tensorflow/tfjs-core"
import { main as imagenet } from "../examples/imagenet.ts"
import { main } from "../examples/quickstart.ts"
import { run, withTempDir } from "./helpers.ts"
import { writeTinyImageNet } from "./imagenetFolder.ts"

test("the README's quick start runs and reports what it claims", async () => {
  const before = tf.memory().numTensors
  const result = await run(main)
  assert.equal(result.train, 8000)
  assert.equal(result.test, 2000)
  // 20% chosen, 9 in 10 of those land on another class: about 1,440 wrong labels.
  assert.ok(Math.abs(result.corrupted - 1440) < 4 * Math.sqrt(8000 * 0.18 * 0.82), `${result.corrupted}`)
  assert.equal(result.batches, Math.ceil(8000 / 128))
  assert.equal(result.last, 8000 % 128)
  assert.deepEqual(result.shapes, { x: [2000, 28, 28, 1], y: [2000, 10] })
  assert.equal(tf.memory().numTensors, before)
})

test("the README's ImageNet example streams a folder of real JPEG files", () =>
  withTempDir(async (dir) => {
    const tiny = await writeTinyImageNet(dir)
    const before = tf.memory().numTensors
    const result = await run(imagenet(dir, 16))
    assert.deepEqual(result, {
      classes: 3,
      train: 3 * tiny.perClass,
      val: tiny.val.length,
      firstBatch: [3 * tiny.perClass, 16, 16, 3],
      valRows: tiny.val.length,
    })
    assert.equal(tf.memory().numTensors, before)
  }))
