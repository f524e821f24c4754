/**
 * WideResNet-depth-k (Zagoruyko & Komodakis; the reference wide_resnet): conv3x3-16 stem,
 * three groups of (depth-4)/6 pre-activation blocks of widths 16k, 32k, 64k (strides 1-2-2),
 * final BN-ReLU, global average pooling, linear. Convolutions have no bias: with biases
 * WRN-28-10 would count 36,489,290, not the reference 36,479,194. `dropout` is the reference's
 * dropRate: one dropout layer per block between the two convolutions, as in PreAct ResNet.
 */

import { Schema } from "effect"
import { assemble, type Classifier, type Stage } from "./Classifier.ts"
import { makeKit, poolingHead } from "./Layers.ts"
import * as Options from "./Options.ts"
import { group } from "./Residual.ts"

const NAME = "wideResNet"

export const WideResNetConfig: Options.Member<
  typeof NAME,
  {
    /** Total depth, 6n + 4 (default 28). */
    readonly depth: Schema.optionalKey<Schema.Number>
    /** Widen factor k (default 10). */
    readonly widenFactor: Schema.optionalKey<Schema.Number>
    /**
     * Dropout in every block, after the ReLU between the two convolutions (the reference's
     * dropRate); default 0, off.
     */
    readonly dropout: Schema.optionalKey<Schema.Number>
    /** Dropout after global pooling, before the classifier layer; default 0, off. */
    readonly headDropout: Schema.optionalKey<Schema.Number>
  }
> = Schema.Struct({
  kind: Schema.Literal(NAME),
  ...Options.common(Options.imageShape()),
  depth: Schema.optionalKey(Options.sixNPlusFour("16, 28, 40")),
  widenFactor: Schema.optionalKey(Options.positiveInt),
  dropout: Schema.optionalKey(Options.rate),
  headDropout: Schema.optionalKey(Options.rate),
})

export type WideResNetOptions = Options.OptionsOf<typeof WideResNetConfig>

export const wideResNet = (options: WideResNetOptions): Classifier => {
  Options.check(WideResNetConfig, NAME, options)
  const { depth = 28, widenFactor = 10, dropout = 0, headDropout = 0, seed = 0 } = options
  const perStage = Options.perStage(depth)

  const kit = makeKit(seed)
  const stages: Array<Stage> = [{ name: "stem", block: kit.conv({ filters: 16, kernelSize: 3 }) }]
  ;[16, 32, 64].reduce((inChannels, base, i) => {
    const g = group(kit, perStage, {
      inChannels,
      outChannels: base * widenFactor,
      stride: i === 0 ? 1 : 2,
      dropout,
    })
    stages.push({ name: `group${i + 1}`, block: g.block })
    return g.outChannels
  }, 16)
  const head = poolingHead(kit, { numClasses: options.numClasses, dropout: headDropout, preActivate: true })
  return assemble(
    { name: `${NAME}-${depth}-${widenFactor}`, inputShape: options.inputShape, stages, head },
    {
      kind: "wideResNet",
      ...options,
      inputShape: [...options.inputShape],
      depth,
      widenFactor,
      dropout,
      headDropout,
    },
  )
}
