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
