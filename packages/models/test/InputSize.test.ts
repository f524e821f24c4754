// Inputs too small for a network's poolings are refused at build time, never built into a
// network whose empty feature maps give all-zero logits.
import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as fc from "fast-check"
import { type Classifier, Layers, Models } from "../src/index.ts"
import { allFinite, input, noLeak, stageShapes, tf, throwsTagged } from "./setup.ts"

const NUM_CLASSES = 3

// Small members of every family, and the smallest height and width each accepts.
const families: ReadonlyArray<{
  readonly label: string
  readonly build: (inputShape: ReadonlyArray<number>) => Classifier
  readonly minSide: number
}> = [
  {
    label: "mlp",
    build: (inputShape) => Models.mlp({ inputShape, numClasses: NUM_CLASSES, hidden: [4] }),
    minSide: 1,
  },
  {
    label: "smallCnn",
    build: (inputShape) =>
      Models.smallCnn({ inputShape, numClasses: NUM_CLASSES, filters: [2, 2], dense: 3 }),
    minSide: 2,
  },
  {
    label: "preActResNet",
    build: (inputShape) => Models.preActResNet18({ inputShape, numClasses: NUM_CLASSES, width: 2 }),
    minSide: 1,
  },
  {
    label: "wideResNet",
    build: (inputShape) =>
      Models.wideResNet({ inputShape, numClasses: NUM_CLASSES, depth: 10, widenFactor: 1 }),
    minSide: 1,
  },
  {
    label: "denseNetBC",
    build: (inputShape) =>
      Models.denseNetBC({ inputShape, numClasses: NUM_CLASSES, depth: 10, growthRate: 2 }),
    minSide: 4,
  },
]

const nonEmpty = (shape: ReadonlyArray<number | null>): boolean => shape.every((d) => d !== 0)

describe("input shapes too small for the network", () => {
  for (const { label, build, minSide } of families)
    test(`property: ${label} (smallest input ${minSide} x ${minSide}) refuses smaller ones (InvalidArgument naming inputShape and the smallest size), else gives finite logits with no empty map anywhere`, () =>
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 1, max: 3 }),
          (h, w, c) =>
            noLeak(() => {
              const shape = [h, w, c]
              if (Math.min(h, w) < minSide) {
                throwsTagged(
                  () => build(shape),
                  "InvalidArgument",
                  "inputShape",
                  `at least ${minSide} x ${minSide}`,
                  JSON.stringify(shape),
                )
                return
              }
              const net = build(shape)
              for (const layer of net.model.layers) {
                const outputs = Array.isArray(layer.outputShape[0]) ? layer.outputShape : [layer.outputShape]
                for (const s of outputs as ReadonlyArray<ReadonlyArray<number | null>>)
                  assert.ok(nonEmpty(s), `${layer.name} outputs ${JSON.stringify(s)}`)
              }
              const x = input([2, ...shape], h * 10 + w)
              for (const s of stageShapes(net, x)) assert.ok(nonEmpty(s), JSON.stringify(s))
              const logits = net.forward(x)
              assert.deepEqual(logits.shape, [2, NUM_CLASSES])
              assert.ok(allFinite(logits))
              tf.dispose([x, logits])
              net.dispose()
            }),
        ),
        {
          numRuns: 12,
          // the boundary: the smallest accepted size, and one row less when there is one
          examples: [
            [minSide, minSide, 1],
            ...(minSide > 1 ? [[minSide - 1, minSide, 2] as [number, number, number]] : []),
          ],
        },
      ))

  test("assemble refuses any architecture whose layer output would be empty, naming inputShape and the layer; no leak", () =>
    noLeak(() => {
      const kit = Layers.makeKit(0)
      const architecture = (side: number) => ({
        name: "pooled",
        inputShape: [side, side, 2],
        stages: [
          { name: "conv", block: kit.conv({ filters: 3, kernelSize: 3 }) },
          { name: "pool", block: Layers.sequence(kit.maxPool(2), kit.flatten()) },
        ],
        head: kit.dense(2),
      })
      throwsTagged(
        () => Models.assemble(architecture(1)),
        "InvalidArgument",
        "pooled: inputShape",
        "maxpool_1 would output [null,0,0,3]",
        "[1,1,2]",
      )
      const net = Models.assemble(architecture(2))
      net.dispose()
    }))
})
