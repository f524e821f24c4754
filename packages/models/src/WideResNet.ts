/**
 * WideResNet-depth-k (Zagoruyko & Komodakis; the reference wide_resnet): conv3x3-16 stem,
 * three groups of (depth-4)/6 pre-activation blocks of widths 16k, 32k, 64k (strides 1-2-2),
 * final BN-ReLU, global average pooling, linear. Convolutions have no bias: with biases
 * WRN-28-10 would count 36,489,290, not the reference 36,479,194. `dropout` is the reference's
 * dropRate: one dropout layer per block between the two convolutions, as in PreAct ResNet.
 */
import { assemble, type Classifier, type Stage } from "./Classifier.ts"
import { makeKit, poolingHead } from "./Layers.ts"
import { group } from "./Residual.ts"
import * as Validate from "./Validate.ts"

export interface WideResNetOptions extends Validate.Common {
  /** Total depth, 6n + 4 (default 28). */
  readonly depth?: number
  /** Widen factor k (default 10). */
  readonly widenFactor?: number
  /**
   * Dropout in every block, after the ReLU between the two convolutions (the reference's
   * dropRate); default 0, off.
   */
  readonly dropout?: number
  /** Dropout after global pooling, before the classifier layer; default 0, off. */
  readonly headDropout?: number
}

const NAME = "wideResNet"

export const wideResNet = (options: WideResNetOptions): Classifier => {
  const seed = Validate.common(NAME, options, 3)
  const { depth = 28, widenFactor = 10, dropout = 0, headDropout = 0 } = options
  const perStage = Validate.sixNPlusFour(NAME, depth, "16, 28, 40")
  Validate.positiveInt(NAME, "widenFactor", widenFactor)
  Validate.rate(NAME, "dropout", dropout)
  Validate.rate(NAME, "headDropout", headDropout)

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
