/** A multilayer perceptron: flatten, then `hidden` dense-ReLU layers, each a mixing stage. */
import { assemble, type Classifier, type Stage } from "./Classifier.ts"
import { identity, makeKit, sequence } from "./Layers.ts"
import * as Validate from "./Validate.ts"

export interface MlpOptions extends Validate.Common {
  /** Widths of the hidden layers, in order (may be empty: a linear classifier). */
  readonly hidden: ReadonlyArray<number>
  /** Dropout after each hidden layer (the paper's label-noise grid: 0.5-0.9); default 0, off. */
  readonly dropout?: number
}

const NAME = "mlp"

export const mlp = (options: MlpOptions): Classifier => {
  const seed = Validate.common(NAME, options)
  const { hidden, dropout = 0 } = options
  Validate.check(NAME, "hidden", hidden, Array.isArray(hidden), "a list of layer widths")
  Validate.positiveInts(NAME, "hidden", hidden)
  Validate.rate(NAME, "dropout", dropout)

  const kit = makeKit(seed)
  const flatten = options.inputShape.length > 1 ? kit.flatten() : identity
  const stages: Array<Stage> = hidden.map((width, i) => ({
    name: `hidden${i + 1}`,
    block: sequence(...(i === 0 ? [flatten] : []), kit.dense(width, "relu"), kit.dropout(dropout)),
  }))
  const head = sequence(...(hidden.length === 0 ? [flatten] : []), kit.dense(options.numClasses))
  return assemble(
    { name: NAME, inputShape: options.inputShape, stages, head },
    { kind: "mlp", ...options, hidden: [...hidden], inputShape: [...options.inputShape] },
  )
}
