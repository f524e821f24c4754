import assert from "node:assert/strict"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "node:test"
import { gzipSync } from "node:zlib"
import { Corruption, Split, Synthetic } from "@vicinal/data"
import { Cause, Effect, Exit } from "effect"
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

test("a run config reads real IDX folders, CSV tables and the Gaussian toy sets", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vicinal-datasets-"))
  // IDX: 3 training and 2 test images of 2 x 2 pixels, in the real format (gzip, as downloaded).
  const idx = (dims: ReadonlyArray<number>, bytes: ReadonlyArray<number>) => {
    const header = new DataView(new ArrayBuffer(4 + 4 * dims.length))
    header.setUint32(0, dims.length === 1 ? 0x801 : 0x803)
    for (const [i, d] of dims.entries()) header.setUint32(4 + 4 * i, d)
    return gzipSync(Buffer.concat([new Uint8Array(header.buffer), Uint8Array.from(bytes)]))
  }
  writeFileSync(
    join(dir, "train-images-idx3-ubyte.gz"),
    idx(
      [3, 2, 2],
      Array.from({ length: 12 }, (_, i) => i * 20),
    ),
  )
  writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), idx([3], [1, 7, 3]))
  writeFileSync(join(dir, "t10k-images-idx3-ubyte.gz"), idx([2, 2, 2], [0, 0, 0, 0, 255, 255, 255, 255]))
  writeFileSync(join(dir, "t10k-labels-idx1-ubyte.gz"), idx([2], [0, 9]))
  const fashion = await Effect.runPromise(Datasets.load({ dataset: "fashionMnist", dir, trainSize: 2 }, 1))
  assert.deepEqual([...fashion.train.shape], [2, 2, 2, 1])
  assert.deepEqual([...fashion.train.labels], [1, 7])
  assert.deepEqual([...fashion.test.labels], [0, 9])
  assert.equal(fashion.test.x[4], 1)
  // CSV with 1-based text labels mapped to classes, an id column dropped, a fifth held out.
  const csv = join(dir, "table.csv")
  const rows = Array.from(
    { length: 20 },
    (_, i) => `${i},${i / 10},${(i * 7) % 5},${i % 2 === 0 ? "one" : "two"}`,
  )
  writeFileSync(csv, ["id,a,b,class", ...rows].join("\n"))
  const table = await Effect.runPromise(
    Datasets.load({ dataset: "csv", file: csv, label: "class", ignore: ["id"], labels: "category" }, 1),
  )
  assert.deepEqual([table.train.shape[0], table.test.shape[0], table.train.shape[1]], [16, 4, 2])
  assert.equal(table.train.numClasses, 2)
  // A missing file is the data loader's typed error, naming it.
  const missing = await Effect.runPromiseExit(
    Datasets.load({ dataset: "csv", file: join(dir, "none.csv") }, 1),
  )
  assert.ok(Exit.isFailure(missing))
  assert.match(String(Cause.squash(missing.cause)), /none\.csv/)
  for (const dataset of ["gaussianRing", "gaussianGrid"] as const) {
    const toy = await Effect.runPromise(Datasets.load({ dataset, n: 200 }, 1))
    assert.equal(toy.train.shape[0]! + toy.test.shape[0]!, 200)
    assert.equal(toy.train.numClasses, dataset === "gaussianRing" ? 8 : 25)
  }
  rmSync(dir, { recursive: true })
})
