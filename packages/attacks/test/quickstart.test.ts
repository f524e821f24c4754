// End to end on the bundled MNIST digits: the README's example, with fewer steps.
import assert from "node:assert/strict"
import { test } from "node:test"
import * as tf from "@tensorflow/tfjs-core"
import { main } from "../examples/quickstart.ts"
import { Report } from "../src/index.ts"

const TOLERANCE = 0.02

test("MNIST: FGSM error grows with epsilon; white-box and black-box Table 3 are printed", async () => {
  const before = tf.engine().backendName === undefined ? 0 : tf.memory().numTensors
  const { table, whiteBox, blackBox, sweep } = await main({ steps: 150, testPerDigit: 20 })
  console.log(table)
  assert.equal(tf.memory().numTensors, before, "tensors leaked")

  const errors = sweep.map((r) => Report.rates(r.totals).adversarialTop1Error)
  console.log(
    "FGSM top-1 error by epsilon:",
    sweep.map((r, i) => `${r.epsilon}: ${errors[i]?.toFixed(3)}`).join(", "),
  )
  for (let i = 1; i < errors.length; i++)
    assert.ok((errors[i] as number) >= (errors[i - 1] as number) - TOLERANCE, `not monotone: ${errors}`)
  assert.ok((errors[0] as number) < 0.25, `the model did not learn: clean error ${errors[0]}`)
  assert.ok((errors.at(-1) as number) > (errors[0] as number) + 0.3, `FGSM barely hurts: ${errors}`)
  // epsilon = 0 is the clean error, and nothing counts as a success.
  assert.equal(sweep[0]?.totals.adversarialTop1Errors, sweep[0]?.totals.alreadyMisclassified)
  assert.equal(sweep[0]?.totals.successes, 0)

  for (const caption of ["(a) White box attacks.", "(b) Black box attacks."])
    assert.ok(table.includes(caption))
  assert.match(table, /\| Top-1 \| ERM \|/)
  assert.match(table, /\| {2}\| mixup \|/)
  for (const rows of [whiteBox, blackBox])
    for (const row of rows) {
      const [fgsm, ifgsm] = row.reports.map((r) => r.totals)
      assert.ok(fgsm !== undefined && ifgsm !== undefined)
      // Same model, same data: the clean part does not depend on the attack.
      assert.equal(fgsm.alreadyMisclassified, ifgsm.alreadyMisclassified)
      assert.equal(fgsm.examples, 200)
    }
  const top1 = (rows: typeof whiteBox, method: string, attack: number) =>
    Report.rates(rows.find((r) => r.method === method)?.reports[attack]?.totals ?? Report.zero)
      .adversarialTop1Error
  for (const method of ["ERM", "mixup"]) {
    // White box: iterating does not weaken the attack.
    assert.ok(top1(whiteBox, method, 1) >= top1(whiteBox, method, 0) - TOLERANCE, `${method}: I-FGSM < FGSM`)
    // Transfer from a surrogate is weaker than attacking the model itself.
    assert.ok(
      top1(blackBox, method, 0) <= top1(whiteBox, method, 0) + TOLERANCE,
      `${method}: black box > white box`,
    )
  }
})
