/**
 * Pre-activation residual blocks (He et al. 2016), shared by PreAct ResNet and WideResNet:
 * BN-ReLU-conv3x3(stride)-BN-ReLU-[dropout]-conv3x3, plus a 1x1 conv shortcut on the
 * pre-activated input when the stride or the width changes (else the identity on the input).
 * The optional dropout sits after the second ReLU, between the two convolutions: where
 * Zagoruyko & Komodakis put it in WideResNet and where the mixup paper (section 3.4) adds
 * it to each PreAct block for the corrupted-label experiment.
 * Convolutions have no bias, as in the reference implementations (their parameter counts
 * decide it).
 */
import type { Block, LayerKit } from "./Layers.ts"

export interface BlockShape {
  readonly inChannels: number
  readonly outChannels: number
  readonly stride: number
  /** Dropout between the two convolutions, after the ReLU (WideResNet's dropRate); 0 for none. */
  readonly dropout: number
}

export const preActBlock = (kit: LayerKit, shape: BlockShape): Block => {
  const { inChannels, outChannels, stride, dropout } = shape
  const norm1 = kit.batchNorm()
  const relu1 = kit.relu()
  const conv1 = kit.conv({ filters: outChannels, kernelSize: 3, strides: stride })
  const norm2 = kit.batchNorm()
  const relu2 = kit.relu()
  const drop = kit.dropout(dropout)
  const conv2 = kit.conv({ filters: outChannels, kernelSize: 3 })
  const shortcut =
    stride !== 1 || inChannels !== outChannels
      ? kit.conv({ filters: outChannels, kernelSize: 1, strides: stride })
      : undefined
  const add = kit.add()
  return (x, context) => {
    const pre = relu1(norm1(x, context), context)
    const residual = conv2(drop(relu2(norm2(conv1(pre, context), context), context), context), context)
    return add(residual, shortcut === undefined ? x : shortcut(pre, context), context)
  }
}

/** `count` blocks from `inChannels` to `outChannels`; the first one carries the stride. */
export const group = (
  kit: LayerKit,
  count: number,
  shape: BlockShape,
): { readonly block: Block; readonly outChannels: number } => {
  const blocks = Array.from({ length: count }, (_, i) =>
    preActBlock(kit, i === 0 ? shape : { ...shape, inChannels: shape.outChannels, stride: 1 }),
  )
  return {
    block: (h, context) => blocks.reduce((acc, b) => b(acc, context), h),
    outChannels: shape.outChannels,
  }
}
