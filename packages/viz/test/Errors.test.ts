import assert from "node:assert/strict"
import { test } from "node:test"
import { Errors, type VizError } from "@vicinal/viz"
import { Cause } from "effect"

test("each error's text names its tag once: String(error) and Cause.pretty add it, the message does not", () => {
  const examples: ReadonlyArray<VizError> = [
    new Errors.InvalidArgument({ argument: "series", value: [], expected: "must not be empty" }),
    new Errors.RenderFailed({ stage: "png", cause: new Error("no font") }),
    new Errors.WriteFailed({ path: "out/loss.svg", cause: new Error("EACCES") }),
  ]
  for (const error of examples) {
    assert.ok(!error.message.includes(error._tag), `message repeats the tag: ${error.message}`)
    assert.equal(String(error), `${error._tag}: ${error.message}`)
    const first = Cause.pretty(Cause.fail(error)).split("\n")[0] ?? ""
    assert.equal(first.split(error._tag).length - 1, 1, first)
  }
})
