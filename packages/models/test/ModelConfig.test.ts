import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Effect, Exit } from "effect"
import * as fc from "fast-check"
import { type Errors, ModelConfig, Models } from "../src/index.ts"
import { noLeak, tf } from "./setup.ts"

const weightsOf = (config: ModelConfig.ModelConfig): ReadonlyArray<ReadonlyArray<number>> => {
  const net = Models.build(config)
  const values = net.model.getWeights().map((w) => Array.from(w.dataSync()))
  net.dispose()
  return values
}

const smallConfigs = (seed: number): ReadonlyArray<ModelConfig.ModelConfig> => [
  { kind: "mlp", inputShape: [4], numClasses: 3, hidden: [5], seed },
  { kind: "smallCnn", inputShape: [6, 6, 1], numClasses: 2, filters: [2, 3], dense: 4, seed },
  {
    kind: "preActResNet",
    inputShape: [6, 6, 3],
    numClasses: 2,
    width: 2,
    blocks: [1],
    headDropout: 0.2,
    seed,
  },
  {
    kind: "wideResNet",
    inputShape: [6, 6, 3],
    numClasses: 2,
    depth: 10,
    widenFactor: 1,
    dropout: 0.1,
    headDropout: 0.2,
    seed,
  },
  { kind: "denseNetBC", inputShape: [6, 6, 3], numClasses: 2, depth: 10, growthRate: 2, seed },
]

