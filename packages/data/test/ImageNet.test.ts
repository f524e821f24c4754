import assert from "node:assert/strict"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, test } from "node:test"
import "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"
import { Effect, Stream } from "effect"
import * as fc from "fast-check"
import { Batches, ImageNet, ImageTransforms } from "../src/index.ts"
import { failure, run, withTempDir } from "./helpers.ts"
import { encodeBaseline, pattern, writeTinyImageNet } from "./imagenetFolder.ts"
import { encodeProgressive } from "./progressiveJpeg.ts"

const collect = (folder: ImageNet.ImageFolder, options: ImageNet.StreamOptions) =>
  run(Stream.runCollect(ImageNet.stream(folder, options)))

const maxDifference = (a: Uint8Array, b: Uint8Array) => {
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!))
  return max
}

describe("ImageNet.decodeJpeg", () => {
  test("baseline (jpeg-js's encoder) and progressive 4:2:0 files decode to the encoded pattern", async () => {
    const rgb = pattern(48, 32, 1, 2)
    for (const [kind, bytes, tolerance] of [
      ["baseline", encodeBaseline(48, 32, rgb), 6],
      ["progressive", encodeProgressive(48, 32, rgb), 10],
    ] as const) {
      const image = await run(ImageNet.decodeJpeg(bytes, `${kind}.JPEG`))
      assert.deepEqual([image.width, image.height, image.data.length], [48, 32, 48 * 32 * 3], kind)
      assert.ok(maxDifference(image.data, rgb) <= tolerance, `${kind}: ${maxDifference(image.data, rgb)}`)
    }
  })

  test("a corrupt or truncated file fails naming it", async () => {
    const good = encodeBaseline(32, 24, pattern(32, 24, 0, 0))
    for (const bytes of [Uint8Array.from([1, 2, 3, 4]), good.subarray(0, good.length / 2)]) {
      const error = await failure(ImageNet.decodeJpeg(bytes, "train/n1/broken.JPEG"))
      assert.equal(error._tag, "Inconsistent")
      assert.match(error.message, /train\/n1\/broken\.JPEG: not a decodable JPEG/)
    }
  })
})

