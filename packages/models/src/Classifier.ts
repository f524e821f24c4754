/**
 * The `Classifier` contract: one network seen two ways over the same layer objects:
 * `model`, a functional `tf.LayersModel` (summary, parameter count, save and load), and
 * `forward`, an eager stage-by-stage pass that can replace the activation after stage k
 * (manifold mixup) before running the rest.
 */
import * as tf from "@tensorflow/tfjs-core"
import * as tfl from "@tensorflow/tfjs-layers"
// Registers the wasm backend's training kernels (conv filter gradients, which wasm lacks, and
// fast transposed matmuls and conv/pool gradients) on import, so every model trains on wasm.
import "@vicinal/kernels"
import { type InvalidArgument, invalidInput, invalidOption } from "./Errors.ts"
import type { Block, RunContext } from "./Layers.ts"
import type { ModelConfig } from "./ModelConfig.ts"

export interface ForwardOptions {
  /** Dropout active and batch-norm on batch statistics (updating its moving averages). Default false. */
  readonly training?: boolean
  /** Apply `mix` to the activation after this stage (0: the input); see `stageNames`. */
  readonly mixAt?: number
  /** Replaces the activation at `mixAt`; must keep its shape. */
  readonly mix?: (h: tf.Tensor) => tf.Tensor
  /**
   * An integer that determines every dropout mask of this training pass (each dropout block
   * derives its own from it). Required when `training` is true and the network has dropout;
   * pass a fresh one per step (e.g. drawn from the run's seeded `Random`). Ignored otherwise.
   */
  readonly seed?: number
}

export interface Classifier {
  readonly name: string
  /** The whole network: summary, countParams, save/load. Shares its weights with `forward`. */
  readonly model: tfl.LayersModel
  /** Stage 0 is the input; stages 1..K are named hidden stages (manifold mixing points). */
  readonly stageNames: ReadonlyArray<string>
  /**
   * Logits. Synchronous and tidy (only the result stays allocated); throws `InvalidArgument`
   * for an input of the wrong shape, invalid mixing options, or a training pass through
   * dropout without an integer `seed`.
   */
  readonly forward: (x: tf.Tensor, options?: ForwardOptions) => tf.Tensor
  readonly trainableVariables: () => ReadonlyArray<tf.Variable>
  /** Frees every weight; later calls do nothing. */
  readonly dispose: () => void
  /** How to rebuild this network (set by the constructors of this package; needed by `Persist.load`). */
  readonly config?: ModelConfig
}

export interface Stage {
  readonly name: string
  readonly block: Block
}

/** A network as a list of stages followed by a head that produces the logits. */
export interface Architecture {
  readonly name: string
  readonly inputShape: ReadonlyArray<number>
  readonly stages: ReadonlyArray<Stage>
  readonly head: Block
}

const INFERENCE: RunContext = { training: false }

const sameShape = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i])

const checkForward = (
  arch: Architecture,
  hasDropout: boolean,
  x: tf.Tensor,
  options: ForwardOptions,
): InvalidArgument | undefined => {
  const fail = (argument: string, value: unknown, expected: string) =>
    invalidInput(arch.name, argument, value, expected)
  if (!sameShape(x.shape.slice(1), arch.inputShape))
    return fail("x.shape", x.shape, `[n, ${arch.inputShape.join(", ")}]`)
  const { mixAt, mix, seed } = options
  if (seed !== undefined && !Number.isSafeInteger(seed)) return fail("seed", seed, "a safe integer")
  // An unseeded training pass would draw its dropout masks from tfjs' unseeded generator.
  if (options.training === true && hasDropout && seed === undefined)
    return fail("seed", seed, "an integer when training a network with dropout")
  if (mixAt === undefined)
    return mix === undefined ? undefined : fail("mixAt", mixAt, "a stage index when mix is given")
  if (!Number.isInteger(mixAt) || mixAt < 0 || mixAt > arch.stages.length)
    return fail("mixAt", mixAt, `an integer in [0, ${arch.stages.length}]`)
  return mix === undefined ? fail("mix", mix, "a function when mixAt is given") : undefined
}

