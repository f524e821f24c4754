import assert from "node:assert/strict"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, test } from "node:test"
import { Effect, Exit } from "effect"
import { type Classifier, FileIO, Models } from "../src/index.ts"
import { input, maxAbsDiff, noLeakAsync, tf } from "./setup.ts"

const root = await mkdtemp(join(tmpdir(), "vicinal-models-"))
after(() => rm(root, { recursive: true, force: true }))
let folders = 0
const folder = () => join(root, `m${folders++}`)

const failureTag = <A, E>(exit: Exit.Exit<A, E>): string | undefined =>
  Exit.isFailure(exit)
    ? (exit.cause.reasons[0] as { error?: { _tag?: string } } | undefined)?.error?._tag
    : undefined

const roundTrip = async (net: Classifier, shape: ReadonlyArray<number>) => {
  const dir = folder()
  await Effect.runPromise(Models.save(net, dir))
  const loaded = await Effect.runPromise(Models.load(dir))
  const x = input(shape, 42)
  const [a, b] = [net.forward(x), loaded.forward(x)]
  const diff = maxAbsDiff(a, b)
  assert.deepEqual(loaded.stageNames, net.stageNames)
  assert.deepEqual(loaded.config, net.config)
  tf.dispose([x, a, b])
  loaded.dispose()
  return { dir, diff }
}

describe("save and load (model.json + weights.bin through a tfjs IOHandler on node:fs)", () => {
  test("MLP, small CNN and PreAct ResNet round-trip to identical predictions (BN statistics included)", () =>
    noLeakAsync(async () => {
      const cases: ReadonlyArray<[Classifier, ReadonlyArray<number>]> = [
        [Models.mlp({ inputShape: [6], numClasses: 3, hidden: [5, 4], dropout: 0.5, seed: 1 }), [4, 6]],
        [
          Models.smallCnn({ inputShape: [10, 10, 1], numClasses: 4, filters: [3, 5], dense: 7, seed: 2 }),
          [3, 10, 10, 1],
        ],
        [Models.preActResNet18({ inputShape: [8, 8, 3], numClasses: 3, width: 4, seed: 3 }), [2, 8, 8, 3]],
      ]
      for (const [net, shape] of cases) {
        // move the batch-norm moving statistics away from their initial values first
        const x = input(shape, 7)
        tf.dispose(net.forward(x, { training: true, seed: 5 }))
        x.dispose()
        const { dir, diff } = await roundTrip(net, shape)
        assert.equal(diff, 0, net.name)
        const json = JSON.parse(await readFile(join(dir, FileIO.MODEL_JSON), "utf8"))
        assert.equal(json.weightsManifest[0].paths[0], FileIO.WEIGHTS_BIN)
        net.dispose()
      }
    }))

  test("small WideResNet (WRN-10-1, block and head dropout) and DenseNet-BC (depth 10, k = 2) round-trip to identical predictions, no leak", () =>
    noLeakAsync(async () => {
      const cases: ReadonlyArray<[Classifier, ReadonlyArray<number>]> = [
        [
          Models.wideResNet({
            inputShape: [8, 8, 3],
            numClasses: 3,
            depth: 10,
            widenFactor: 1,
            dropout: 0.3,
            headDropout: 0.2,
            seed: 4,
          }),
          [2, 8, 8, 3],
        ],
        [
          Models.denseNetBC({ inputShape: [8, 8, 3], numClasses: 4, depth: 10, growthRate: 2, seed: 5 }),
          [3, 8, 8, 3],
        ],
      ]
      for (const [net, shape] of cases) {
        // Weights that its config's seed would not give (another seed's), so only the stored
        // weights can reproduce its predictions; then batch-norm statistics moved by a pass.
        const donor = Models.build({ ...net.config!, seed: 99 })
        Effect.runSync(Models.weightsFromBytes(net, Models.weightsToBytes(donor)))
        donor.dispose()
        const x = input(shape, 8)
        tf.dispose(net.forward(x, { training: true, seed: 6 }))
        const fresh = Models.build(net.config!)
        const [mine, theirs] = [net.forward(x), fresh.forward(x)]
        assert.ok(maxAbsDiff(mine, theirs) > 1e-3, `${net.name}: the weights differ from a fresh build`)
        tf.dispose([x, mine, theirs])
        fresh.dispose()
        const { diff } = await roundTrip(net, shape)
        assert.equal(diff, 0, net.name)
        net.dispose()
      }
    }))

  test("tfjs' own loadLayersModel reads the same folder (the handler is a plain tfjs IOHandler)", () =>
    noLeakAsync(async () => {
      const net = Models.mlp({ inputShape: [3], numClasses: 2, hidden: [4], seed: 9 })
      const dir = folder()
      await Effect.runPromise(Models.save(net, dir))
      const model = await Effect.runPromise(Models.loadLayersModel(dir))
      const x = input([5, 3], 1)
      const [a, b] = [net.model.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor]
      assert.equal(maxAbsDiff(a, b), 0)
      tf.dispose([x, a, b])
      model.dispose()
      net.dispose()
    }))

  test("failures are typed: missing folder, foreign model.json, tampered weights, escaping manifest path", () =>
    noLeakAsync(async () => {
      assert.equal(
        failureTag(await Effect.runPromiseExit(Models.load(join(root, "nothing-here")))),
        "ModelIOError",
      )

      const net = Models.mlp({ inputShape: [3], numClasses: 2, hidden: [4], seed: 9 })
      const dir = folder()
      await Effect.runPromise(Models.save(net, dir))
      const path = join(dir, FileIO.MODEL_JSON)
      const original = JSON.parse(await readFile(path, "utf8"))

      await writeFile(path, JSON.stringify({ ...original, userDefinedMetadata: undefined }))
      assert.equal(failureTag(await Effect.runPromiseExit(Models.load(dir))), "ModelIOError")

      const wider = {
        ...original,
        userDefinedMetadata: { vicinal: { config: { ...net.config, hidden: [5] } } },
      }
      await writeFile(path, JSON.stringify(wider))
      assert.equal(failureTag(await Effect.runPromiseExit(Models.load(dir))), "WeightsMismatchError")

      const notAConfig = {
        ...original,
        userDefinedMetadata: { vicinal: { config: { kind: "transformer" } } },
      }
      await writeFile(path, JSON.stringify(notAConfig))
      assert.equal(failureTag(await Effect.runPromiseExit(Models.load(dir))), "InvalidArgument")

      const escaping = structuredClone(original)
      escaping.weightsManifest[0].paths = ["../../etc/passwd"]
      await writeFile(path, JSON.stringify(escaping))
      assert.equal(failureTag(await Effect.runPromiseExit(Models.load(dir))), "ModelIOError")
      net.dispose()
    }))
})
