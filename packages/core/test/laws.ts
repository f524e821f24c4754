/** Shared helpers for the algebra's laws: plans of a strategy on a batch, and both execution paths. */
import assert from "node:assert/strict"
import { Execute, Host, type MixPlan, Random, Strategy } from "@vicinal/core"
import * as fc from "fast-check"
import { type HostData, hostData } from "./arbitraries.ts"
import { noLeak, tf } from "./helpers.ts"

export const context = { epoch: 1, step: 0 }

/** The plan `strategy` draws for `data` from `seed` (labels and inputs given, for SC and KNN pairings). */
export const planOn = (strategy: Strategy.Strategy, data: HostData, seed: number): MixPlan =>
  Strategy.plan(
    strategy,
    { n: data.shape[0]!, shape: data.shape, labels: data.labels, features: data.x },
    context,
    Random.make(seed),
  )

/** `left` and `right` behave alike: on any batch and seed, they draw the same plan. */
export const behaveAlike = (
  pairs: fc.Arbitrary<readonly [Strategy.Strategy, Strategy.Strategy]>,
  numRuns = 100,
): void =>
  fc.assert(
    fc.property(pairs, hostData(6), fc.integer(), ([left, right], data, seed) => {
      assert.deepEqual(planOn(left, data, seed), planOn(right, data, seed))
    }),
    { numRuns },
  )

/** A plan run on tensors and on typed arrays, read back; asserts the tensor path leaks nothing. */
export const onBothPaths = (plan: MixPlan, data: HostData) => {
  const device = noLeak(() => {
    const x = tf.tensor(data.x, [...data.shape])
    const y = tf.tensor2d(data.y, [data.shape[0]!, data.classes])
    const mixed = Strategy.execute(plan, { x, y })
    const out = { x: mixed.x.dataSync() as Float32Array, y: mixed.y.dataSync() as Float32Array }
    Execute.dispose(mixed)
    tf.dispose([x, y])
    return out
  })
  const host = Host.execute(plan, { x: data.x, shape: data.shape, y: data.y })
  return { device, host }
}
