import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Strategy } from "@vicinal/core"
import { ModelConfig } from "@vicinal/models"
import { Effect, Exit } from "effect"
import * as fc from "fast-check"
import { Errors, RunConfig } from "../src/index.ts"

const valid = {
  seed: 7,
  epochs: 3,
  batchSize: 64,
  backend: "wasm",
  strategy: Strategy.toConfig(Strategy.mixup({ alpha: 1 })),
  model: { kind: "mlp", hidden: [64] },
  data: { dataset: "mnist", testSize: 500, trainSize: 1000 },
  optimizer: { _tag: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 1e-4 },
  schedule: { _tag: "step", milestones: [100, 150], gamma: 0.1 },
}

const errorOf = (input: unknown) => {
  const exit = Effect.runSyncExit(RunConfig.decode(input))
  assert.ok(Exit.isFailure(exit), `expected ${JSON.stringify(input)} to be rejected`)
  const error = Exit.isFailure(exit)
    ? exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error : undefined))[0]
    : undefined
  assert.ok(error instanceof Errors.InvalidArgument)
  return error
}

const withField = (field: string, value: unknown): Record<string, unknown> => {
  const copy = structuredClone(valid) as Record<string, unknown>
  const keys = field.split(".")
  let target = copy as Record<string, unknown>
  for (const k of keys.slice(0, -1)) target = target[k] as Record<string, unknown>
  target[keys.at(-1)!] = value
  return copy
}

describe("RunConfig.RunConfig", () => {
  test("a valid config decodes and round-trips through JSON", () => {
    const config = Effect.runSync(RunConfig.decode(valid))
    assert.deepEqual(RunConfig.encode(config), valid)
    assert.deepEqual(Effect.runSync(RunConfig.decodeJson(JSON.stringify(valid))), config)
    assert.equal(RunConfig.measuresTrainError(config), false)
    assert.equal(RunConfig.measuresTrainError({ ...config, data: { ...config.data, labelNoise: 0.2 } }), true)
  })

  test("the run's model is every architecture of @vicinal/models with its rules, minus what the run supplies", () => {
    const kinds = RunConfig.ModelConfig.members.map((member) => member.fields.kind.literal)
    assert.deepEqual(kinds, [...ModelConfig.KINDS])
    const resNeXt = { kind: "resNet", depth: 101, groups: 32, widthPerGroup: 4 }
    assert.deepEqual(Effect.runSync(RunConfig.decode(withField("model", resNeXt))).model, resNeXt)
    const depth = errorOf(withField("model", { kind: "resNet", depth: 34 }))
    assert.equal(depth.argument, "model.depth")
    assert.match(depth.message, /one of 50, 101, 152, got 34/)
    assert.equal(errorOf(withField("model", { kind: "wideResNet", depth: 27 })).argument, "model.depth")
    assert.equal(
      errorOf(withField("model", { kind: "denseNetBC", reduction: 0 })).argument,
      "model.reduction",
    )
    assert.equal(
      errorOf(withField("model", { kind: "mlp", hidden: [4], dropout: 1 })).argument,
      "model.dropout",
    )
    // The run supplies the input shape, the class count and the seed: a config may not.
    for (const supplied of [{ inputShape: [2] }, { numClasses: 2 }, { seed: 1 }])
      assert.equal(
        errorOf(withField("model", { kind: "mlp", hidden: [4], ...supplied })).argument,
        `model.${Object.keys(supplied)[0]}`,
      )
  })

  test("every bad field is rejected with its path and the value's problem", () => {
    const bad: ReadonlyArray<readonly [string, unknown]> = [
      ["seed", -1],
      ["seed", 1.5],
      ["epochs", 0],
      ["batchSize", "64"],
      ["backend", "gpu"],
      ["model.hidden", [64, 0]],
      ["model.kind", "transformer"],
      ["data.dataset", "cifar11"],
      ["data.labelNoise", 1.5],
      ["optimizer.lr", -0.1],
      ["optimizer.momentum", 1],
      ["schedule.milestones", [100, -5]],
      ["schedule.gamma", 0],
      ["strategy.lambda.a", -1],
      ["data.n", 10],
    ]
    fc.assert(
      fc.property(fc.constantFrom(...bad), ([field, value]) => {
        const error = errorOf(withField(field, value))
        assert.ok(error.argument.startsWith(field.split(".")[0]!), `${error.argument} should name ${field}`)
        assert.ok(error.message.startsWith(`${error.argument}: `), error.message)
      }),
    )
    assert.equal(errorOf(withField("optimizer.lr", -0.1)).argument, "optimizer.lr")
    assert.equal(errorOf(withField("model.hidden", [64, 0])).argument, "model.hidden[1]")
    assert.equal(errorOf(withField("epochs", 0)).argument, "epochs")
    const alpha = errorOf(withField("strategy.lambda.a", -1))
    assert.equal(alpha.argument, "strategy.lambda.a")
    assert.match(alpha.message, /got -1/)
  })

  test("missing fields are named; non-JSON text is rejected", () => {
    const { epochs: _, ...rest } = valid
    assert.equal(errorOf(rest).argument, "epochs")
    const exit = Effect.runSyncExit(RunConfig.decodeJson("{ nope"))
    assert.ok(Exit.isFailure(exit))
  })
})
