import assert from "node:assert/strict"
import { test } from "node:test"
import { type CoreError, Errors, Strategy } from "@vicinal/core"
import { Cause, Effect, Exit } from "effect"

const examples: ReadonlyArray<CoreError> = [
  new Errors.InvalidArgument({ argument: "alpha", value: -1, expected: "must be > 0 and finite" }),
  new Errors.ShapeMismatch({ argument: "y", expected: "batch size 3", actual: [2, 4] }),
  new Errors.NotADistribution({ argument: "y", row: 0, value: 1.1, reason: "must sum to 1" }),
  new Errors.EmptyBatch({ argument: "x" }),
]

const count = (text: string, word: string): number => text.split(word).length - 1

test("each error's text names its tag once: String(error) and Cause.pretty add it, the message does not", () => {
  for (const error of examples) {
    assert.ok(!error.message.includes(error._tag), `message repeats the tag: ${error.message}`)
    assert.equal(String(error), `${error._tag}: ${error.message}`)
    assert.equal(count(Cause.pretty(Cause.fail(error)).split("\n")[0] ?? "", error._tag), 1)
  }
})

test("a strategy's bad argument fails once-tagged, naming argument, value and what was expected", () => {
  const config = Strategy.toConfig(Strategy.mixup({ alpha: 1 })) as { lambda: { a: number } }
  config.lambda.a = -1
  const exit = Effect.runSyncExit(Strategy.fromConfig(config))
  assert.ok(Exit.isFailure(exit))
  const error = Cause.squash(exit.cause)
  assert.ok(error instanceof Errors.InvalidArgument)
  assert.equal(String(error).match(/InvalidArgument/g)?.length, 1, String(error))
  assert.equal(error.argument, "lambda.a")
  assert.equal(error.value, -1)
  assert.match(error.message, /^lambda\.a: must be > 0 and finite, got -1$/)
})

test("the message of a bad argument is built from its fields, with the fix and the source when given", () => {
  const error = new Errors.InvalidArgument({
    argument: "depth",
    value: 19,
    expected: "must be one of 18, 34",
    fix: "pick a listed depth",
    source: "ResNet",
  })
  assert.equal(error.message, "ResNet: depth: must be one of 18, 34, got 19; pick a listed depth")
  assert.equal(error.message, Errors.describeArgument(error))
  assert.equal(
    new Errors.InvalidArgument({ argument: "", value: "x", expected: "must be an object" }).message,
    'config: must be an object, got "x"',
  )
})
