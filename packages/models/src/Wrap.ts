/**
 * A user's own `tf.LayersModel` (a `tf.sequential()` or a functional `tf.model()`) seen through
 * the `Classifier` contract, so that `Run.train`, `Evaluate` and the attacks take it like a
 * built-in network. Input mixing works for any model; manifold mixing works after the layers
 * named in `stages`, each of which must split the model in two (every path from the input to
 * the logits passes through it), which `wrap` checks before anything runs.
 */
import * as tf from "@tensorflow/tfjs-core"
import type * as tfl from "@tensorflow/tfjs-layers"
import { type Classifier, type ForwardOptions, weightsOf } from "./Classifier.ts"
import { type InvalidArgument, invalidInput, invalidOption } from "./Errors.ts"

export interface WrapOptions {
  /**
   * Names of the layers after whose output manifold mixing may replace the activation: stage
   * k (k >= 1) is `stages[k - 1]`, stage 0 the input. Default none (input mixing only).
   */
  readonly stages?: ReadonlyArray<string>
  /** The classifier's name in errors and reports (default the model's name). */
  readonly name?: string
}

type Layer = tfl.layers.Layer
type Symbolic = tfl.SymbolicTensor

const inboundOf = (layer: Layer, nodeIndex: number): ReadonlyArray<Symbolic> =>
  (layer.inboundNodes[nodeIndex]?.inputTensors ?? []) as ReadonlyArray<Symbolic>

/**
 * Why the model cannot be split after `layer` (undefined when it can): the output must be
 * reachable from the input only through `layer`'s output, and `layer` must be used once.
 */
const splitProblem = (model: tfl.LayersModel, layer: Layer): string | undefined => {
  if (layer.inboundNodes.length !== 1)
    return `a layer used once (it is applied ${layer.inboundNodes.length} times)`
  const input = model.inputs[0]!
  const seen = new Set<number>()
  // Depth-first from the logits back to the input, not crossing `layer`'s output.
  const stack: Array<Symbolic> = [...model.outputs]
  while (stack.length > 0) {
    const t = stack.pop()!
    if (seen.has(t.id)) continue
    seen.add(t.id)
    if (t.id === input.id)
      return "a layer every path from the input to the logits passes through (a branch bypasses it)"
    if (t.sourceLayer === layer) continue
    stack.push(...inboundOf(t.sourceLayer as Layer, t.nodeIndex))
  }
  const output = layer.output as Symbolic | ReadonlyArray<Symbolic>
  return (Array.isArray(output) ? output : [output]).some((t) => seen.has(t.id))
    ? undefined
    : "a layer between the input and the logits"
}

/** Whether the layer producing the output ends in a softmax (probabilities, not logits). */
const endsInSoftmax = (model: tfl.LayersModel): boolean => {
  const last = model.outputs[0]!.sourceLayer as Layer
  const config = last.getConfig() as { readonly activation?: unknown }
  return last.getClassName() === "Softmax" || config.activation === "softmax"
}

const checkModel = (model: tfl.LayersModel, name: string): InvalidArgument | undefined => {
  const fail = (argument: string, value: unknown, expected: string) =>
    invalidOption(name, argument, value, expected)
  if (model.inputs.length !== 1) return fail("model.inputs", model.inputs.length, "one input")
  if (model.outputs.length !== 1) return fail("model.outputs", model.outputs.length, "one output")
  const shape = model.outputs[0]!.shape
  if (shape.length !== 2 || shape[1] === null || shape[1]! < 2)
    return fail("model.outputs[0].shape", shape, "[n, classes] logits with at least 2 classes")
  if (endsInSoftmax(model))
    return fail(
      "model's last layer",
      "activation: softmax",
      "logits (vicinal's losses and attacks apply the softmax themselves): drop the final softmax",
    )
  return undefined
}

const sameFeatureShape = (actual: ReadonlyArray<number>, expected: ReadonlyArray<number | null>): boolean =>
  actual.length === expected.length && expected.every((d, i) => i === 0 || d === null || d === actual[i])

/**
 * The `Classifier` of a user's model (sharing its layers and weights: training the classifier
 * trains the model). Throws an `InvalidArgument` naming the argument for a model with more than
 * one input or output, an output that is not `[n, classes]` logits (e.g. a final softmax), or a
 * stage that is not a layer of the model or where the model cannot be split. `dispose` disposes
 * the model. Dropout layers draw tfjs' own masks (the per-step `seed` of `forward` is not used),
 * so a model with dropout is not reproducible bit for bit.
 */
