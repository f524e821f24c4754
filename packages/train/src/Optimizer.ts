/**
 * Optimisers whose whole state is plain data, so that a checkpoint can hold it and a resumed
 * run continues bit for bit.
 *
 * The updates are written out in a few lines of tfjs (PyTorch semantics, which the paper's
 * reference code used) rather than taken from `tf.train.*`: the tfjs optimisers key their state
 * by variable names, which tfjs-layers makes unique per process (`dense_Dense3/kernel`), so a
 * resumed process would not find them; here state is positional (the order of
 * `trainableVariables()`), checked by shape on import.
 *
 * Constructors validate their options up front and THROW an `InvalidArgument` instance (synchronous
 * helpers); `Run` decodes configs through the Schema first, so it never sees those throws.
 */
import * as tf from "@tensorflow/tfjs-core"
import { Schema } from "effect"
import { decodeOrThrow, InvalidArgument } from "./Errors.ts"

// Explicit schema types here and below: JSR's type check does not infer them.
const NonNegative: Schema.Finite = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))
const Positive: Schema.Finite = Schema.Finite.check(Schema.isGreaterThan(0))
const UnitInterval: Schema.Finite = Schema.Finite.check(
  Schema.isGreaterThanOrEqualTo(0),
  Schema.isLessThan(1),
)

/** SGD with momentum and L2 weight decay; the paper: lr 0.1, momentum 0.9, weight decay 1e-4. */
export const SgdConfig: Schema.TaggedStruct<
  "sgd",
  {
    readonly lr: Schema.Finite
    readonly momentum: Schema.Finite
    readonly weightDecay: Schema.Finite
    readonly nesterov: Schema.optionalKey<Schema.Boolean>
  }
> = Schema.TaggedStruct("sgd", {
  lr: Positive,
  momentum: UnitInterval,
  weightDecay: NonNegative,
  nesterov: Schema.optionalKey(Schema.Boolean),
})
export type SgdConfig = typeof SgdConfig.Type

/** Adam (Kingma & Ba) with optional L2 weight decay added to the gradient. */
export const AdamConfig: Schema.TaggedStruct<
  "adam",
  {
    readonly lr: Schema.Finite
    readonly beta1: Schema.Finite
    readonly beta2: Schema.Finite
    readonly epsilon: Schema.Finite
    readonly weightDecay: Schema.Finite
  }
> = Schema.TaggedStruct("adam", {
  lr: Positive,
  beta1: UnitInterval,
  beta2: UnitInterval,
  epsilon: Positive,
  weightDecay: NonNegative,
})
export type AdamConfig = typeof AdamConfig.Type

export const OptimizerConfig: Schema.Union<readonly [typeof SgdConfig, typeof AdamConfig]> = Schema.Union([
  SgdConfig,
  AdamConfig,
])
export type OptimizerConfig = typeof OptimizerConfig.Type

/** One slot tensor (e.g. the momentum of variable `variable`) as host data. */
export interface SlotState {
  readonly slot: string
  readonly variable: number
  readonly shape: ReadonlyArray<number>
  readonly values: Float32Array
}

export interface OptimizerState {
  readonly kind: OptimizerConfig["_tag"]
  /** Updates applied so far (Adam's bias correction depends on it). */
  readonly steps: number
  readonly slots: ReadonlyArray<SlotState>
}

export interface Optimizer {
  readonly config: OptimizerConfig
  /**
   * Update `variables` in place from `grads` (same order, same shapes) at learning rate `lr`.
   * Disposes nothing it was given; leaves no tensors behind except its own slots.
   */
  readonly step: (variables: ReadonlyArray<tf.Variable>, grads: ReadonlyArray<tf.Tensor>, lr: number) => void
  /** A copy of the state on the host. */
  readonly exportState: () => OptimizerState
  /** Replace the state; returns an `InvalidArgument` (not thrown) when it does not fit. */
  readonly importState: (
    state: OptimizerState,
    variables: ReadonlyArray<tf.Variable>,
  ) => InvalidArgument | undefined
  /** Free the slot tensors. */
  readonly dispose: () => void
}

type Update = (
  w: tf.Tensor,
  g: tf.Tensor,
  slots: ReadonlyArray<tf.Variable>,
  lr: number,
  steps: number,
) => tf.Tensor

