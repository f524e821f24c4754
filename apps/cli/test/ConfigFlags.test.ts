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
  alpha: Option.none(),
  smoothing: Option.none(),
  sigma: Option.none(),
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

test("train: a strategy parameter flag overrides or is refused, never dropped; runs are named by strategy", async () => {
  const file = join(tempDir("config-alpha"), "run.json")
  writeFileSync(file, JSON.stringify(Train.defaultConfig()))
  // Without a config file, --alpha applies to the default strategy, mixup.
  const plain = await Effect.runPromise(Train.configJson({ ...none, alpha: Option.some(4) }))
  assert.equal(plain.name, "mixup, α = 4")
  assert.deepEqual((plain.strategy as { lambda: unknown }).lambda, { _tag: "Beta", a: 4, b: 4 })
  // With a config file, --alpha alone would be lost: refused, naming the fix.
  const refused = await Effect.runPromise(
    Effect.flip(Train.configJson({ ...none, config: Option.some(file), alpha: Option.some(4) })),
  )
  assert.equal(refused._tag === "UsageError" && refused.argument, "--alpha")
  assert.match(refused.message, /--alpha 4: .*add --strategy/)
  // With --strategy, it overrides the file's strategy.
  const overridden = await Effect.runPromise(
    Train.configJson({
      ...none,
      config: Option.some(file),
      strategy: Option.some("cutmix"),
      alpha: Option.some(4),
    }),
  )
  assert.equal(overridden.name, "cutmix, α = 4")
  assert.equal((overridden.strategy as { _tag: string })._tag, "CutMix")
  // A parameter the strategy has no use for is refused too.
  const unused = await Effect.runPromise(
    Effect.flip(Train.configJson({ ...none, strategy: Option.some("erm"), sigma: Option.some(0.3) })),
  )
  assert.equal(unused._tag === "UsageError" && unused.argument, "--sigma")
  assert.match(unused.message, /strategy erm has no sigma/)
  assert.equal(
    (await Effect.runPromise(Train.configJson({ ...none, strategy: Option.some("erm") }))).name,
    "erm",
  )
})
