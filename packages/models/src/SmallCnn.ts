/**
 * A small CNN for 28x28 images (MNIST-sized; any [h, w, c] from 2 x 2 works): conv3x3-32-ReLU,
 * conv3x3-64-ReLU + 2x2 max-pool, dense-128-ReLU, dropout, linear. Stages: after each conv
 * block and after the dense layer.
 */

import { Schema } from "effect"
import { assemble, type Classifier } from "./Classifier.ts"
import { makeKit, sequence } from "./Layers.ts"
import * as Options from "./Options.ts"

const NAME = "smallCnn"

export const SmallCnnConfig: Options.Member<
  typeof NAME,
  {
    /** Filters of the two conv blocks; default [32, 64]. */
    readonly filters: Schema.optionalKey<Schema.Tuple<readonly [Schema.Number, Schema.Number]>>
    /** Width of the dense layer; default 128. */
    readonly dense: Schema.optionalKey<Schema.Number>
    /** Dropout before the classifier layer; default 0, off. */
    readonly dropout: Schema.optionalKey<Schema.Number>
  }
> = Schema.Struct({
  kind: Schema.Literal(NAME),
  ...Options.common(Options.imageShape(2, "the 2x2 max-pool")),
  filters: Schema.optionalKey(Schema.Tuple([Options.positiveInt, Options.positiveInt])),
  dense: Schema.optionalKey(Options.positiveInt),
  dropout: Schema.optionalKey(Options.rate),
})

export type SmallCnnOptions = Options.OptionsOf<typeof SmallCnnConfig>

export const smallCnn = (options: SmallCnnOptions): Classifier => {
  Options.check(SmallCnnConfig, NAME, options)
  const { filters = [32, 64], dense = 128, dropout = 0, seed = 0 } = options

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
