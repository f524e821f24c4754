/**
 * PreAct ResNet-18 as in the mixup reference code (kuangliu's preact_resnet): conv3x3-64 stem
 * without BN, four groups of pre-activation blocks ([2, 2, 2, 2], widths 64-128-256-512,
 * strides 1-2-2-2), global average pooling, linear. No final BN-ReLU by default: the
 * reference has none, and with it the count would be 11,172,170 instead of 11,171,146.
 * Stages 1-5 (stem, layer1..layer4) are the paper's "layers 1-5" of the hidden-mixing ablation.
 * `dropout` puts one dropout layer in every block between its two convolutions, after the
 * ReLU, as the paper's corrupted-label experiment does (section 3.4).
 */

import { Schema } from "effect"
import { assemble, type Classifier, type Stage } from "./Classifier.ts"
import { makeKit, poolingHead } from "./Layers.ts"
import * as Options from "./Options.ts"
import { group } from "./Residual.ts"

const NAME = "preActResNet"

export const PreActResNetConfig: Options.Member<
  typeof NAME,
  {
    /** Blocks per group; default [2, 2, 2, 2] (ResNet-18). */
    readonly blocks: Schema.optionalKey<Schema.$Array<Schema.Number>>
    /** Width of the stem and of the first group; doubled at each later group. Default 64. */
    readonly width: Schema.optionalKey<Schema.Number>
    /** BN-ReLU after the last group (He et al.'s full pre-activation net); default false (the reference). */
    readonly finalBatchNorm: Schema.optionalKey<Schema.Boolean>
    /**
     * Dropout in every block, after the ReLU between the two convolutions (the mixup paper's
     * label-noise setting, following Zagoruyko & Komodakis); default 0, off.
     */
    readonly dropout: Schema.optionalKey<Schema.Number>
    /** Dropout after global pooling, before the classifier layer; default 0, off. */
    readonly headDropout: Schema.optionalKey<Schema.Number>
  }
> = Schema.Struct({
  kind: Schema.Literal(NAME),
  ...Options.common(Options.imageShape()),
  blocks: Schema.optionalKey(Options.nonEmptyPositiveInts),
  width: Schema.optionalKey(Options.positiveInt),
  finalBatchNorm: Schema.optionalKey(Schema.Boolean),
  dropout: Schema.optionalKey(Options.rate),
  headDropout: Schema.optionalKey(Options.rate),
})

export type PreActResNetOptions = Options.OptionsOf<typeof PreActResNetConfig>

export const preActResNet18 = (options: PreActResNetOptions): Classifier => {
  Options.check(PreActResNetConfig, NAME, options)
  const {
    blocks = [2, 2, 2, 2],
    width = 64,
    finalBatchNorm = false,
    dropout = 0,
    headDropout = 0,
    seed = 0,
  } = options

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
