import assert from "node:assert/strict"
import { test } from "node:test"
import { quickstart } from "../examples/quickstart.ts"
import { noLeak, tf } from "./setup.ts"

test("examples/quickstart.ts: the kernels are registered and agree with the stock one", async () => {
  const before = tf.memory().numTensors
  const { registered, maxDiff } = await quickstart()
  assert.equal(tf.memory().numTensors, before)
  assert.ok(registered)
  assert.ok(maxDiff < 1e-4, `max difference ${maxDiff}`)
  noLeak(() => undefined)
})
