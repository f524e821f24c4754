/**
 * A grouped 2-D convolution (PyTorch's `groups`), which tfjs 4.22's conv2d lacks: the input's
 * channels are split into `groups` equal slices, slice g is convolved with its own filters, and
 * the results are concatenated in group order (PyTorch's output channel order). One kernel of
 * shape [k, k, in / groups, out] holds every group's filters (Keras' grouped layout), so the
 * parameter count is PyTorch's (no bias, no block-diagonal zeros). Built from split, conv2d and
 * concat, whose gradients exist on every backend (wasm's conv filter gradient comes from `@vicinal/kernels`,
 * registered on import).
 */
import * as tf from "@tensorflow/tfjs-core"
import * as tfl from "@tensorflow/tfjs-layers"
import "@vicinal/kernels"
import { invalidOption } from "./Errors.ts"

export interface GroupedConv2DArgs {
  readonly name: string
  readonly filters: number
  readonly kernelSize: number
  readonly strides: number
  readonly groups: number
  readonly padding: "same" | "valid"
  /** Seed of the kernel's He-normal initialiser. */
  readonly seed: number
}

type Shape = Array<number | null>

/** Run the grouped convolution on concrete tensors: x [n, h, w, in], kernel [k, k, in / groups, out]. */
export const groupedConv2d = (
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  options: { readonly strides: number; readonly groups: number; readonly padding: "same" | "valid" },
): tf.Tensor4D => {
  return tf.tidy(() => {
    const { strides, groups, padding } = options
    if (groups === 1) return tf.conv2d(x, kernel, strides, padding)
    const inputs = tf.split(x, groups, 3) as Array<tf.Tensor4D>
    const filters = tf.split(kernel, groups, 3) as Array<tf.Tensor4D>
    return tf.concat4d(
      inputs.map((xg, g) => tf.conv2d(xg, filters[g]!, strides, padding)),
      3,
    )
  })
}

const outSize = (size: number | null, k: number, s: number, padding: "same" | "valid"): number | null =>
  size === null ? null : padding === "same" ? Math.ceil(size / s) : Math.ceil((size - k + 1) / s)

export class GroupedConv2D extends tfl.layers.Layer {
  static className = "VicinalGroupedConv2D"
  private readonly args: GroupedConv2DArgs
  private kernel: tfl.LayerVariable | undefined

  constructor(args: GroupedConv2DArgs) {
    super({ name: args.name })
    this.args = args
  }

  override build(inputShape: Shape | Array<Shape>): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape
    const inChannels = shape[shape.length - 1]
    const { kernelSize, groups, filters, seed } = this.args
    if (typeof inChannels !== "number" || inChannels % groups !== 0 || filters % groups !== 0)
      throw invalidOption(
        this.args.name,
        "groups",
        groups,
        `a divisor of the input channels (${inChannels}) and of filters (${filters})`,
      )
    this.kernel = this.addWeight(
      "kernel",
      [kernelSize, kernelSize, inChannels / groups, filters],
      "float32",
      tfl.initializers.heNormal({ seed }),
    )
    this.built = true
  }

  override computeOutputShape(inputShape: Shape | Array<Shape>): Shape {
    const [n, h, w] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape
    const { kernelSize, strides, padding, filters } = this.args
    return [
      n ?? null,
      outSize(h ?? null, kernelSize, strides, padding),
      outSize(w ?? null, kernelSize, strides, padding),
      filters,
    ]
  }

  override call(inputs: tf.Tensor | Array<tf.Tensor>): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D
    return groupedConv2d(x, this.kernel!.read() as tf.Tensor4D, this.args)
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { filters, kernelSize, strides, groups, padding, seed } = this.args
    return { ...super.getConfig(), filters, kernelSize, strides, groups, padding, seed }
  }
}

// So that tfjs' own loader (`Persist.loadLayersModel`) can rebuild a saved ResNeXt.
tf.serialization.registerClass(GroupedConv2D)