describe("ImageNet folders", () => {
  test("training classes in sorted wnid order, one label per JPEG, other files ignored", () =>
    withTempDir(async (dir) => {
      const tiny = await writeTinyImageNet(dir)
      const train = await run(ImageNet.trainFolder(join(dir, "train")))
      assert.deepEqual(train.classes, tiny.classes)
      assert.equal(train.files.length, 3 * tiny.perClass)
      for (const [i, file] of train.files.entries()) {
        assert.match(file, /\.JPEG$/)
        assert.equal(tiny.classes[train.labels[i]!], file.split("/")[0])
      }
    }))

  test("validation labels from the CSV and from the devkit's ground truth agree with the images", () =>
    withTempDir(async (dir) => {
      const tiny = await writeTinyImageNet(dir)
      const classes = tiny.classes
      const expected = new Map(tiny.val.map((v) => [`${v.id}.JPEG`, classes.indexOf(v.wnid)]))
      const fromCsv = await run(
        ImageNet.valFolder(join(dir, "val"), { classes, labels: join(dir, "LOC_val_solution.csv") }),
      )
      const fromDevkit = await run(
        ImageNet.valFolder(join(dir, "val"), {
          classes,
          labels: join(dir, "ILSVRC2012_validation_ground_truth.txt"),
          devkitClasses: join(dir, "devkit_classes.txt"),
        }),
      )
      for (const folder of [fromCsv, fromDevkit]) {
        assert.equal(folder.files.length, tiny.val.length)
        for (const [i, file] of folder.files.entries())
          assert.equal(folder.labels[i], expected.get(file), file)
      }
      // Some image's devkit number differs from its sorted index: the order file was used.
      assert.ok(tiny.val.some((v) => tiny.devkitOrder.indexOf(v.wnid) !== classes.indexOf(v.wnid)))
      const splits = await run(ImageNet.load(dir))
      assert.deepEqual([...splits.val.labels], [...fromCsv.labels])
    }))

  test("validation class folders take the training classes' indices", () =>
    withTempDir(async (dir) => {
      await writeTinyImageNet(dir, { labelFiles: false })
      await mkdir(join(dir, "val2", "n03000134"), { recursive: true })
      const bytes = await readFile(join(dir, "train", "n03000134", "n03000134_0.JPEG"))
      await writeFile(join(dir, "val2", "n03000134", "a.JPEG"), bytes)
      const val = await run(
        ImageNet.valFolder(join(dir, "val2"), { classes: ["n01440764", "n02102040", "n03000134"] }),
      )
      assert.deepEqual([...val.labels], [2])
      assert.deepEqual(val.classes.length, 3)
    }))

  test("missing folder, no classes, label files that do not match: typed errors naming the file", () =>
    withTempDir(async (dir) => {
      const tiny = await writeTinyImageNet(dir)
      const classes = tiny.classes
      const missing = await failure(ImageNet.trainFolder(join(dir, "nowhere")))
      assert.equal(missing._tag, "FileNotFound")
      assert.match(missing.message, /nowhere/)
      const empty = await failure(ImageNet.trainFolder(join(dir, "val")))
      assert.equal(empty._tag, "Inconsistent")
      assert.match(empty.message, /no class folders/)
      const csv = join(dir, "short.csv")
      await writeFile(csv, `ImageId,PredictionString\n${tiny.val[0]!.id},${tiny.val[0]!.wnid} 1 2 3 4\n`)
      const short = await failure(ImageNet.valFolder(join(dir, "val"), { classes, labels: csv }))
      assert.equal(short._tag, "Inconsistent")
      assert.match(
        short.message,
        /short\.csv: does not match the images: no label for .*ILSVRC2012_val_00000002/,
      )
      const unknownWnid = join(dir, "unknown.csv")
      await writeFile(unknownWnid, tiny.val.map((v) => `${v.id},n09999999 1 2 3 4`).join("\n"))
      assert.match(
        (await failure(ImageNet.valFolder(join(dir, "val"), { classes, labels: unknownWnid }))).message,
        /n09999999, not one of the training classes/,
      )
      const truth = join(dir, "truth.txt")
      await writeFile(truth, tiny.val.map(() => "4").join("\n"))
      const outOfRange = await failure(
        ImageNet.valFolder(join(dir, "val"), {
          classes,
          labels: truth,
          devkitClasses: join(dir, "devkit_classes.txt"),
        }),
      )
      assert.match(outOfRange.message, /truth\.txt: line 1: "4" is not a class number in 1\.\.3/)
      const noOrder = await failure(ImageNet.valFolder(join(dir, "val"), { classes, labels: truth }))
      assert.equal(noOrder._tag, "InvalidArgument")
      assert.match(noOrder.message, /devkitClasses/)
    }))
})