describe("configs and seeds", () => {
  test("property: the same seed gives the same initial weights; another seed different ones", () =>
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 1000 }), (seed, delta) =>
        noLeak(() => {
          for (const [i, config] of smallConfigs(seed).entries()) {
            const again = weightsOf(config)
            assert.deepEqual(weightsOf(config), again, config.kind)
            assert.notDeepEqual(weightsOf(smallConfigs(seed + delta)[i]!), again, config.kind)
          }
        }),
      ),
      { numRuns: 3 },
    ))

  test("property: a classifier's config survives JSON and the Schema, and rebuilds the same network", () =>
    noLeak(() => {
      for (const config of smallConfigs(5)) {
        const net = Models.build(config)
        const decoded = Effect.runSync(ModelConfig.decode(JSON.parse(JSON.stringify(net.config))))
        assert.deepEqual(decoded, net.config)
        const rebuilt = Models.build(decoded)
        assert.equal(rebuilt.model.countParams(), net.model.countParams())
        assert.deepEqual(rebuilt.stageNames, net.stageNames)
        rebuilt.dispose()
        net.dispose()
      }
    }))

  test("decoding rejects what is not a config, as a typed error", () => {
    for (const bad of [
      { kind: "vgg" },
      { kind: "mlp", inputShape: "28", numClasses: 10, hidden: [] },
      null,
    ]) {
      const exit = Effect.runSyncExit(ModelConfig.decode(bad))
      assert.ok(Exit.isFailure(exit))
      assert.match(String(exit.cause), /InvalidArgument/)
    }
  })

  test("a decoding failure names the failing field's path, its value and what it must be", () => {
    const failure = (json: unknown) => {
      const exit = Effect.runSyncExit(ModelConfig.decode(json))
      assert.ok(Exit.isFailure(exit))
      const error = (exit.cause.reasons[0] as { error?: Errors.InvalidArgument }).error!
      assert.equal(error._tag, "InvalidArgument")
      return { argument: error.argument, value: error.value, message: error.message }
    }
    assert.deepEqual(failure({ kind: "mlp", inputShape: [2], numClasses: 3, hidden: [4, "x"] }), {
      argument: "hidden[1]",
      value: "x",
      message: 'config: hidden[1]: must be number, got "x"',
    })
    assert.deepEqual(
      failure({ kind: "denseNetBC", inputShape: [8, 8, 3], numClasses: 3, growthRate: "big" }),
      { argument: "growthRate", value: "big", message: 'config: growthRate: must be number, got "big"' },
    )
    assert.equal(
      failure({ kind: "smallCnn", inputShape: [8, 8, 1], numClasses: 2, filters: [1] }).argument,
      "filters[1]",
    )
    assert.equal(
      failure({ kind: "mlp", inputShape: [2], hidden: [] }).message,
      "config: numClasses: must be present, got undefined",
    )
    assert.equal(
      failure({ kind: "wideResNet", inputShape: [8, "8", 3], numClasses: 2 }).argument,
      "inputShape[1]",
    )
    const unknownKind = failure({ kind: "vgg", inputShape: [2] })
    assert.equal(unknownKind.argument, "kind")
    assert.match(
      unknownKind.message,
      /kind: must be one of "mlp", "smallCnn", "preActResNet", "wideResNet", "denseNetBC", "resNet", got "vgg"/,
    )
    assert.deepEqual(failure(null), {
      argument: "config",
      value: null,
      message: "config: config: must be an object with a kind, got null",
    })
  })

  test("property: a constructor and ModelConfig.decode refuse the same options with the same argument (one Schema per architecture)", () =>
    fc.assert(
      fc.property(
        fc.constantFrom<readonly [Record<string, unknown>, string]>(
          [{ kind: "mlp", inputShape: [4], numClasses: 3, hidden: [4, 0] }, "hidden[1]"],
          [{ kind: "mlp", inputShape: [4], numClasses: 2.5, hidden: [] }, "numClasses"],
          [{ kind: "smallCnn", inputShape: [1, 8, 1], numClasses: 2 }, "inputShape"],
          [{ kind: "preActResNet", inputShape: [8, 8, 3], numClasses: 2, blocks: [] }, "blocks"],
          [{ kind: "wideResNet", inputShape: [8, 8, 3], numClasses: 2, depth: 27 }, "depth"],
          [{ kind: "denseNetBC", inputShape: [8, 8, 3], numClasses: 2, reduction: 1.5 }, "reduction"],
          [{ kind: "resNet", inputShape: [32, 32, 3], numClasses: 2, depth: 34 }, "depth"],
          [{ kind: "resNet", inputShape: [32, 32, 3], numClasses: 2, headDropout: 1 }, "headDropout"],
          [{ kind: "mlp", inputShape: [4], numClasses: 2, hidden: [], seed: 0.5 }, "seed"],
        ),
        ([options, argument]) => {
          const built = (() => {
            try {
              Models.build(options as ModelConfig.ModelConfig).dispose()
              return undefined
            } catch (error) {
              return error as Errors.InvalidArgument
            }
          })()
          assert.equal(built?._tag, "InvalidArgument")
          assert.equal(built?.argument, argument)
          assert.equal(built?.source, options.kind)
          const exit = Effect.runSyncExit(ModelConfig.decode(options))
          assert.ok(Exit.isFailure(exit))
          const decoded = (exit.cause.reasons[0] as { error?: Errors.InvalidArgument }).error!
          assert.equal(decoded.argument, argument)
          assert.equal(decoded.expected, built?.expected)
        },
      ),
    ))

  test("acquire builds inside a scope and disposes when it closes; bad options fail in the error channel", () => {
    const before = tf.memory().numTensors
    const params = Effect.runSync(
      Effect.scoped(
        Effect.map(Models.acquire({ kind: "mlp", inputShape: [2], numClasses: 2, hidden: [3] }), (net) => {
          assert.ok(tf.memory().numTensors > before)
          return net.model.countParams()
        }),
      ),
    )
    assert.equal(params, 2 * 3 + 3 + 3 * 2 + 2)
    assert.equal(tf.memory().numTensors, before)
    const exit = Effect.runSyncExit(
      Effect.scoped(Models.acquire({ kind: "mlp", inputShape: [2], numClasses: 0, hidden: [] })),
    )
    assert.ok(Exit.isFailure(exit))
    assert.match(String(exit.cause), /numClasses: must be a positive integer, got 0/)
  })
})
