/**
 * A small CNN for 28x28 images (MNIST-sized; any [h, w, c] from 2 x 2 works): conv3x3-32-ReLU,
 * conv3x3-64-ReLU + 2x2 max-pool, dense-128-ReLU, dropout, linear. Stages: after each conv
 * block and after the dense layer.
 */
import { assemble, type Classifier } from "./Classifier.ts"
import { makeKit, sequence } from "./Layers.ts"
import * as Validate from "./Validate.ts"

export interface SmallCnnOptions extends Validate.Common {
  /** Filters of the two conv blocks; default [32, 64]. */
  readonly filters?: readonly [number, number]
  /** Width of the dense layer; default 128. */
  readonly dense?: number
  /** Dropout before the classifier layer; default 0, off. */
  readonly dropout?: number
}

const NAME = "smallCnn"

export const smallCnn = (options: SmallCnnOptions): Classifier => {
  const seed = Validate.common(NAME, options, 3)
  const { filters = [32, 64], dense = 128, dropout = 0 } = options
  Validate.check(
    NAME,
    "filters",
    filters,
    Array.isArray(filters) && filters.length === 2,
    "two filter counts",
  )
  Validate.positiveInts(NAME, "filters", filters)
  Validate.positiveInt(NAME, "dense", dense)
  Validate.rate(NAME, "dropout", dropout)
  Validate.minSpatial(NAME, options.inputShape, 2, "the 2x2 max-pool")

  const kit = makeKit(seed)
  const conv = (f: number) => kit.conv({ filters: f, kernelSize: 3, useBias: true })
  const stages = [
    { name: "conv1", block: sequence(conv(filters[0]), kit.relu()) },
    { name: "conv2", block: sequence(conv(filters[1]), kit.relu(), kit.maxPool(2)) },
    { name: "dense", block: sequence(kit.flatten(), kit.dense(dense, "relu")) },
  ]
  const head = sequence(kit.dropout(dropout), kit.dense(options.numClasses))
  return assemble(
    { name: NAME, inputShape: options.inputShape, stages, head },
    {
      kind: "smallCnn",
      ...options,
      inputShape: [...options.inputShape],
      filters: [...filters],
      dense,
      dropout,
    },
  )
}