const make = (config: OptimizerConfig, slotNames: ReadonlyArray<string>, update: Update): Optimizer => {
  // slots[s][i]: slot s of variable i, created lazily as zeros.
  let slots: Array<Array<tf.Variable>> = []
  let steps = 0

  const ensureSlots = (variables: ReadonlyArray<tf.Variable>): void => {
    if (slots.length > 0) return
    slots = slotNames.map((name) =>
      // tidy: frees the zeros the variable was initialised from.
      variables.map((v) =>
        tf.tidy(() => tf.variable(tf.zerosLike(v), false, `vicinal_${name}_${v.id}_${v.name}`)),
      ),
    )
  }

  const dispose = (): void => {
    for (const row of slots) for (const v of row) v.dispose()
    slots = []
  }

  const step: Optimizer["step"] = (variables, grads, lr) => {
    if (variables.length !== grads.length)
      throw new InvalidArgument({
        argument: "grads.length",
        value: grads.length,
        expected: `must be ${variables.length}, one gradient per variable`,
      })
    ensureSlots(variables)
    steps += 1
    tf.tidy(() => {
      variables.forEach((w, i) => {
        const g = grads[i]!
        const own = slots.map((row) => row[i]!)
        w.assign(update(w, g, own, lr, steps))
      })
    })
  }

  const exportState = (): OptimizerState => ({
    kind: config._tag,
    steps,
    slots: slots.flatMap((row, s) =>
      row.map((v, i) => ({
        slot: slotNames[s]!,
        variable: i,
        shape: [...v.shape],
        values: Float32Array.from(v.dataSync() as Float32Array),
      })),
    ),
  })

  const importState: Optimizer["importState"] = (state, variables) => {
    if (state.kind !== config._tag)
      return new InvalidArgument({
        argument: "optimizer state.kind",
        value: state.kind,
        expected: `must be "${config._tag}", this optimiser's kind`,
      })
    const expected = state.steps === 0 && state.slots.length === 0 ? 0 : slotNames.length * variables.length
    if (state.slots.length !== expected)
      return new InvalidArgument({
        argument: "optimizer.slots.length",
        value: state.slots.length,
        expected: `must be ${expected}, the number of slot tensors`,
      })
    for (const s of state.slots) {
      const v = variables[s.variable]
      const size = s.shape.reduce((a, b) => a * b, 1)
      if (v === undefined || !tf.util.arraysEqual(v.shape, [...s.shape]) || s.values.length !== size)
        return new InvalidArgument({
          argument: `optimizer.slots[${s.slot}][${s.variable}].shape`,
          value: s.shape,
          expected: `must be the shape of its variable, [${v?.shape ?? "none"}], with as many values`,
        })
    }
    const find = (name: string, i: number) => state.slots.find((x) => x.slot === name && x.variable === i)
    const absent = slotNames
      .flatMap((name) => (expected === 0 ? [] : variables.map((_, i) => [name, i] as const)))
      .find(([name, i]) => find(name, i) === undefined)
    if (absent !== undefined)
      return new InvalidArgument({
        argument: `optimizer.slots[${absent[0]}][${absent[1]}]`,
        value: undefined,
        expected: "must be in the state",
      })
    dispose()
    steps = state.steps
    // No slots yet (state exported before the first step): they are created lazily as zeros.
    slots =
      expected === 0
        ? []
        : slotNames.map((name) =>
            variables.map((_, i) => {
              const s = find(name, i)!
              return tf.tidy(() => tf.variable(tf.tensor(s.values, [...s.shape]), false))
            }),
          )
    return undefined
  }

  return { config, step, exportState, importState, dispose }
}

/**
 * SGD as in PyTorch: g += weightDecay * w; buf = momentum * buf + g; w -= lr * buf
 * (Nesterov: w -= lr * (g + momentum * buf)).
 */
export const sgd = (options: {
  readonly lr: number
  readonly momentum?: number
  readonly weightDecay?: number
  readonly nesterov?: boolean
}): Optimizer => {
  const config = decodeOrThrow(
    SgdConfig,
    { _tag: "sgd", momentum: 0, weightDecay: 0, ...options },
    "optimizer",
  )
  const { momentum, weightDecay } = config
  const nesterov = config.nesterov === true
  return make(config, momentum > 0 ? ["momentum"] : [], (w, g, slots, lr) => {
    const grad = weightDecay > 0 ? tf.add(g, tf.mul(w, weightDecay)) : g
    const buffer = slots[0]
    if (buffer === undefined) return tf.sub(w, tf.mul(grad, lr))
    buffer.assign(tf.add(tf.mul(buffer, momentum), grad))
    const direction = nesterov ? tf.add(grad, tf.mul(buffer, momentum)) : buffer
    return tf.sub(w, tf.mul(direction, lr))
  })
}

/** Adam with bias correction; weight decay (if any) is added to the gradient (L2), as in PyTorch's Adam. */
export const adam = (options: {
  readonly lr: number
  readonly beta1?: number
  readonly beta2?: number
  readonly epsilon?: number
  readonly weightDecay?: number
}): Optimizer => {
  const config = decodeOrThrow(
    AdamConfig,
    { _tag: "adam", beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, ...options },
    "optimizer",
  )
  const { beta1, beta2, epsilon, weightDecay } = config
  return make(config, ["m", "v"], (w, g, slots, lr, t) => {
    const grad = weightDecay > 0 ? tf.add(g, tf.mul(w, weightDecay)) : g
    const m = slots[0]!
    const v = slots[1]!
    m.assign(tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1)))
    v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2)))
    const mHat = tf.div(m, 1 - beta1 ** t)
    const vHat = tf.div(v, 1 - beta2 ** t)
    return tf.sub(w, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), lr))
  })
}

/** The optimiser a (decoded) config describes. */
export const fromConfig = (config: OptimizerConfig): Optimizer =>
  config._tag === "sgd" ? sgd(config) : adam(config)