describe("ImageNet.stream", () => {
  test("evaluation batches: shapes, labels, normalised range, the centre of the pattern", () =>
    withTempDir(async (dir) => {
      await writeTinyImageNet(dir)
      const { val } = await run(ImageNet.load(dir))
      const batches = await collect(val, { batchSize: 4, transform: "eval", size: 16 })
      assert.deepEqual(
        batches.map((b) => b.shape),
        [
          [4, 16, 16, 3],
          [2, 16, 16, 3],
        ],
      )
      assert.deepEqual(
        batches.flatMap((b) => [...b.labels]),
        [...val.labels],
      )
      const low = Math.min(
        ...ImageTransforms.IMAGENET_MEAN.map((m, c) => -m / ImageTransforms.IMAGENET_STD[c]!),
      )
      const high = Math.max(
        ...ImageTransforms.IMAGENET_MEAN.map((m, c) => (1 - m) / ImageTransforms.IMAGENET_STD[c]!),
      )
      for (const b of batches) for (const v of b.x) assert.ok(v >= low - 1e-5 && v <= high + 1e-5, `${v}`)
      // Red rises left to right across the crop; blue is the image's constant.
      const first = batches[0]!.x
      const red = (x: number) => first[(8 * 16 + x) * 3]!
      assert.ok(red(15) > red(0) + 1, `${red(0)} -> ${red(15)}`)
      const blue = first[2]! * ImageTransforms.IMAGENET_STD[2] + ImageTransforms.IMAGENET_MEAN[2]
      const expectedBlue = (40 + 80 * val.labels[0]! + 5 * 0) / 255
      assert.ok(Math.abs(blue - expectedBlue) < 8 / 255, `${blue} vs ${expectedBlue}`)
    }))

  test("training batches: 224 by default, the same seed gives the same batches, each image once per epoch", () =>
    withTempDir(async (dir) => {
      await writeTinyImageNet(dir)
      const { train } = await run(ImageNet.load(dir))
      const full = await collect(train, { batchSize: 8, transform: "train", seed: 3, dropLast: true })
      assert.deepEqual(
        full.map((b) => b.shape),
        [[8, 224, 224, 3]],
      )
      const options = { batchSize: 5, transform: "train", size: 12, seed: 7, epoch: 1 } as const
      const a = await collect(train, options)
      const b = await collect(train, { ...options, prefetch: 0 })
      assert.deepEqual(
        a.map((x) => [...x.indices]),
        b.map((x) => [...x.indices]),
      )
      assert.deepEqual(
        a.map((x) => [...x.x]),
        b.map((x) => [...x.x]),
      )
      const other = await collect(train, { ...options, seed: 8 })
      assert.notDeepEqual(
        a.map((x) => [...x.indices]),
        other.map((x) => [...x.indices]),
      )
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 1000 }),
          fc.integer({ min: 1, max: 12 }),
          async (seed, batchSize) => {
            const seen = (await collect(train, { batchSize, transform: "train", size: 4, seed })).flatMap(
              (x) => [...x.indices],
            )
            assert.deepEqual(
              [...seen].sort((p, q) => p - q),
              train.files.map((_, i) => i),
            )
          },
        ),
        { numRuns: 5 },
      )
    }))

  test("prefetch is bounded: decoded but unconsumed images never exceed (prefetch + 2) batches", () =>
    withTempDir(async (dir) => {
      await writeTinyImageNet(dir, { perClass: 8 })
      const { train } = await run(
        ImageNet.trainFolder(join(dir, "train")).pipe(Effect.map((t) => ({ train: t }))),
      )
      const batchSize = 2
      const prefetch = 1
      let decoded = 0
      let consumed = 0
      let most = 0
      await run(
        ImageNet.stream(train, {
          batchSize,
          transform: "train",
          size: 8,
          seed: 1,
          prefetch,
          onDecoded: () => {
            decoded++
            most = Math.max(most, decoded - consumed)
          },
        }).pipe(
          Stream.runForEach((batch) =>
            Effect.promise(async () => {
              // A slow consumer: the producer has every chance to run ahead.
              await new Promise((resolve) => setTimeout(resolve, 20))
              consumed += batch.labels.length
            }),
          ),
        ),
      )
      assert.equal(decoded, train.files.length)
      assert.ok(most <= (prefetch + 2) * batchSize, `${most} images decoded ahead`)
      assert.ok(most < train.files.length / 2, `${most}`)
    }))

  test("a corrupt image fails the stream naming the file", () =>
    withTempDir(async (dir) => {
      await writeTinyImageNet(dir)
      const bad = join(dir, "train", "n02102040", "n02102040_9.JPEG")
      await writeFile(bad, Uint8Array.from([0xff, 0xd8, 0xff, 0xdb, 0, 3, 9]))
      const train = await run(ImageNet.trainFolder(join(dir, "train")))
      const error = await failure(
        Stream.runDrain(ImageNet.stream(train, { batchSize: 4, transform: "eval", size: 8 })),
      )
      assert.equal(error._tag, "Inconsistent")
      assert.match(error.message, /n02102040_9\.JPEG: not a decodable JPEG/)
      const noSeed = await failure(
        Stream.runDrain(ImageNet.stream(train, { batchSize: 4, transform: "train" })),
      )
      assert.equal(noSeed._tag, "InvalidArgument")
    }))

  test("batches upload through Batches.toBatch and leave no tensors behind", () =>
    withTempDir(async (dir) => {
      await writeTinyImageNet(dir)
      const { train } = await run(ImageNet.load(dir))
      await tf.setBackend("cpu")
      const before = tf.memory().numTensors
      let rows = 0
      await run(
        ImageNet.stream(train, { batchSize: 4, transform: "train", size: 8, seed: 2 }).pipe(
          Stream.runForEach((host) =>
            Effect.sync(() => {
              const { x, y } = Batches.toBatch(host)
              assert.deepEqual(y.shape, [host.labels.length, 3])
              rows += x.shape[0]!
              x.dispose()
              y.dispose()
            }),
          ),
        ),
      )
      assert.equal(rows, train.files.length)
      assert.equal(tf.memory().numTensors, before)
    }))
})
