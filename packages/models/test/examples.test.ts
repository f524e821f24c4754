import assert from "node:assert/strict"
import { test } from "node:test"
import { quickstart } from "../examples/quickstart.ts"
import { noLeakAsync } from "./setup.ts"

test("examples/quickstart.ts: training with a hidden mix lowers the loss; the reloaded net predicts the same", () =>
  noLeakAsync(async () => {
    const { losses, maxDiff } = await quickstart()
    assert.equal(losses.length, 5)
    assert.ok(losses.at(-1)! < losses[0]!, `losses ${losses.join(", ")}`)
    assert.equal(maxDiff, 0)
  }))
