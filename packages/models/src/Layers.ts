/**
 * Building blocks shared by every architecture: a `Block` is a function of one node that
 * only calls tfjs-layers layers, so the SAME function builds the symbolic `tf.LayersModel`
 * (on a `SymbolicTensor`) and runs eagerly stage by stage (on a `tf.Tensor`) with the same
 * weights. A `LayerKit` creates the layers with deterministic names (so weights saved by one
 * process load into a model rebuilt by another) and seeded initialisers (the same seed gives
 * the same initial weights on Bun and Deno).
 */
import * as tf from "@tensorflow/tfjs-core"
import * as tfl from "@tensorflow/tfjs-layers"
import { Random } from "@vicinal/core"
import { invalidInput } from "./Errors.ts"
import { GroupedConv2D } from "./GroupedConv.ts"

/** A value flowing through a network: symbolic while building the model, concrete when running it. */
export type Node = tf.Tensor | tfl.SymbolicTensor

/**
 * How a block is being run: `training` toggles dropout and batch-norm statistics; undefined while
 * building. `seed` (training only) determines every dropout mask of the pass.
 */
export interface RunContext {
  readonly training: boolean | undefined
  readonly seed?: number
}

export type Block = (h: Node, context: RunContext) => Node

/** Joins two nodes (residual sum, dense concatenation). */
export type Merge = (a: Node, b: Node, context: RunContext) => Node

/** The part of a tfjs-layers layer the blocks use. */
interface AnyLayer {
  readonly apply: ReturnType<typeof tfl.layers.dense>["apply"]
}

const kwargs = (context: RunContext): { training?: boolean } =>
  context.training === undefined ? {} : { training: context.training }

/** Apply one layer to a node; the result has the node's kind (symbolic or concrete). */
export const call = (layer: AnyLayer, h: Node, context: RunContext): Node =>
  layer.apply(h as tf.Tensor, kwargs(context)) as Node

const mergeWith =
  (layer: AnyLayer): Merge =>
  (a, b, context) =>
    layer.apply([a, b] as Array<tf.Tensor>, kwargs(context)) as Node

/** Blocks run one after the other. */
export const sequence =
  (...blocks: ReadonlyArray<Block>): Block =>
  (h, context) =>
    blocks.reduce((acc, block) => block(acc, context), h)

/** A block that applies one layer. */
export const layerBlock =
  (layer: AnyLayer): Block =>
  (h, context) =>
    call(layer, h, context)

/** The identity block (e.g. dropout switched off). */
export const identity: Block = (h) => h

/**
 * The seed of one dropout block's mask: tfjs hashes the string (alea's Mash), so every
 * (pass seed, block) pair gets its own stream: blocks of one pass differ, and a pass is
 * repeatable from its seed alone (no hidden generator state to checkpoint).
 */
export const dropoutSeed = (seed: number, block: number): string => `${seed}:${block}`

/**
 * Dropout whose training mask is drawn from `context.seed` (tfjs' own dropout layer would
 * use an unseeded generator). While building, and in inference, the tfjs layer runs, so the
 * saved model keeps a plain `Dropout` layer; in a training pass without a seed it throws a
 * `InvalidArgument` naming `seed` (`Classifier.forward` checks this up front).
 */
export const seededDropout = (
  layer: AnyLayer & { readonly name: string },
  rate: number,
  block: number,
): Block => {
  const viaLayer = layerBlock(layer)
  return (h, context) => {
    if (context.training !== true) return viaLayer(h, context)
    if (context.seed === undefined)
      throw invalidInput(layer.name, "seed", undefined, "an integer in a training pass with dropout")
    return tf.dropout(h as tf.Tensor, rate, undefined, dropoutSeed(context.seed, block))
  }
}

// PyTorch's BatchNorm defaults (momentum 0.1 of the new batch, eps 1e-5), which the
// reference implementations (and their published accuracies) use; Keras' default momentum
// 0.99 would be 0.01 of the new batch.
const BN_MOMENTUM = 0.9
const BN_EPSILON = 1e-5

export interface ConvOptions {
  readonly filters: number
  readonly kernelSize: number
  readonly strides?: number
  readonly useBias?: boolean
  /** "same" (default) or "valid" (after an explicit `zeroPad`, for PyTorch's symmetric padding). */
  readonly padding?: "same" | "valid"
  /** Grouped convolution (ResNeXt's cardinality); default 1. Grouped convolutions have no bias. */
  readonly groups?: number
}

