import assert from "node:assert/strict"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { test } from "node:test"
import { Effect, Option } from "effect"
import * as Train from "../src/Train.ts"
import { tempDir } from "./helpers.ts"

const none = {
  epochs: Option.none(),
  seed: Option.none(),
  seeds: 1,
  backend: Option.none(),
  out: Option.none(),
  resume: false,
  limit: Option.none(),
  testLimit: Option.none(),
  batchSize: Option.none(),
  lr: Option.none(),
  config: Option.none(),
  strategy: Option.none(),
  alpha: 1,
  smoothing: 0.1,
  sigma: 0.1,
  model: Option.none(),
  hidden: Option.none(),
  labelNoise: Option.none(),
  dataset: Option.none(),
} satisfies Train.TrainFlags

test("train: a config file keeps its values unless a flag is given; given flags override them", async () => {
  const file = join(tempDir("config"), "run.json")
  const fromFile = {
    ...Train.defaultConfig(),
    seed: 7,
    batchSize: 32,
    backend: "cpu",
    optimizer: { _tag: "sgd", lr: 0.3, momentum: 0.5, weightDecay: 0 },
  }
  writeFileSync(file, JSON.stringify(fromFile))
  const kept = await Effect.runPromise(Train.configJson({ ...none, config: Option.some(file) }))
  assert.equal(kept.seed, 7)
  assert.equal(kept.batchSize, 32)
  assert.equal(kept.backend, "cpu")
  assert.deepEqual(kept.optimizer, fromFile.optimizer)
  const overridden = await Effect.runPromise(
    Train.configJson({
      ...none,
      config: Option.some(file),
      seed: Option.some(3),
      batchSize: Option.some(64),
      backend: Option.some("wasm"),
      lr: Option.some(0.01),
    }),
  )
  assert.equal(overridden.seed, 3)
  assert.equal(overridden.batchSize, 64)
  assert.equal(overridden.backend, "wasm")
  // Only the learning rate changes; the rest of the optimiser stays the file's.
  assert.deepEqual(overridden.optimizer, { ...fromFile.optimizer, lr: 0.01 })
  // Without a file: the documented defaults.
  const plain = await Effect.runPromise(Train.configJson(none))
  assert.deepEqual([plain.seed, plain.batchSize, plain.backend], [0, 128, "wasm"])
})
