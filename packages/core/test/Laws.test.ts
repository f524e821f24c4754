import assert from "node:assert/strict"
import { before, test } from "node:test"
import { Strategy } from "@vicinal/core"
import { Effect } from "effect"
import * as fc from "fast-check"
import { strategy as anyStrategy, hostData, inputStrategy } from "./arbitraries.ts"
import { useCpu } from "./helpers.ts"
import { behaveAlike, onBothPaths, planOn } from "./laws.ts"

before(useCpu)

const { chain, erm, oneOf, withProbability } = Strategy

const hasNested = (s: Strategy.Strategy): boolean =>
  (s._tag === "Chain" && s.strategies.some((c) => c._tag === "Chain" || c._tag === "Erm" || hasNested(c))) ||
  Strategy.children(s).some(hasNested)

test("chain is associative, as values and as plans", () => {
  fc.assert(
    fc.property(anyStrategy, anyStrategy, anyStrategy, (a, b, c) => {
      assert.deepEqual(chain(chain(a, b), c), chain(a, chain(b, c)))
      assert.deepEqual(chain(a, chain(b, c)), chain(a, b, c))
    }),
    { numRuns: 100 },
  )
  behaveAlike(
    fc
      .tuple(anyStrategy, anyStrategy, anyStrategy)
      .map(([a, b, c]) => [chain(chain(a, b), c), chain(a, chain(b, c))]),
  )
})

test("erm is chain's identity, and chain of one strategy is that strategy", () => {
  fc.assert(
    fc.property(anyStrategy, (s) => {
      assert.deepEqual(chain(erm, s), s)
      assert.deepEqual(chain(s, erm), s)
      assert.deepEqual(chain(s), s)
    }),
  )
  assert.deepEqual(chain(), erm)
})

test("nested chains flatten: no chain holds a chain or an erm", () => {
  fc.assert(
    fc.property(fc.array(anyStrategy, { maxLength: 4 }), (ss) => assert.ok(!hasNested(chain(...ss)))),
    { numRuns: 200 },
  )
})

test("withProbability(s, 1) and oneOf([s]) behave as s (they draw nothing)", () => {
  fc.assert(
    fc.property(anyStrategy, fc.double({ min: 0.01, max: 10, noNaN: true }), (s, weight) => {
      assert.deepEqual(withProbability(s, 1), s)
      assert.deepEqual(withProbability(1)(s), s)
      assert.deepEqual(oneOf([s]), s)
      assert.deepEqual(oneOf([{ weight, strategy: s }]), s)
    }),
  )
  behaveAlike(anyStrategy.map((s) => [withProbability(s, 1), s]))
  behaveAlike(anyStrategy.map((s) => [oneOf([s]), s]))
})

test("the same seed gives the same plan", () => {
  fc.assert(
    fc.property(anyStrategy, hostData(), fc.integer(), (s, data, seed) => {
      assert.deepEqual(planOn(s, data, seed), planOn(s, data, seed))
    }),
    { numRuns: 100 },
  )
})

test("host and tensor execution of any plan agree bit for bit", () => {
  fc.assert(
    fc.property(inputStrategy, hostData(), fc.integer(), (s, data, seed) => {
      const { device, host } = onBothPaths(planOn(s, data, seed), data)
      assert.deepEqual(host.x, device.x)
      assert.deepEqual(host.y, device.y)
    }),
    { numRuns: 80 },
  )
})

test("the JSON round trip is identity", () => {
  fc.assert(
    fc.property(anyStrategy, (s) => {
      const json = JSON.parse(JSON.stringify(Strategy.toConfig(s)))
      assert.deepEqual(Effect.runSync(Strategy.fromConfig(json)), s)
    }),
    { numRuns: 200 },
  )
})

test("one source per rule: validate and the config Schema agree on every numeric parameter, in the same words", () => {
  const numbers = fc.oneof(
    fc.double(),
    fc.integer({ min: -3, max: 3 }),
    fc.constantFrom(0, 1, -0, 0.5, 1.5, Number.POSITIVE_INFINITY),
  )
  // Each field with a numeric rule, set to `v` in an otherwise valid strategy (the path fromConfig names).
  const fields: ReadonlyArray<readonly [string, (v: number) => unknown]> = [
    ["p", (v) => ({ _tag: "WithProbability", p: v, strategy: erm })],
    ["epsilon", (v) => ({ _tag: "LabelSmoothing", epsilon: v })],
    ["sigma", (v) => ({ _tag: "GaussianNoise", sigma: v })],
    ["decay", (v) => ({ ...Strategy.fmix({ alpha: 1 }), decay: v })],
    ["lambda.a", (v) => Strategy.mixup({ lambda: { _tag: "Beta", a: v, b: 1 } })],
    ["lambda.max", (v) => Strategy.mixup({ lambda: { _tag: "Uniform", max: v } })],
    ["pairing.k", (v) => Strategy.mixup({ alpha: 1, pairing: { _tag: "Knn", k: v, sameClass: false } })],
    ["stages[0]", (v) => ({ _tag: "Manifold", stages: [v], strategy: erm })],
    ["switchProb", (v) => Strategy.mixupCutmix({ switchProb: v })],
  ]
  fc.assert(
    fc.property(fc.constantFrom(...fields), numbers, ([path, make], v) => {
      const value = make(v)
      const byValidate = Strategy.validate(value as Strategy.Strategy)
      const decoded = Effect.runSync(Effect.result(Strategy.fromConfig(value)))
      if (byValidate === undefined) return assert.equal(decoded._tag, "Success", `${path} = ${v}`)
      assert.equal(decoded._tag, "Failure", `${path} = ${v}: validate refuses, the Schema accepts`)
      const error = decoded._tag === "Failure" ? decoded.failure : undefined
      assert.equal(error?._tag, "InvalidArgument")
      assert.ok(error?._tag === "InvalidArgument" && error.argument === path, `${error?.message}`)
      assert.equal(error.expected, byValidate.expected)
    }),
    { numRuns: 400 },
  )
})
