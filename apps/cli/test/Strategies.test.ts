import assert from "node:assert/strict"
import { test } from "node:test"
import { Random, Strategy } from "@vicinal/core"
import * as Train from "../src/Train.ts"

test("every --strategy name builds a valid strategy that plans on a batch of MNIST digits", () => {
  for (const name of Train.strategyNames) {
    const strategy = Train.strategyOf(name, Train.parameterDefaults, 2)
    assert.equal(Strategy.validate(strategy), undefined, name)
    const plan = Strategy.plan(
      strategy,
      { n: 8, shape: [8, 28, 28, 1] },
      { epoch: 0, step: 0 },
      Random.make(1),
    )
    assert.equal(plan.n, 8, name)
    // Every name but ERM changes something.
    if (name !== "erm") assert.ok(plan.steps.length > 0, `${name} plans no step`)
  }
})
