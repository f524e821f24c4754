/**
 * ResNet-50/101/152 and ResNeXt (He et al. 2016; Xie et al. 2017) in torchvision's layout,
 * the networks of the mixup paper's ImageNet table: stem conv7x7/2-64, BN, ReLU, max-pool 3x3/2;
 * four groups of bottleneck blocks (widths 64-128-256-512, expansion 4, strides 1-2-2-2);
 * global average pooling; linear with bias. The bottleneck is v1.5: the stride sits on its
 * 3x3 convolution (torchvision's, and Goyal et al.'s), not on the first 1x1. ResNeXt sets
 * `groups` (cardinality) and `widthPerGroup`: the 3x3 convolution is grouped and the block's
 * inner width is floor(planes * widthPerGroup / 64) * groups.
 * Padding is PyTorch's (symmetric zeros; TensorFlow's "same" would pad strided convolutions
 * one-sided), so every stride-2 convolution and the max-pool follow an explicit zero padding.
 * Convolutions have no bias. Stages 1-5 are stem, layer1..layer4 (manifold mixing points).
 */

import { Schema } from "effect"
import { assemble, type Classifier, type Stage } from "./Classifier.ts"
import { type Block, type LayerKit, makeKit, poolingHead, sequence } from "./Layers.ts"
import * as Options from "./Options.ts"

/** Bottleneck blocks per group for each depth (torchvision's). */
export const RESNET_BLOCKS = {
  50: [3, 4, 6, 3],
  101: [3, 4, 23, 3],
  152: [3, 8, 36, 3],
} as const

export type ResNetDepth = keyof typeof RESNET_BLOCKS

const NAME = "resNet"

export const ResNetConfig: Options.Member<
  typeof NAME,
  {
    /** 50, 101 or 152; default 50. */
    readonly depth: Schema.optionalKey<Schema.Number>
    /** Cardinality of the 3x3 convolutions (ResNeXt's C); default 1 (plain ResNet). */
    readonly groups: Schema.optionalKey<Schema.Number>
    /** Channels per group at the first group (ResNeXt's d); default 64 (plain ResNet). */
    readonly widthPerGroup: Schema.optionalKey<Schema.Number>
    /** Dropout after global pooling, before the classifier layer; default 0, off. */
    readonly headDropout: Schema.optionalKey<Schema.Number>
  }
> = Schema.Struct({
  kind: Schema.Literal(NAME),
  ...Options.common(Options.imageShape()),
  depth: Schema.optionalKey(Options.oneOf(Object.keys(RESNET_BLOCKS).map(Number))),
  groups: Schema.optionalKey(Options.positiveInt),
  widthPerGroup: Schema.optionalKey(Options.positiveInt),
  headDropout: Schema.optionalKey(Options.rate),
})

export type ResNetOptions = Options.OptionsOf<typeof ResNetConfig>
const EXPANSION = 4

/** A convolution padded as PyTorch pads it: strided ones after explicit symmetric zeros. */
const torchConv = (
  kit: LayerKit,
  options: { filters: number; kernelSize: number; strides?: number; groups?: number },
): Block => {
  const { strides = 1, kernelSize } = options
  if (strides === 1 || kernelSize === 1) return kit.conv(options)
  return sequence(kit.zeroPad((kernelSize - 1) / 2), kit.conv({ ...options, padding: "valid" }))
}

interface BottleneckShape {
  readonly inChannels: number
  readonly planes: number
  readonly stride: number
  readonly groups: number
  readonly width: number
}

/** conv1x1-BN-ReLU, conv3x3(stride, groups)-BN-ReLU, conv1x1-BN, + shortcut, ReLU. */
const bottleneck = (kit: LayerKit, shape: BottleneckShape): Block => {
  const { inChannels, planes, stride, groups, width } = shape
  const outChannels = planes * EXPANSION
  const residual = sequence(
    kit.conv({ filters: width, kernelSize: 1 }),
    kit.batchNorm(),
    kit.relu(),
    torchConv(kit, { filters: width, kernelSize: 3, strides: stride, groups }),
    kit.batchNorm(),
    kit.relu(),
    kit.conv({ filters: outChannels, kernelSize: 1 }),
    kit.batchNorm(),
  )
  const shortcut =
    stride !== 1 || inChannels !== outChannels
      ? sequence(kit.conv({ filters: outChannels, kernelSize: 1, strides: stride }), kit.batchNorm())
      : undefined
  const add = kit.add()
  const relu = kit.relu()
  return (x, context) =>
    relu(add(residual(x, context), shortcut === undefined ? x : shortcut(x, context), context), context)
}

export const resNet = (options: ResNetOptions): Classifier => {
  Options.check(ResNetConfig, NAME, options)
  const { depth = 50, groups = 1, widthPerGroup = 64, headDropout = 0, seed = 0 } = options

  const kit = makeKit(seed)
  const stem = sequence(
    torchConv(kit, { filters: 64, kernelSize: 7, strides: 2 }),
    kit.batchNorm(),
    kit.relu(),
    // Zeros after a ReLU pad a max-pool as PyTorch's -infinity does.
    kit.zeroPad(1),
    kit.maxPool(3, 2),
  )
  const stages: Array<Stage> = [{ name: "stem", block: stem }]
  RESNET_BLOCKS[depth as ResNetDepth].reduce<number>((inChannels, count, i) => {
    const planes = 64 * 2 ** i
    const width = Math.floor((planes * widthPerGroup) / 64) * groups
    const blocks = Array.from({ length: count }, (_, b) =>
      bottleneck(kit, {
        inChannels: b === 0 ? inChannels : planes * EXPANSION,
        planes,
        stride: b === 0 && i > 0 ? 2 : 1,
        groups,
        width,
      }),
    )
    stages.push({ name: `layer${i + 1}`, block: sequence(...blocks) })
    return planes * EXPANSION
  }, 64)
  const head = poolingHead(kit, { numClasses: options.numClasses, dropout: headDropout, preActivate: false })
  const label = groups === 1 ? `resNet${depth}` : `resNeXt${depth}-${groups}x${widthPerGroup}d`
  return assemble(
    { name: label, inputShape: options.inputShape, stages, head },
    {
      kind: "resNet",
      ...options,
      inputShape: [...options.inputShape],
      depth,
      groups,
      widthPerGroup,
      headDropout,
    },
  )
}

type Preset = Omit<ResNetOptions, "depth" | "groups" | "widthPerGroup">

/** ResNet-50 (torchvision v1.5): 25,557,032 parameters with 1000 classes. */
export const resNet50 = (options: Preset): Classifier => resNet({ ...options, depth: 50 })
/** ResNet-101 (torchvision v1.5): 44,549,160 parameters with 1000 classes. */
export const resNet101 = (options: Preset): Classifier => resNet({ ...options, depth: 101 })
/** ResNeXt-101 32x4d: 44,177,704 parameters with 1000 classes. */
export const resNeXt101_32x4d = (options: Preset): Classifier =>
  resNet({ ...options, depth: 101, groups: 32, widthPerGroup: 4 })
/** ResNeXt-101 64x4d: 83,455,272 parameters with 1000 classes. */
export const resNeXt101_64x4d = (options: Preset): Classifier =>
  resNet({ ...options, depth: 101, groups: 64, widthPerGroup: 4 })
