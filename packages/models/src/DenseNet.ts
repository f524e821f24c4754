/**
 * DenseNet-BC (Huang et al.), as in the reference densenet: conv3x3 stem of 2k channels,
 * three dense blocks of (depth-4)/6 bottleneck layers (BN-ReLU-conv1x1(4k)-BN-ReLU-conv3x3(k),
 * output concatenated to the input), transitions BN-ReLU-conv1x1(floor(c * reduction))-avgpool2,
 * final BN-ReLU, global average pooling, linear. No conv biases. BC-190 with k = 40 counts
 * 25,624,430 parameters for 10 classes.
 */

import { Schema } from "effect"
import { assemble, type Classifier, type Stage } from "./Classifier.ts"
import { type Block, type LayerKit, makeKit, poolingHead, sequence } from "./Layers.ts"
import * as Options from "./Options.ts"

const NAME = "denseNetBC"

export const DenseNetBCConfig: Options.Member<
  typeof NAME,
  {
    /** Total depth, 6n + 4 (default 190). */
    readonly depth: Schema.optionalKey<Schema.Number>
    /** Growth rate k (default 40). */
    readonly growthRate: Schema.optionalKey<Schema.Number>
    /** Compression of the transitions, in (0, 1] (default 0.5). */
    readonly reduction: Schema.optionalKey<Schema.Number>
    /** Dropout before the classifier layer; default 0, off. */
    readonly dropout: Schema.optionalKey<Schema.Number>
  }
> = Schema.Struct({
  kind: Schema.Literal(NAME),
  // Each of the two transitions halves height and width (rounding down).
  ...Options.common(Options.imageShape(4, "two 2x2 average pools")),
  depth: Schema.optionalKey(Options.sixNPlusFour("100, 190")),
  growthRate: Schema.optionalKey(Options.positiveInt),
  reduction: Schema.optionalKey(Options.openUnit),
  dropout: Schema.optionalKey(Options.rate),
})

export type DenseNetBCOptions = Options.OptionsOf<typeof DenseNetBCConfig>

const bottleneck = (kit: LayerKit, growthRate: number): Block => {
  const transform = sequence(
    kit.batchNorm(),
    kit.relu(),
    kit.conv({ filters: 4 * growthRate, kernelSize: 1 }),
    kit.batchNorm(),
    kit.relu(),
    kit.conv({ filters: growthRate, kernelSize: 3 }),
  )
  const concat = kit.concat()
  return (x, context) => concat(transform(x, context), x, context)
}

const transition = (kit: LayerKit, outChannels: number): Block =>
  sequence(kit.batchNorm(), kit.relu(), kit.conv({ filters: outChannels, kernelSize: 1 }), kit.avgPool(2))

export const denseNetBC = (options: DenseNetBCOptions): Classifier => {
  Options.check(DenseNetBCConfig, NAME, options)
  const { depth = 190, growthRate = 40, reduction = 0.5, dropout = 0, seed = 0 } = options
  const perStage = Options.perStage(depth)

  const kit = makeKit(seed)
  let channels = 2 * growthRate
  const stages: Array<Stage> = [{ name: "stem", block: kit.conv({ filters: channels, kernelSize: 3 }) }]
  for (let b = 0; b < 3; b++) {
    const layers = Array.from({ length: perStage }, () => bottleneck(kit, growthRate))
    channels += perStage * growthRate
    const parts = [...layers]
    if (b < 2) {
      channels = Math.floor(channels * reduction)
      parts.push(transition(kit, channels))
    }
    stages.push({ name: `dense${b + 1}`, block: sequence(...parts) })
  }
  const head = poolingHead(kit, { numClasses: options.numClasses, dropout, preActivate: true })
  return assemble(
    { name: `${NAME}-${depth}-${growthRate}`, inputShape: options.inputShape, stages, head },
    {
      kind: "denseNetBC",
      ...options,
      inputShape: [...options.inputShape],
      depth,
      growthRate,
      reduction,
      dropout,
    },
  )
}
