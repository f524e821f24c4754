// Manifold mixing through `forward`: the contract every architecture shares.
import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import { type Classifier, Models } from "../src/index.ts"
import { input, maxAbsDiff, noLeak, tf, throwsTagged } from "./setup.ts"

// Small members of each family that supports manifold mixing (fast enough for properties).
const nets: ReadonlyArray<{
  readonly label: string
  readonly build: () => Classifier
  readonly shape: number[]
}> = [
  {
    label: "mlp",
    build: () => Models.mlp({ inputShape: [5], numClasses: 3, hidden: [7, 6, 4] }),
    shape: [5],
  },
  {
    label: "smallCnn",
    build: () => Models.smallCnn({ inputShape: [6, 6, 1], numClasses: 3, filters: [3, 4], dense: 5 }),
    shape: [6, 6, 1],
  },
  {
    label: "preActResNet",
    build: () => Models.preActResNet18({ inputShape: [8, 8, 3], numClasses: 3, width: 4 }),
    shape: [8, 8, 3],
  },
]

/** The activation after stage k, captured through the mixing hook. */
const activationAt = (net: Classifier, x: tf.Tensor, k: number): tf.Tensor => {
  let captured: tf.Tensor | undefined
  tf.dispose(
    net.forward(x, {
      mixAt: k,
      mix: (h) => {
        captured = tf.keep(h.clone())
        return h
      },
    }),
  )
  return captured!
}

for (const { label, build, shape } of nets) {
  describe(`manifold mixing: ${label}`, () => {
    const net = build()
    const stages = net.stageNames.length - 1

    test("property: the eager forward equals model.predict, in inference mode", () =>
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 4 }), (seed, n) =>
          noLeak(() => {
            const x = input([n, ...shape], seed)
            const [eager, graph] = [net.forward(x), net.model.predict(x) as tf.Tensor]
            const diff = maxAbsDiff(eager, graph)
            tf.dispose([x, eager, graph])
            return diff <= 1e-5
          }),
        ),
        { numRuns: 10 },
      ))

    test("property: replacing the stage-k activation by another input's gives that input's logits", () =>
      fc.assert(
        fc.property(fc.integer({ min: 0, max: stages }), fc.integer({ min: 0, max: 10_000 }), (k, seed) =>
          noLeak(() => {
            const a = input([3, ...shape], seed)
            const b = input([3, ...shape], seed + 1)
            const hb = activationAt(net, b, k)
            const swapped = net.forward(a, { mixAt: k, mix: () => hb.clone() })
            const direct = net.forward(b)
            const plain = net.forward(a)
            assert.ok(
              maxAbsDiff(swapped, direct) <= 1e-5,
              "the rest of the net runs from the replaced activation",
            )
            assert.ok(maxAbsDiff(swapped, plain) > 1e-6, "the replacement matters")
            tf.dispose([a, b, hb, swapped, direct, plain])
          }),
        ),
        { numRuns: 8 },
      ))

    test("property: mixing at k with lambda = 1 changes nothing; a real mix moves the logits; no leak", () =>
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: stages }),
          fc.double({ min: 0.05, max: 0.95, noNaN: true }),
          (k, lambda) =>
            noLeak(() => {
              const x = input([4, ...shape], k + 11)
              // mix each example with the reversed batch (flip pairing), as core's execute would
              const mixWith = (l: number) => (h: tf.Tensor) =>
                tf.add(tf.mul(h, l), tf.mul(tf.reverse(h, 0), 1 - l))
              const plain = net.forward(x)
              const identity = net.forward(x, { mixAt: k, mix: mixWith(1) })
              const mixed = net.forward(x, { mixAt: k, mix: mixWith(lambda) })
              assert.ok(maxAbsDiff(identity, plain) <= 1e-6)
              assert.ok(maxAbsDiff(mixed, plain) > 1e-6)
              tf.dispose([x, plain, identity, mixed])
            }),
        ),
        { numRuns: 8 },
      ))

    test("gradients reach the first stage through a hidden mix", () =>
      noLeak(() => {
        const x = input([4, ...shape], 5)
        const k = stages
        const { value, grads } = tf.variableGrads(
          () =>
            tf.sum(
              tf.square(
                net.forward(x, {
                  mixAt: k,
                  mix: (h) => tf.add(tf.mul(h, 0.7), tf.mul(tf.reverse(h, 0), 0.3)),
                }),
              ),
            ) as tf.Scalar,
          [...net.trainableVariables()],
        )
        const first = net.trainableVariables()[0]!
        const g = grads[first.name]!
        assert.ok(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]!) > 0)
        tf.dispose([x, value, ...Object.values(grads)])
      }))

    test("bad forward arguments are typed errors naming the argument; no tensor leaks on any of these paths", () =>
      noLeak(() => {
        const x = input([2, ...shape], 1)
        throwsTagged(() => net.forward(x, { mixAt: stages + 1, mix: (h) => h }), "InvalidArgument", "mixAt")
        throwsTagged(() => net.forward(x, { mixAt: 0.5, mix: (h) => h }), "InvalidArgument", "mixAt", "0.5")
        throwsTagged(() => net.forward(x, { mixAt: 1 }), "InvalidArgument", "mix")
        throwsTagged(() => net.forward(x, { mix: (h) => h }), "InvalidArgument", "mixAt")
        throwsTagged(
          () => net.forward(x, { mixAt: 0, mix: (h) => tf.slice(h, 0, 1) }),
          "InvalidArgument",
          "mix(h).shape",
        )
        // thrown mid-pass, with the earlier stages' activations allocated
        throwsTagged(
          () => net.forward(x, { mixAt: stages, mix: (h) => tf.slice(h, 0, 1) }),
          "InvalidArgument",
          "mix(h).shape",
          `stage ${stages}`,
        )
        const wrong = tf.zeros([2, 3])
        throwsTagged(() => net.forward(wrong), "InvalidArgument", "x.shape", "[2,3]")
        tf.dispose([x, wrong])
      }))

    test("dispose frees every weight and is idempotent", () => {
      const before = tf.memory().numTensors
      const other = build()
      assert.ok(tf.memory().numTensors > before)
      other.dispose()
      other.dispose()
      assert.equal(tf.memory().numTensors, before)
      net.dispose()
      assert.ok(tf.memory().numTensors < before)
    })
  })
}