/** The first layer with a 0-sized output dimension, and that output shape (as JSON). */
const emptyOutput = (
  model: tfl.LayersModel,
): { readonly layer: string; readonly shape: string } | undefined => {
  for (const layer of model.layers) {
    const shapes = (
      Array.isArray(layer.outputShape[0]) ? layer.outputShape : [layer.outputShape]
    ) as ReadonlyArray<ReadonlyArray<number | null>>
    const shape = shapes.find((s) => s.includes(0))
    if (shape !== undefined) return { layer: layer.name, shape: JSON.stringify(shape) }
  }
  return undefined
}

/**
 * Build the functional model and the eager forward pass of an architecture. Throws a
 * `InvalidArgument` naming `inputShape` when some layer's output would be empty (e.g. a
 * pooling reaching a 0 x 0 map).
 */
export const assemble = (arch: Architecture, config?: ModelConfig): Classifier => {
  const input = tfl.input({ shape: [...arch.inputShape], name: "input" })
  const building: RunContext = { training: undefined }
  const hidden = arch.stages.reduce(
    (h, stage) => stage.block(h, building),
    input as tfl.SymbolicTensor | tf.Tensor,
  )
  const logits = arch.head(hidden, building) as tfl.SymbolicTensor
  const model = tfl.model({ inputs: input, outputs: logits, name: arch.name })
  // An input too small for the net's poolings builds anyway (tfjs returns all-zero logits
  // from the empty maps): refuse it here, for any architecture, once the shapes are known.
  const empty = emptyOutput(model)
  if (empty !== undefined) {
    model.dispose()
    throw invalidOption(
      arch.name,
      "inputShape",
      arch.inputShape,
      `large enough that no layer's output is empty (${empty.layer} would output ${empty.shape})`,
    )
  }
  if (config !== undefined) model.setUserDefinedMetadata({ vicinal: { config } })
  const hasDropout = model.layers.some((layer) => layer.getClassName() === "Dropout")

  const forward = (x: tf.Tensor, options: ForwardOptions = {}): tf.Tensor => {
    const problem = checkForward(arch, hasDropout, x, options)
    if (problem !== undefined) throw problem
    const context: RunContext =
      options.training !== true
        ? INFERENCE
        : options.seed === undefined
          ? { training: true }
          : { training: true, seed: options.seed }
    const mixIfAt = (k: number, h: tf.Tensor): tf.Tensor => {
      if (options.mixAt !== k || options.mix === undefined) return h
      const mixed = options.mix(h)
      if (!sameShape(mixed.shape, h.shape))
        throw invalidInput(
          arch.name,
          "mix(h).shape",
          mixed.shape,
          `the shape of h at stage ${k}, [${h.shape.join(", ")}]`,
        )
      return mixed
    }
    return tf.tidy(() => {
      const h = arch.stages.reduce(
        (acc, stage, i) => mixIfAt(i + 1, stage.block(acc, context) as tf.Tensor),
        mixIfAt(0, x),
      )
      return arch.head(h, context) as tf.Tensor
    })
  }

  return {
    name: arch.name,
    model,
    stageNames: ["input", ...arch.stages.map((s) => s.name)],
    forward,
    ...weightsOf(model),
    ...(config === undefined ? {} : { config }),
  }
}

/** A classifier's `trainableVariables` and `dispose` (later calls do nothing) over `model`'s weights. */
export const weightsOf = (model: tfl.LayersModel): Pick<Classifier, "trainableVariables" | "dispose"> => {
  let disposed = false
  return {
    trainableVariables: () => model.trainableWeights.map((w) => w.read() as tf.Variable),
    dispose: () => {
      if (disposed) return
      disposed = true
      model.dispose()
    },
  }
}

/** Parameters as PyTorch counts them: trainable weights only (tfjs' `countParams` adds batch-norm moving statistics). */
export const countTrainableParams = (classifier: Classifier): number =>
  classifier.model.trainableWeights.reduce(
    (sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1),
    0,
  )
