import assert from "node:assert/strict"
import { test } from "node:test"
import "@tensorflow/tfjs-backend-wasm"
import * as tf from "@tensorflow/tfjs-core"
import { Execute, Host, Random, Strategy } from "@vicinal/core"

test("on the wasm backend (the project default) a plan gives the host path's result", async () => {
  await tf.setBackend("wasm")
  await tf.ready()
  const n = 6
  const shape = [n, 4, 5, 3]
  const rng = Random.make(7)
  const x = Float32Array.from({ length: n * 60 }, () => rng.uniform())
  const y = new Float32Array(n * 3)
  for (let i = 0; i < n; i++) y[i * 3 + (i % 3)] = 1
  const strategy = Strategy.chain(
    Strategy.oneOf([
      Strategy.mixup({ alpha: 0.4, granularity: "element" }),
      Strategy.cutmix({ alpha: 1 }),
      Strategy.resizeMix({ granularity: "element" }),
    ]),
    Strategy.labelSmoothing({ epsilon: 0.1 }),
    Strategy.gaussianNoise({ sigma: 0.05 }),
  )
  for (let r = 0; r < 9; r++) {
    const plan = Strategy.plan(strategy, { n, shape }, { epoch: 0, step: r }, rng)
    const before = tf.memory().numTensors
    const batch = { x: tf.tensor(x, shape), y: tf.tensor2d(y, [n, 3]) }
    const m = Strategy.execute(plan, batch)
    const onDevice = { x: m.x.dataSync(), y: m.y.dataSync() }
    Execute.dispose(m)
    batch.x.dispose()
    batch.y.dispose()
    assert.equal(tf.memory().numTensors, before)
    const onHost = Host.execute(plan, { x, shape, y })
    onHost.x.forEach((v, t) => {
      assert.ok(Math.abs(v - onDevice.x[t]!) <= 1e-6, `x[${t}]`)
    })
    onHost.y.forEach((v, t) => {
      assert.ok(Math.abs(v - onDevice.y[t]!) <= 1e-6, `y[${t}]`)
    })
  }
})
