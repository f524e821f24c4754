import assert from "node:assert/strict"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, test } from "node:test"
import "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"
import type { Backend } from "@vicinal/train"
import { writeTinyImageNet } from "../../../packages/data/test/imagenetFolder.ts"
import * as ImageNet from "../src/ImageNet.ts"
import { run, tempDir } from "./helpers.ts"

const report = (name: Backend.BackendName): Backend.BackendReport => ({
  name,
  tfjsBackend: name === "wasm" || name === "cpu" ? name : "tensorflow",
  simd: false,
  threads: 1,
  attempts: [{ name, ok: true, reason: "initialised" }],
  notTried: [],
})

describe("Table 1's protocol", () => {
  test("learning rate 0.1 x batch / 256, the paper's step schedules, α per network", () => {
    assert.deepEqual(ImageNet.protocol(90, 256), {
      lr: 0.1,
      momentum: 0.9,
      weightDecay: 1e-4,
      milestones: [30, 60, 80],
    })
    assert.deepEqual(ImageNet.protocol(200, 512).milestones, [60, 120, 180])
    assert.equal(ImageNet.protocol(200, 512).lr, 0.2)
    assert.deepEqual(ImageNet.protocol(9, 64).milestones, [3, 6, 8])
    assert.deepEqual(
      ImageNet.plans(["resNet50", "resNeXt101_64x4d"], undefined).map((p) => [p.network, p.method, p.alpha]),
      [
        ["resNet50", "ERM", 0],
        ["resNet50", "mixup", 0.2],
        ["resNeXt101_64x4d", "ERM", 0],
        ["resNeXt101_64x4d", "mixup", 0.4],
      ],
    )
  })

  test("SGD with momentum and weight decay updates as PyTorch's: buf = m buf + g + wd w; w -= lr buf", async () => {
    await tf.setBackend("cpu")
    const before = tf.memory().numTensors
    const w = tf.tidy(() => tf.variable(tf.tensor1d([1, -2]), true, "imagenet_test_w"))
    const optimizer = new ImageNet.DecayedMomentum(0.5, 0.9, 0.1)
    const grad = () => ({ imagenet_test_w: tf.tensor1d([1, 1]) })
    tf.tidy(() => optimizer.applyGradients(grad()))
    // buf = g + 0.1 w = [1.1, 0.8]; w = [1, -2] - 0.5 buf
    const first = [1 - 0.5 * 1.1, -2 - 0.5 * 0.8]
    assert.deepEqual(
      [...w.dataSync()].map((v) => v.toFixed(5)),
      first.map((v) => v.toFixed(5)),
    )
    tf.tidy(() => optimizer.applyGradients(grad()))
    const buffer = [0.9 * 1.1 + 1 + 0.1 * first[0]!, 0.9 * 0.8 + 1 + 0.1 * first[1]!]
    assert.deepEqual(
      [...w.dataSync()].map((v) => v.toFixed(5)),
      first.map((v, i) => (v - 0.5 * buffer[i]!).toFixed(5)),
    )
    optimizer.dispose()
    w.dispose()
    assert.equal(tf.memory().numTensors, before)
  })

  test("a full run refuses wasm and cpu, naming the backend and how to install a native one", () => {
    for (const name of ["wasm", "cpu"] as const) {
      const message = ImageNet.refusal(report(name)) ?? ""
      assert.match(message, new RegExp(`refusing to start a full ImageNet run on the ${name} backend`))
      assert.match(message, /npm install @tensorflow\/tfjs-node-gpu/)
      assert.match(message, /--smoke/)
    }
    assert.equal(ImageNet.refusal(report("tfjs-node-gpu")), undefined)
    assert.equal(ImageNet.refusal(report("tfjs-node")), undefined)
  })
})

describe("vicinal reproduce imagenet", () => {
  test("without --smoke on wasm: refuses before reading the folder, says which backend and what to install", async () => {
    const dir = tempDir("imagenet-data")
    await writeTinyImageNet(dir)
    const out = join(tempDir("imagenet-out"), "results")
    const result = await run(["reproduce", "imagenet", "--dir", dir, "--backend", "wasm", "--out", out])
    assert.equal(result.code, 1, result.stdout)
    assert.match(result.stderr, /refusing to start a full ImageNet run on the wasm backend/)
    assert.match(result.stderr, /chose wasm/)
    assert.match(result.stderr, /npm install @tensorflow\/tfjs-node-gpu/)
    assert.equal(existsSync(out), false)
  })

  test("--smoke on a tiny folder of real JPEG files: trains, evaluates and writes Table 1 with top-1 and top-5", async () => {
    const dir = tempDir("imagenet-data")
    await writeTinyImageNet(dir)
    const out = join(tempDir("imagenet-out"), "results")
    const result = await run([
      "reproduce",
      "imagenet",
      "--dir",
      dir,
      "--smoke",
      "--models",
      "resNet50,resNeXt101_32x4d",
      "--epochs",
      "2",
      "--out",
      out,
    ])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /12 training images in 3 classes, 6 validation images/)
    assert.match(result.stderr, /epoch 2\/2/)
    const tables = readFileSync(join(out, "tables.md"), "utf8")
    assert.match(
      tables,
      /\| Model +\| Method +\| Epochs \| Top-1 error % \| Top-5 error % \| Paper top-1 % \| Paper top-5 % \|/,
    )
    assert.match(tables, /in place of ResNeXt-101 32x4d\) \| mixup α = 0.4/)
    assert.match(tables, /Smoke run: a small CNN/)
    assert.match(result.stdout, /Table 1/)
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
      readonly rows: ReadonlyArray<{
        readonly top1Error: number
        readonly top5Error: number
        readonly method: string
      }>
    }
    assert.deepEqual(
      summary.rows.map((r) => r.method),
      ["ERM", "mixup α = 0.2", "ERM", "mixup α = 0.4"],
    )
    for (const r of summary.rows) {
      // 6 validation images: errors are sixths.
      assert.ok(Number.isInteger(Math.round(r.top1Error * 6 * 1e6) / 1e6), `${r.top1Error}`)
      assert.ok(r.top1Error >= 0 && r.top1Error <= 1)
      assert.equal(r.top5Error, 0)
    }
    for (const name of ["resNet50-ERM", "resNeXt101_32x4d-mixup"])
      assert.ok(existsSync(join(out, "models", name, "model.json")), name)
  })
})