export interface LayerKit {
  readonly conv: (options: ConvOptions) => Block
  readonly batchNorm: () => Block
  readonly relu: () => Block
  /**
   * Dropout at `rate`; the identity when rate is 0 (no layer, no weights, same graph as without).
   * Its training masks are seeded (see `seededDropout`).
   */
  readonly dropout: (rate: number) => Block
  readonly dense: (units: number, activation?: "relu") => Block
  readonly flatten: () => Block
  /** Max pooling with a `size` window; strides default to the size (non-overlapping), padding "valid". */
  readonly maxPool: (size: number, strides?: number) => Block
  /** `padding` zeros on each side of height and width (PyTorch's symmetric conv/pool padding). */
  readonly zeroPad: (padding: number) => Block
  readonly avgPool: (size: number) => Block
  readonly globalAvgPool: () => Block
  /** A merge layer created now, applied whenever the returned function runs. */
  readonly add: () => Merge
  readonly concat: () => Merge
}

/** A layer factory whose names are `<kind>_<n>` in creation order and whose initialisers draw seeds from `seed`. */
export const makeKit = (seed: number): LayerKit => {
  const rng = Random.make(seed)
  const counters = new Map<string, number>()
  const count = (kind: string): number => {
    const n = (counters.get(kind) ?? 0) + 1
    counters.set(kind, n)
    return n
  }
  const name = (kind: string): string => `${kind}_${count(kind)}`
  // One fresh seed per initialiser: a shared seed would give equal-shaped layers equal weights.
  const nextSeed = (): number => rng.int(2 ** 31 - 1)

  return {
    conv: ({ filters, kernelSize, strides = 1, useBias = false, padding = "same", groups = 1 }) =>
      layerBlock(
        groups > 1
          ? new GroupedConv2D({
              name: name("gconv"),
              filters,
              kernelSize,
              strides,
              groups,
              padding,
              seed: nextSeed(),
            })
          : tfl.layers.conv2d({
              name: name("conv"),
              filters,
              kernelSize,
              strides,
              padding,
              useBias,
              kernelInitializer: tfl.initializers.heNormal({ seed: nextSeed() }),
            }),
      ),
    batchNorm: () =>
      layerBlock(
        tfl.layers.batchNormalization({ name: name("bn"), momentum: BN_MOMENTUM, epsilon: BN_EPSILON }),
      ),
    relu: () => layerBlock(tfl.layers.activation({ name: name("relu"), activation: "relu" })),
    dropout: (rate) => {
      if (rate === 0) return identity
      // The block index is the layer's number in its name, so it is stable across rebuilds.
      const n = count("dropout")
      return seededDropout(tfl.layers.dropout({ name: `dropout_${n}`, rate }), rate, n)
    },
    dense: (units, activation) =>
      layerBlock(
        tfl.layers.dense({
          name: name("dense"),
          units,
          ...(activation === undefined ? {} : { activation }),
          kernelInitializer: tfl.initializers.glorotUniform({ seed: nextSeed() }),
        }),
      ),
    flatten: () => layerBlock(tfl.layers.flatten({ name: name("flatten") })),
    maxPool: (size, strides = size) =>
      layerBlock(tfl.layers.maxPooling2d({ name: name("maxpool"), poolSize: size, strides })),
    zeroPad: (padding) => layerBlock(tfl.layers.zeroPadding2d({ name: name("pad"), padding })),
    avgPool: (size) => layerBlock(tfl.layers.averagePooling2d({ name: name("avgpool"), poolSize: size })),
    globalAvgPool: () => layerBlock(tfl.layers.globalAveragePooling2d({ name: name("gap") })),
    add: () => mergeWith(tfl.layers.add({ name: name("add") })),
    concat: () => mergeWith(tfl.layers.concatenate({ name: name("concat") })),
  }
}

/**
 * The classifier head of the convolutional nets: [BN-ReLU], global average pooling, dropout
 * (off at rate 0: the residual nets' `headDropout`, DenseNet-BC's `dropout`), linear.
 */
export const poolingHead = (
  kit: LayerKit,
  options: { readonly numClasses: number; readonly dropout: number; readonly preActivate: boolean },
): Block =>
  sequence(
    ...(options.preActivate ? [kit.batchNorm(), kit.relu()] : []),
    kit.globalAvgPool(),
    kit.dropout(options.dropout),
    kit.dense(options.numClasses),
  )
