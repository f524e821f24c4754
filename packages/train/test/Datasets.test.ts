import assert from "node:assert/strict"
import { test } from "node:test"
import { Corruption, Split, Synthetic } from "@vicinal/data"
import { Effect } from "effect"
import { Datasets } from "../src/index.ts"

test("points, split and label corruption draw from independent streams of the data seed", async () => {
  const seeds = Datasets.dataSeeds(17)
  assert.equal(new Set([seeds.points, seeds.split, seeds.corruption]).size, 3)
  const loaded = await Effect.runPromise(
    Datasets.load({ dataset: "spirals", n: 120, testSize: 30, noise: 0.05, labelNoise: 0.4 }, 17),
  )
  // The same data built by hand from the three streams.
  const expected = await Effect.runPromise(
    Synthetic.spirals({ n: 120, seed: seeds.points, noise: 0.05 }).pipe(
      Effect.flatMap((all) => Split.stratified(all, { seed: seeds.split, testSize: 30 })),
      Effect.flatMap((split) => Corruption.corruptTrain(split, { fraction: 0.4, seed: seeds.corruption })),
    ),
  )
  assert.deepEqual(loaded.train.x, expected.train.x)
  assert.deepEqual(loaded.train.labels, expected.train.labels)
  assert.deepEqual(loaded.train.trueLabels, expected.train.trueLabels)
  assert.deepEqual(loaded.test.x, expected.test.x)
})
