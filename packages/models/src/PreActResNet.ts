/**
 * PreAct ResNet-18 as in the mixup reference code (kuangliu's preact_resnet): conv3x3-64 stem
 * without BN, four groups of pre-activation blocks ([2, 2, 2, 2], widths 64-128-256-512,
 * strides 1-2-2-2), global average pooling, linear. No final BN-ReLU by default: the
 * reference has none, and with it the count would be 11,172,170 instead of 11,171,146.
 * Stages 1-5 (stem, layer1..layer4) are the paper's "layers 1-5" of the hidden-mixing ablation.
 * `dropout` puts one dropout layer in every block between its two convolutions, after the
 * ReLU, as the paper's corrupted-label experiment does (section 3.4).
 */
import { assemble, type Classifier, type Stage } from "./Classifier.ts"
import { makeKit, poolingHead } from "./Layers.ts"
import { group } from "./Residual.ts"
import * as Validate from "./Validate.ts"

export interface PreActResNetOptions extends Validate.Common {
  /** Blocks per group; default [2, 2, 2, 2] (ResNet-18). */
  readonly blocks?: ReadonlyArray<number>
  /** Width of the stem and of the first group; doubled at each later group. Default 64. */
  readonly width?: number
  /** BN-ReLU after the last group (He et al.'s full pre-activation net); default false (the reference). */
  readonly finalBatchNorm?: boolean
  /**
   * Dropout in every block, after the ReLU between the two convolutions (the mixup paper's
   * label-noise setting, following Zagoruyko & Komodakis); default 0, off.
   */
  readonly dropout?: number
  /** Dropout after global pooling, before the classifier layer; default 0, off. */
  readonly headDropout?: number
}

const NAME = "preActResNet"

export const preActResNet18 = (options: PreActResNetOptions): Classifier => {
  const seed = Validate.common(NAME, options, 3)
  const { blocks = [2, 2, 2, 2], width = 64, finalBatchNorm = false, dropout = 0, headDropout = 0 } = options
  Validate.check(NAME, "blocks", blocks, Array.isArray(blocks) && blocks.length > 0, "a non-empty list")
  Validate.positiveInts(NAME, "blocks", blocks)
  Validate.positiveInt(NAME, "width", width)
  Validate.rate(NAME, "dropout", dropout)
  Validate.rate(NAME, "headDropout", headDropout)

  const kit = makeKit(seed)
  const stages: Array<Stage> = [{ name: "stem", block: kit.conv({ filters: width, kernelSize: 3 }) }]
  blocks.reduce((inChannels, count, i) => {
    const g = group(kit, count, {
      inChannels,
      outChannels: width * 2 ** i,
      stride: i === 0 ? 1 : 2,
      dropout,
    })
    stages.push({ name: `layer${i + 1}`, block: g.block })
    return g.outChannels
  }, width)
  const head = poolingHead(kit, {
    numClasses: options.numClasses,
    dropout: headDropout,
    preActivate: finalBatchNorm,
  })
  return assemble(
    { name: NAME, inputShape: options.inputShape, stages, head },
    {
      kind: "preActResNet",
      ...options,
      inputShape: [...options.inputShape],
      blocks: [...blocks],
      width,
      finalBatchNorm,
      dropout,
      headDropout,
    },
  )
}
