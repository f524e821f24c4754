import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Pairing, Random } from "@vicinal/core"
import * as fc from "fast-check"

const isBijection = (p: Int32Array): boolean => {
  const seen = new Set(p)
  return seen.size === p.length && [...seen].every((v) => v >= 0 && v < p.length)
}

describe("pairings", () => {
  test("random permutation, flip and roll are bijections for every batch size (odd, 1, short)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer(),
        fc.integer({ min: -5, max: 5 }),
        (n, seed, shift) => {
          const rng = Random.make(seed)
          for (const pairing of [
            Pairing.randomPermutation,
            Pairing.flip,
            Pairing.roll,
            Pairing.rollBy(shift),
          ]) {
            const p = Pairing.partners(pairing, { n }, rng)
            assert.equal(p.length, n)
            assert.ok(isBijection(p), `${pairing._tag} on n = ${n}: ${p}`)
          }
        },
      ),
    )
  })

  test("flip pairs i with n-1-i, roll with i-1", () => {
    const rng = Random.make(0)
    assert.deepEqual([...Pairing.partners(Pairing.flip, { n: 5 }, rng)], [4, 3, 2, 1, 0])
    assert.deepEqual([...Pairing.partners(Pairing.roll, { n: 4 }, rng)], [3, 0, 1, 2])
  })

  test("same-class partners share the class whenever the batch has another of that class", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 40 }),
        fc.integer(),
        (ls, seed) => {
          const labels = Int32Array.from(ls)
          const p = Pairing.partners(Pairing.sameClass, { n: labels.length, labels }, Random.make(seed))
          const counts = new Map<number, number>()
          for (const c of labels) counts.set(c, (counts.get(c) ?? 0) + 1)
          for (let i = 0; i < labels.length; i++) {
            const j = p[i]!
            assert.ok(j >= 0 && j < labels.length)
            if (counts.get(labels[i]!)! >= 2) {
              assert.equal(
                labels[j],
                labels[i],
                `example ${i} (class ${labels[i]}) paired with class ${labels[j]}`,
              )
              assert.notEqual(j, i)
            } else if (labels.length > 1) assert.notEqual(j, i, "a lone class still gets another partner")
          }
        },
      ),
    )
  })

  test("knn partners are among the k nearest neighbours; k is clipped to n - 1", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer(),
        (n, k, seed) => {
          // Points on a line at distinct positions, so neighbours are unambiguous.
          const rng = Random.make(seed)
          const positions = Pairing.permutation(n, rng)
          const features = Float32Array.from(positions, (v) => v * 1.5)
          const p = Pairing.partners(Pairing.knn({ k }), { n, features }, rng)
          for (let i = 0; i < n; i++) {
            const dist = (j: number) => Math.abs(features[j]! - features[i]!)
            const others = [...Array(n).keys()].filter((j) => j !== i).map(dist)
            others.sort((a, b) => a - b)
            assert.notEqual(p[i], i)
            assert.ok(dist(p[i]!) <= others[Math.min(k, n - 1) - 1]!, `partner of ${i} too far`)
          }
        },
      ),
    )
  })

  test("knn with k = 1 picks the nearest neighbour; sameClass restricts to the class", () => {
    const features = Float32Array.from([0, 0, 1, 1, 10, 10, 11, 11], (v) => v)
    const labels = Int32Array.from([0, 1, 0, 1])
    const rng = Random.make(3)
    assert.deepEqual([...Pairing.partners(Pairing.knn({ k: 1 }), { n: 4, features }, rng)], [1, 0, 3, 2])
    assert.deepEqual(
      [...Pairing.partners(Pairing.knn({ k: 1, sameClass: true }), { n: 4, features, labels }, rng)],
      [2, 3, 0, 1],
    )
  })

  test("custom pairings come from the registry and are checked", () => {
    const registry: Pairing.Registry = {
      reverse: ({ n }) => Int32Array.from({ length: n }, (_, i) => n - 1 - i),
      broken: () => Int32Array.from([7]),
    }
    const rng = Random.make(1)
    assert.deepEqual([...Pairing.partners(Pairing.custom("reverse"), { n: 3 }, rng, registry)], [2, 1, 0])
    assert.throws(
      () => Pairing.partners(Pairing.custom("broken"), { n: 1 }, rng, registry),
      (e: { _tag?: string }) => e._tag === "InvalidArgument",
    )
    assert.throws(
      () => Pairing.partners(Pairing.custom("missing"), { n: 1 }, rng, registry),
      /pairing.name: must name a registered custom pairing/,
    )
    assert.match(
      Pairing.validate(Pairing.knn({ k: 0 }))?.message ?? "",
      /pairing.k: must be an integer >= 1, got 0/,
    )
  })

  test("an empty batch is a tagged EmptyBatch for every pairing", () => {
    for (const pairing of [
      Pairing.randomPermutation,
      Pairing.flip,
      Pairing.roll,
      Pairing.sameClass,
      Pairing.knn({ k: 2 }),
    ])
      assert.throws(
        () =>
          Pairing.partners(
            pairing,
            { n: 0, labels: new Int32Array(0), features: new Float32Array(0) },
            Random.make(1),
          ),
        (e: { _tag?: string }) => e._tag === "EmptyBatch",
      )
  })
})