export const wrap = (model: tfl.LayersModel, options: WrapOptions = {}): Classifier => {
  const name = options.name ?? model.name
  const problem = checkModel(model, name)
  if (problem !== undefined) throw problem
  const stages = options.stages ?? []
  const stageLayers = stages.map((stage, k) => {
    const layer = model.layers.find((l) => l.name === stage)
    if (layer === undefined)
      throw invalidOption(
        name,
        `stages[${k}]`,
        stage,
        `the name of one of the model's layers (${model.layers.map((l) => l.name).join(", ")})`,
      )
    const cannot = splitProblem(model, layer)
    if (cannot !== undefined)
      throw invalidOption(
        name,
        `stages[${k}]`,
        stage,
        `${cannot}, so that the model splits there for manifold mixing`,
      )
    return layer
  })
  const inputShape = model.inputs[0]!.shape

  const check = (x: tf.Tensor, o: ForwardOptions): InvalidArgument | undefined => {
    const fail = (argument: string, value: unknown, expected: string) =>
      invalidInput(name, argument, value, expected)
    if (!sameFeatureShape(x.shape, inputShape))
      return fail("x.shape", x.shape, `[n, ${inputShape.slice(1).join(", ")}] (the model's input)`)
    if (o.mixAt === undefined)
      return o.mix === undefined ? undefined : fail("mixAt", o.mixAt, "a stage index when mix is given")
    if (!Number.isInteger(o.mixAt) || o.mixAt < 0 || o.mixAt > stageLayers.length)
      return fail("mixAt", o.mixAt, `an integer in [0, ${stageLayers.length}]`)
    return o.mix === undefined ? fail("mix", o.mix, "a function when mixAt is given") : undefined
  }

  const mixChecked = (mix: (h: tf.Tensor) => tf.Tensor, h: tf.Tensor, k: number): tf.Tensor => {
    const mixed = mix(h)
    if (mixed.shape.length !== h.shape.length || mixed.shape.some((d, i) => d !== h.shape[i]))
      throw invalidInput(
        name,
        "mix(h).shape",
        mixed.shape,
        `the shape of h at stage ${k}, [${h.shape.join(", ")}]`,
      )
    return mixed
  }

  // The model's graph run layer by layer, the output of `at` replaced by `mix` of it.
  const runSplit = (
    x: tf.Tensor,
    training: boolean,
    at: Layer,
    k: number,
    mix: (h: tf.Tensor) => tf.Tensor,
  ) => {
    const values = new Map<number, tf.Tensor>([[model.inputs[0]!.id, x]])
    const computed = (t: Symbolic): tf.Tensor => {
      const known = values.get(t.id)
      if (known !== undefined) return known
      const layer = t.sourceLayer as Layer
      const node = layer.inboundNodes[t.nodeIndex]!
      const ins = inboundOf(layer, t.nodeIndex).map(computed)
      const out = layer.apply(ins.length === 1 ? ins[0]! : ins, { training }) as tf.Tensor | Array<tf.Tensor>
      const outs = Array.isArray(out) ? out : [out]
      ;(node.outputTensors as ReadonlyArray<Symbolic>).forEach((s, i) => {
        values.set(s.id, layer === at ? mixChecked(mix, outs[i]!, k) : outs[i]!)
      })
      return values.get(t.id)!
    }
    return computed(model.outputs[0]!)
  }

  const forward = (x: tf.Tensor, o: ForwardOptions = {}): tf.Tensor => {
    const bad = check(x, o)
    if (bad !== undefined) throw bad
    const training = o.training === true
    return tf.tidy(() => {
      const { mixAt, mix } = o
      if (mixAt === undefined || mix === undefined || mixAt === 0) {
        const input = mixAt === 0 && mix !== undefined ? mixChecked(mix, x, 0) : x
        return model.apply(input, { training }) as tf.Tensor
      }
      return runSplit(x, training, stageLayers[mixAt - 1]!, mixAt, mix)
    })
  }

  return { name, model, stageNames: ["input", ...stages], forward, ...weightsOf(model) }
}
